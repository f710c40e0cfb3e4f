import { ApiError } from './api-client';

/** Formats a wait in words: "30 seconds", "2 minutes". */
export function formatWait(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

/** One sentence a person can act on, for any error an API call may throw. */
export function describeError(error: unknown): string {
  if (!(error instanceof ApiError)) return 'Something went wrong. Please try again.';
  if (error.isNetwork) return 'Primo cannot reach the server. Check your connection, then retry.';
  if (error.status === 429) {
    return error.retryAfterSeconds !== null
      ? `Too many requests. You can try again in ${formatWait(error.retryAfterSeconds)}.`
      : 'Too many requests. Please wait a moment before trying again.';
  }
  if (error.status === 503) {
    const wait = error.retryAfterSeconds !== null ? ` Try again in ${formatWait(error.retryAfterSeconds)}.` : '';
    return `The service is temporarily unavailable.${wait || ' Please retry shortly.'}`;
  }
  if (error.status >= 500) return 'The server ran into a problem. Your input is kept; please retry.';
  if (error.status === 412) return 'This task was changed elsewhere. The latest version is now shown.';
  return error.message;
}
