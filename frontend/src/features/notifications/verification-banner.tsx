import type { User } from '@primo/api/contract/wire';
import { useEffect, useState } from 'react';
import { Button } from '../../components/ui/button';
import { ApiError, apiRequest } from '../../lib/api-client';
import { describeError } from '../../lib/describe-error';

/**
 * Shown in the header until the signed-in user confirms their address: what to do, and a way to
 * get the link again. Part of the first render (from the session's user), so it never pushes the
 * page down once it is on screen.
 */
export function VerificationBanner({ sessionUser }: { sessionUser: User }) {
  const [user, setUser] = useState<User>(sessionUser);
  const [state, setState] = useState<'idle' | 'sending' | 'sent'>('idle');
  const [error, setError] = useState('');
  useEffect(() => {
    // Read fresh as well: the address may have been confirmed in another tab since.
    apiRequest<{ user: User }>('/auth/me').then(
      (answer) => setUser(answer.user),
      () => undefined,
    );
  }, []);
  if (user.emailVerified) return null;

  const resend = async () => {
    setState('sending');
    setError('');
    try {
      const { user: current } = await apiRequest<{ user: User }>('/auth/verify-email/resend', {
        method: 'POST',
        body: {},
      });
      setUser(current);
      setState('sent');
    } catch (caught) {
      setState('idle');
      setError(
        caught instanceof ApiError && caught.status === 429
          ? 'Too many links were asked for; wait a while, then try again.'
          : describeError(caught),
      );
    }
  };

  return (
    <div className="w-full rounded-sm bg-info-bg" role="region" aria-label="Email verification">
      <div className="flex flex-wrap items-center gap-x-4 gap-y-2 px-3 py-2 text-sm">
        <p>
          Please confirm your email address: we sent a link to <strong>{user.email}</strong>.
          {state === 'sent' && ' A new link is on its way.'}
        </p>
        {error && (
          <p className="font-medium text-danger" role="alert">
            {error}
          </p>
        )}
        <Button size="small" disabled={state === 'sending'} onClick={() => void resend()}>
          {state === 'sending' ? 'Sending…' : 'Send the link again'}
        </Button>
      </div>
    </div>
  );
}
