import { describeError } from '../../../lib/describe-error';
import { useAuth } from '../auth-context';

/** What shows while the saved session is being restored, or why it could not be checked. */
export function SessionCheck() {
  const { restoreError, retryRestore } = useAuth();
  if (restoreError) {
    return (
      <main id="main" className="centered-page">
        <div className="panel panel--error" role="alert">
          <p>{describeError(restoreError)}</p>
          <button type="button" className="button" onClick={retryRestore}>
            Retry
          </button>
        </div>
      </main>
    );
  }
  return (
    <main id="main" className="centered-page" aria-busy="true">
      <p className="muted">Loading Primo…</p>
    </main>
  );
}
