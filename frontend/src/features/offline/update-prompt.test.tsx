import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { UpdateBanner } from './update-prompt';

describe('UpdateBanner', () => {
  it('when nothing is waiting, then the status region is there and empty', () => {
    render(<UpdateBanner needRefresh={false} offlineReady={false} onReload={vi.fn()} onDismiss={vi.fn()} />);
    expect(screen.getByRole('status')).toBeEmptyDOMElement();
  });

  it('when a new version waits, then it is announced with Reload and Later, each doing its own thing', async () => {
    const onReload = vi.fn();
    const onDismiss = vi.fn();
    render(<UpdateBanner needRefresh offlineReady={false} onReload={onReload} onDismiss={onDismiss} />);
    expect(screen.getByRole('status')).toHaveTextContent('A new version of Primo is available.');
    await userEvent.click(screen.getByRole('button', { name: 'Reload' }));
    expect(onReload).toHaveBeenCalledOnce();
    expect(onDismiss).not.toHaveBeenCalled();
    await userEvent.click(screen.getByRole('button', { name: 'Later' }));
    expect(onDismiss).toHaveBeenCalledOnce();
  });

  it('when the app has just been stored for offline use, then it says so once, with OK and no Reload', () => {
    render(<UpdateBanner needRefresh={false} offlineReady onReload={vi.fn()} onDismiss={vi.fn()} />);
    expect(screen.getByRole('status')).toHaveTextContent('Primo now opens without a connection too.');
    expect(screen.queryByRole('button', { name: 'Reload' })).toBeNull();
    expect(screen.getByRole('button', { name: 'OK' })).toBeInTheDocument();
  });
});
