import { useEffect, useRef, useState, type FormEvent, type ReactElement, type ReactNode } from 'react';
import { useLocation, useSearchParams } from 'react-router';
import { Button } from '../../../components/ui/button';
import { Field } from '../../../components/ui/field';
import { Link } from '../../../components/ui/links';
import { CenteredPage, Notice } from '../../../components/ui/panel';
import { ApiError } from '../../../lib/api-client';
import { describeError } from '../../../lib/describe-error';
import { confirmPasswordReset, requestPasswordReset, verifyEmail } from '../api/account-links.api';
import { useAuth } from '../auth-context';

function Brand({ title }: { title: string }) {
  return (
    <>
      <p className="mb-2 text-xl font-extrabold tracking-tight text-primary" aria-hidden="true">
        Primo
      </p>
      <h1 className="mb-6 text-lg font-bold">{title}</h1>
    </>
  );
}

function FormError({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <p id={id} className="text-sm font-medium text-danger" role="alert">
      {message}
    </p>
  );
}

/** The way on from one of these pages, below what it says. */
function OnwardLink({ to, children }: { to: string; children: ReactNode }) {
  return (
    <p className="mt-4">
      <Link to={to} className="text-primary underline">
        {children}
      </Link>
    </p>
  );
}

/** "Forgot password?": asks for a reset link, and says the same whether or not the address has an account. */
export function ForgotPasswordPage() {
  const [email, setEmail] = useState('');
  const [state, setState] = useState<'idle' | 'sending' | 'sent'>('idle');
  const [error, setError] = useState<{ field?: string; form?: string }>({});

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setState('sending');
    setError({});
    try {
      await requestPasswordReset(email);
      setState('sent');
    } catch (caught) {
      setState('idle');
      if (caught instanceof ApiError && caught.fieldErrors.email) setError({ field: caught.fieldErrors.email });
      else if (caught instanceof ApiError && caught.status === 429)
        setError({ form: 'Too many reset links were asked for. Wait a while, then try again.' });
      else setError({ form: describeError(caught) });
    }
  };

  return (
    <CenteredPage card>
      <Brand title="Reset your password" />
      {state === 'sent' ? (
        <Notice>
          If an account uses <strong>{email}</strong>, a link to choose a new password is on its way. It works once, for
          one hour. Check your spam folder if it does not arrive within a few minutes.
        </Notice>
      ) : (
        <form className="flex flex-col gap-4" onSubmit={onSubmit} noValidate>
          <p className="text-muted">Enter the email address of your account and we will send you a link.</p>
          <Field label="Email" error={error.field}>
            <input
              name="email"
              type="email"
              autoComplete="email"
              value={email}
              onChange={(event) => setEmail(event.target.value)}
              data-autofocus
            />
          </Field>
          <FormError id="forgot-error" message={error.form} />
          <Button type="submit" variant="primary" className="w-full" disabled={state === 'sending'}>
            {state === 'sending' ? 'Sending…' : 'Send the link'}
          </Button>
        </form>
      )}
      <OnwardLink to="/signin">Back to sign in</OnwardLink>
    </CenteredPage>
  );
}

