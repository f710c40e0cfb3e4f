import type { Project } from '@primo/api/contract/wire';
import { useEffect, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { Button } from '../../../components/ui/button';
import { Link } from '../../../components/ui/links';
import { CenteredPage } from '../../../components/ui/panel';
import { ApiError } from '../../../lib/api-client';
import { describeError } from '../../../lib/describe-error';
import { SessionCheck, useAuth } from '../../auth';
import { acceptInvitation } from '../api/project-changes.api';

/**
 * One acceptance per token for the life of the page: a token is single use, so a second POST (a
 * remount, say) would be refused although the first one joined. A failed attempt is forgotten, so
 * Retry, or signing in as someone else, asks again.
 */
const attempts = new Map<string, Promise<Project>>();
function acceptOnce(token: string): Promise<Project> {
  let attempt = attempts.get(token);
  if (!attempt) {
    attempt = acceptInvitation(token);
    attempts.set(token, attempt);
    attempt.catch(() => attempts.delete(token));
  }
  return attempt;
}

const linkButtonClass =
  'inline-flex min-h-10 items-center justify-center rounded-sm border px-4 py-2 font-medium hover:bg-surface-2';

/**
 * `/invite/:token`: a signed-out person signs in or up first (the address is kept through it); a
 * signed-in one joins the project and lands in it.
 */
export function InvitePage() {
  const { token = '' } = useParams();
  const auth = useAuth();
  const navigate = useNavigate();
  const [failure, setFailure] = useState<{ error: unknown } | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (auth.status !== 'signed-in') return;
    let active = true;
    acceptOnce(token).then(
      (project) => {
        if (active) navigate(`/tasks?project=${project.id}`, { replace: true, state: { joined: project.id } });
      },
      (error: unknown) => {
        if (active) setFailure({ error });
      },
    );
    return () => {
      active = false;
    };
  }, [auth.status, token, attempt, navigate]);

  if (auth.status === 'checking') return <SessionCheck />;

  if (auth.status === 'signed-out') {
    const next = encodeURIComponent(`/invite/${token}`);
    return (
      <CenteredPage card>
        <h1 className="mb-4 text-lg font-bold">You are invited to a project on Primo</h1>
        <p className="mb-6">
          Sign in, or create an account, with the email address the invitation was sent to. You join the project right
          after.
        </p>
        <div className="flex flex-wrap gap-3">
          <Link to={`/signin?next=${next}`} className={`${linkButtonClass} border-primary bg-primary text-on-primary`}>
            Sign in
          </Link>
          <Link to={`/signup?next=${next}`} className={`${linkButtonClass} border-border bg-surface`}>
            Create an account
          </Link>
        </div>
      </CenteredPage>
    );
  }

  if (!failure) {
    return (
      <CenteredPage aria-busy="true">
        <p role="status" className="text-muted">
          Joining the project…
        </p>
      </CenteredPage>
    );
  }

  const unusable = failure.error instanceof ApiError && failure.error.status === 404;
  return (
    <CenteredPage card>
      <h1 className="mb-4 text-lg font-bold">
        {unusable ? 'This invitation cannot be used' : 'The invitation could not be accepted'}
      </h1>
      <p role="alert" className="mb-4 rounded-sm border-l-4 border-danger bg-danger-bg p-3">
        {unusable
          ? 'This invitation is not valid any more or was sent to another address.'
          : describeError(failure.error)}
      </p>
      {unusable && (
        <p className="mb-6">
          An invitation works once, for 7 days, and only for the address it was sent to. You are signed in as{' '}
          <strong className="wrap-anywhere">{auth.user?.email}</strong>. Ask the project’s owner for a new link, or sign
          in with the invited address.
        </p>
      )}
      <div className="flex flex-wrap gap-3">
        {unusable ? (
          <Button onClick={() => void auth.signOut()}>Sign in with another account</Button>
        ) : (
          <Button
            variant="primary"
            onClick={() => {
              setFailure(null);
              setAttempt((count) => count + 1);
            }}
          >
            Retry
          </Button>
        )}
        <Link to="/tasks" className={`${linkButtonClass} border-border bg-surface`}>
          Go to your tasks
        </Link>
      </div>
    </CenteredPage>
  );
}
