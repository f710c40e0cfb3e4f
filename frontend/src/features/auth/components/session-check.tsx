import { Button } from '../../../components/ui/button';
import { CenteredPage, ErrorPanel } from '../../../components/ui/panel';
import { describeError } from '../../../lib/describe-error';
import { useAuth } from '../auth-context';

/** What shows while the saved session is being restored, or why it could not be checked. */
export function SessionCheck() {
  const { restoreError, retryRestore } = useAuth();
  if (restoreError) {
    return (
      <CenteredPage>
        <ErrorPanel>
          <p>{describeError(restoreError)}</p>
          <Button onClick={retryRestore}>Retry</Button>
        </ErrorPanel>
      </CenteredPage>
    );
  }
  return (
    <CenteredPage aria-busy="true">
      <p className="text-muted">Loading Primo…</p>
    </CenteredPage>
  );
}
