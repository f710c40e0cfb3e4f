import '@testing-library/jest-dom/vitest';
import { cleanup, configure } from '@testing-library/react';
import { afterEach, vi } from 'vitest';
import { setAccessToken } from '../lib/api-client';

// Route chunks are compiled on first import; under a parallel run that can take more than a second.
configure({ asyncUtilTimeout: 5000 });

afterEach(() => {
  cleanup();
  setAccessToken(null);
  sessionStorage.clear();
  vi.unstubAllGlobals();
  window.history.replaceState(null, '', '/');
});
