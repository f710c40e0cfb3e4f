import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useRef } from 'react';
import { MemoryRouter, useNavigate } from 'react-router';
import { describe, expect, it, vi } from 'vitest';
import { useToast } from './toast-context';
import { ToastProvider } from './toast-provider';

function Controls({ onExpire }: { onExpire: () => void }) {
  const toaster = useToast();
  const navigate = useNavigate();
  const count = useRef(0);
  return (
    <>
      <button type="button" onClick={() => toaster.show({ message: `Saved ${++count.current}`, tone: 'success' })}>
        Info
      </button>
      <button
        type="button"
        onClick={() =>
          toaster.show({ message: 'Task deleted', action: { label: 'Undo', onClick: () => undefined }, onExpire })
        }
      >
        Delete
      </button>
      <button type="button" onClick={() => toaster.show({ message: 'Could not save', tone: 'error' })}>
        Error
      </button>
      <button type="button" onClick={() => navigate('/elsewhere?x=1')}>
        Go
      </button>
      <button type="button" onClick={() => navigate('/start?filter=1')}>
        Filter
      </button>
    </>
  );
}

function renderToasts(onExpire: () => void = () => undefined) {
  const user = userEvent.setup();
  render(
    <MemoryRouter initialEntries={['/start']}>
      <ToastProvider>
        <Controls onExpire={onExpire} />
      </ToastProvider>
    </MemoryRouter>,
  );
  const notifications = screen.getByRole('region', { name: 'Notifications' });
  const messages = () => [...notifications.querySelectorAll('p')].map((p) => p.textContent);
  return { user, notifications, messages };
}

describe('toasts', () => {
  it('when five toasts are shown, then only the newest three are visible, newest first', async () => {
    const { user, messages } = renderToasts();
    for (let i = 0; i < 5; i++) await user.click(screen.getByRole('button', { name: 'Info' }));
    expect(messages()).toEqual(['Saved 5', 'Saved 4', 'Saved 3']);
  });

  it('when a toast with an undo is pushed out, then it ends as if it had timed out', async () => {
    const onExpire = vi.fn();
    const { user, messages } = renderToasts(onExpire);
    await user.click(screen.getByRole('button', { name: 'Delete' }));
    await user.click(screen.getByRole('button', { name: 'Info' }));
    await user.click(screen.getByRole('button', { name: 'Info' }));
    expect(onExpire).not.toHaveBeenCalled();
    await user.click(screen.getByRole('button', { name: 'Info' }));
    expect(messages()).toEqual(['Saved 3', 'Saved 2', 'Saved 1']);
    expect(onExpire).toHaveBeenCalledTimes(1);
  });

  it('when the page changes, then info toasts go away and errors stay until dismissed', async () => {
    const { user, notifications, messages } = renderToasts();
    await user.click(screen.getByRole('button', { name: 'Error' }));
    await user.click(screen.getByRole('button', { name: 'Info' }));
    await user.click(screen.getByRole('button', { name: 'Filter' }));
    expect(messages()).toEqual(['Saved 1', 'Could not save']);

    await user.click(screen.getByRole('button', { name: 'Go' }));
    expect(messages()).toEqual(['Could not save']);
    const alert = within(notifications).getByRole('alert');
    await user.click(within(alert).getByRole('button', { name: 'Dismiss notification' }));
    expect(messages()).toEqual([]);
  });
});
