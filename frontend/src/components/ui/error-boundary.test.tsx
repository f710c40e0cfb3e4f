import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Suspense } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { retryableLazy } from '../../lib/retryable-lazy';
import { ErrorBoundary } from './error-boundary';

function LoadedPage() {
  return <h1>Loaded page</h1>;
}

describe('route error boundary', () => {
  it('when a lazy route chunk fails to load once, then Retry fetches it again and shows the page', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const load = vi
      .fn<() => Promise<typeof LoadedPage>>()
      .mockRejectedValueOnce(new TypeError('Failed to fetch dynamically imported module: /assets/page.js'))
      .mockResolvedValue(LoadedPage);
    const Page = retryableLazy(load);
    render(
      <ErrorBoundary>
        <Suspense fallback={<p>Loading…</p>}>
          <Page />
        </Suspense>
      </ErrorBoundary>,
    );

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('This page could not be loaded. Check your connection and retry.');
    await userEvent.click(screen.getByRole('button', { name: 'Retry' }));

    expect(await screen.findByRole('heading', { name: 'Loaded page' })).toBeInTheDocument();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('when a page throws while rendering, then a message with Retry shows and Retry renders it again', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    let fail = true;
    function Flaky() {
      if (fail) throw new Error('boom');
      return <p>Rendered fine</p>;
    }
    render(
      <ErrorBoundary>
        <Flaky />
      </ErrorBoundary>,
    );
    expect(await screen.findByRole('alert')).toHaveTextContent('Something went wrong');
    fail = false;
    await userEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(await screen.findByText('Rendered fine')).toBeInTheDocument();
  });
});
