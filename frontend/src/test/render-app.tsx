import { render } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { App } from '../app/app';

/** Renders the whole app at `path`, exactly as the browser would after loading that address. */
export function renderApp(path: string) {
  window.history.replaceState(null, '', path);
  const user = userEvent.setup();
  return { user, ...render(<App />) };
}
