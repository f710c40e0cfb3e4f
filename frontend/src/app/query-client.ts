import { QueryClient } from '@tanstack/react-query';
import { ApiError } from '../lib/api-client';

/** Only transient failures (no answer, 5xx) are retried automatically; a 4xx will not change by asking again. */
export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 15_000,
        retry: (failureCount, error) => error instanceof ApiError && error.isTransient && failureCount < 2,
      },
      mutations: { retry: false },
    },
  });
}
