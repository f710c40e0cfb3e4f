import { useEffect, useState, type FormEvent } from 'react';
import { Navigate, useSearchParams } from 'react-router';
import { Link } from '../../../components/ui/links';
import { Button } from '../../../components/ui/button';
import { Field } from '../../../components/ui/field';
import { CenteredPage, Notice } from '../../../components/ui/panel';
import { ApiError } from '../../../lib/api-client';
import { describeError } from '../../../lib/describe-error';
import { useAuth } from '../auth-context';
import { SessionCheck } from './session-check';

type Mode = 'signin' | 'signup';

const copy = {
  signin: {
    title: 'Sign in to Primo',
    submit: 'Sign in',
    busy: 'Signing in…',
    switchText: 'New here?',
    switchLink: 'Create an account',
  },
  signup: {
    title: 'Create your Primo account',
    submit: 'Create account',
    busy: 'Creating account…',
    switchText: 'Already have an account?',
    switchLink: 'Sign in',
  },
} as const;

/** Only same-app paths are followed after sign-in, so a crafted link cannot send anyone elsewhere. */
function safeNext(raw: string | null): string {
  return raw && raw.startsWith('/') && !raw.startsWith('//') ? raw : '/tasks';
}

function errorsFor(mode: Mode, error: unknown): { form?: string; fields: Record<string, string> } {
  if (!(error instanceof ApiError)) return { form: describeError(error), fields: {} };
  const fields = error.fieldErrors;
  if (Object.keys(fields).length > 0) return { fields };
  if (mode === 'signin' && error.status === 401) return { form: 'The email or password is not right.', fields: {} };
  if (mode === 'signup' && error.status === 409)
    return { fields: { email: 'An account with this email already exists.' } };
  return { form: describeError(error), fields: {} };
}

/** The sign-in and sign-up screens: one form, two modes. */
export function AuthPage({ mode }: { mode: Mode }) {
  const auth = useAuth();
  const [params] = useSearchParams();
  const next = safeNext(params.get('next'));
  const [values, setValues] = useState({ name: '', email: '', password: '' });
  const [submitting, setSubmitting] = useState(false);
  const [errors, setErrors] = useState<{ form?: string; fields: Record<string, string> }>({ fields: {} });
  const text = copy[mode];
  // The offline app (service worker, update prompt) starts once this screen is up; without it the
  // app only works online, so a failed load changes nothing else.
  useEffect(() => {
    import('../../offline').then(
      (offline) => offline.startOfflineApp(),
      () => undefined,
    );
  }, []);

  if (auth.status === 'checking') return <SessionCheck />;
  if (auth.status === 'signed-in') return <Navigate to={next} replace />;

  const update = (field: keyof typeof values) => (event: { target: { value: string } }) =>
    setValues((current) => ({ ...current, [field]: event.target.value }));

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setSubmitting(true);
    setErrors({ fields: {} });
    try {
      if (mode === 'signin') await auth.signIn({ email: values.email, password: values.password });
      else await auth.signUp(values);
    } catch (error) {
      setErrors(errorsFor(mode, error));
      setSubmitting(false);
    }
  };

  const switchTo = `${mode === 'signin' ? '/signup' : '/signin'}${params.size ? `?${params.toString()}` : ''}`;

  return (
    <CenteredPage card>
      <p className="mb-2 text-xl font-extrabold tracking-tight text-primary" aria-hidden="true">
        Primo
      </p>
      <h1 className="mb-6 text-lg font-bold">{text.title}</h1>
      {mode === 'signin' && auth.endedReason === 'expired' && (
        <Notice className="mb-4">Your session has ended. Sign in again to pick up where you left off.</Notice>
      )}
      <form
        className="flex flex-col gap-4"
        onSubmit={onSubmit}
        noValidate
        aria-describedby={errors.form ? 'auth-form-error' : undefined}
      >
        {mode === 'signup' && (
          <Field label="Name" error={errors.fields.name}>
            <input name="name" autoComplete="name" value={values.name} onChange={update('name')} data-autofocus />
          </Field>
        )}
        <Field label="Email" error={errors.fields.email}>
          <input name="email" type="email" autoComplete="email" value={values.email} onChange={update('email')} />
        </Field>
        <Field
          label="Password"
          error={errors.fields.password}
          {...(mode === 'signup' ? { hint: 'At least 8 characters.' } : {})}
        >
          <input
            name="password"
            type="password"
            autoComplete={mode === 'signin' ? 'current-password' : 'new-password'}
            value={values.password}
            onChange={update('password')}
          />
        </Field>
        {mode === 'signin' && (
          <Link to="/forgot-password" className="-mt-2 self-end text-sm text-primary underline">
            Forgot password?
          </Link>
        )}
        {errors.form && (
          <p id="auth-form-error" className="text-sm font-medium text-danger" role="alert">
            {errors.form}
          </p>
        )}
        <Button type="submit" variant="primary" className="w-full" disabled={submitting}>
          {submitting ? text.busy : text.submit}
        </Button>
      </form>
      <p className="mt-4 text-muted">
        {text.switchText}{' '}
        <Link to={switchTo} className="text-primary underline">
          {text.switchLink}
        </Link>
      </p>
    </CenteredPage>
  );
}