/** The page of a reset link: a new password, then sign in with it. */
export function ResetPasswordPage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [state, setState] = useState<'idle' | 'saving' | 'done'>('idle');
  const [error, setError] = useState<{ password?: string; confirm?: string; form?: string }>({});

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (password !== confirm) {
      setError({ confirm: 'The two passwords differ.' });
      return;
    }
    setState('saving');
    setError({});
    try {
      await confirmPasswordReset(token, password);
      setState('done');
    } catch (caught) {
      setState('idle');
      if (caught instanceof ApiError && caught.fieldErrors.password)
        setError({ password: caught.fieldErrors.password });
      else if (caught instanceof ApiError && caught.status === 400)
        setError({
          form: 'This link cannot be used: it was used already, has expired or was replaced by a newer one.',
        });
      else setError({ form: describeError(caught) });
    }
  };

  if (!token) {
    return (
      <CenteredPage card>
        <Brand title="Choose a new password" />
        <Notice>This page needs the link from the reset email. Open the link again, or ask for a new one.</Notice>
        <OnwardLink to="/forgot-password">Ask for a new link</OnwardLink>
      </CenteredPage>
    );
  }

  return (
    <CenteredPage card>
      <Brand title="Choose a new password" />
      {state === 'done' ? (
        <>
          <Notice>Your password is changed. Every device was signed out; sign in with the new password.</Notice>
          <OnwardLink to="/signin">Sign in</OnwardLink>
        </>
      ) : (
        <form className="flex flex-col gap-4" onSubmit={onSubmit} noValidate>
          <Field label="New password" error={error.password} hint="At least 8 characters.">
            <input
              name="password"
              type="password"
              autoComplete="new-password"
              value={password}
              onChange={(event) => setPassword(event.target.value)}
              data-autofocus
            />
          </Field>
          <Field label="Repeat the new password" error={error.confirm}>
            <input
              name="confirm"
              type="password"
              autoComplete="new-password"
              value={confirm}
              onChange={(event) => setConfirm(event.target.value)}
            />
          </Field>
          <FormError id="reset-error" message={error.form} />
          {error.form && (
            <Link to="/forgot-password" className="text-primary underline">
              Ask for a new link
            </Link>
          )}
          <Button type="submit" variant="primary" className="w-full" disabled={state === 'saving'}>
            {state === 'saving' ? 'Saving…' : 'Save the new password'}
          </Button>
        </form>
      )}
    </CenteredPage>
  );
}

/** The page of a verification link: confirms the address at once, signed in or not. */
export function VerifyEmailPage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const auth = useAuth();
  const [state, setState] = useState<'checking' | 'verified' | 'invalid' | 'failed'>(token ? 'checking' : 'invalid');
  const [error, setError] = useState('');
  const [attempt, setAttempt] = useState(0);
  const sent = useRef<string | null>(null);

  useEffect(() => {
    // A token is spent by its first use: one request per token and attempt, even under StrictMode.
    const key = `${token}:${attempt}`;
    if (!token || sent.current === key) return;
    sent.current = key;
    verifyEmail(token).then(
      () => setState('verified'),
      (caught: unknown) => {
        if (caught instanceof ApiError && caught.status === 400) setState('invalid');
        else {
          setError(describeError(caught));
          setState('failed');
        }
      },
    );
  }, [token, attempt]);

  const onward =
    auth.status === 'signed-in' ? { to: '/tasks', label: 'Go to your tasks' } : { to: '/signin', label: 'Sign in' };
  return (
    <CenteredPage card>
      <Brand title="Confirm your email address" />
      <div role="status">
        {state === 'checking' && <p className="text-muted">Confirming…</p>}
        {state === 'verified' && <Notice>Thank you: your email address is confirmed.</Notice>}
        {state === 'invalid' && (
          <Notice>
            This link cannot be used: it was used already or has expired. Signed in, you can have a new one sent from
            the banner at the top of your tasks.
          </Notice>
        )}
        {state === 'failed' && <Notice>The address could not be confirmed. {error}</Notice>}
      </div>
      {state === 'failed' && (
        <Button className="mt-4" onClick={() => setAttempt((n) => n + 1)}>
          Try again
        </Button>
      )}
      {state !== 'checking' && <OnwardLink to={onward.to}>{onward.label}</OnwardLink>}
    </CenteredPage>
  );
}

const PAGES: Record<string, () => ReactElement> = {
  '/forgot-password': ForgotPasswordPage,
  '/reset-password': ResetPasswordPage,
  '/verify-email': VerifyEmailPage,
};

/** The three pages in one chunk, chosen by the address, so the route table carries one loader for them. */
export function AccountLinkPage() {
  const Page = PAGES[useLocation().pathname] ?? ForgotPasswordPage;
  return <Page />;
}
