import { screen, within } from '@testing-library/react';
import { expect } from 'vitest';

/** Waits for a message inside an assertive live region (role="alert"), so screen readers announce it. */
export async function findAlert(text: string | RegExp, timeout?: number): Promise<HTMLElement> {
  const found = await screen.findByText(text, undefined, timeout === undefined ? {} : { timeout });
  const alerts = screen.getAllByRole('alert');
  const region = alerts.find((alert) => alert.contains(found));
  expect(region, `"${String(text)}" is not inside a role="alert" region`).toBeDefined();
  return region as HTMLElement;
}

/** Waits for a message inside the polite live region of the notifications area. */
export async function findStatusToast(text: string | RegExp): Promise<HTMLElement> {
  const notifications = screen.getByRole('region', { name: 'Notifications' });
  return within(within(notifications).getByRole('status')).findByText(text);
}
