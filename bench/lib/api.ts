/** Primo's JSON API from a bench script: one call, answering its parsed body; a non-2xx answer throws. */
export async function call<T>(base: string, method: string, route: string, token: string | null, body?: object) {
  const response = await fetch(`${base}/api/v1${route}`, {
    method,
    headers: {
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${method} ${route} answered ${response.status}: ${text}`);
  return (text === '' ? null : JSON.parse(text)) as T;
}

export interface BenchAccount {
  id: string;
  email: string;
  token: string;
}

/** Registers a fresh account named `name` (a unique address each time). */
export async function register(base: string, name: string): Promise<BenchAccount> {
  const body = await call<{ user: { id: string; email: string }; accessToken: string }>(
    base,
    'POST',
    '/auth/register',
    null,
    { email: `${name}-${Date.now()}@bench.test`, name, password: 'bench-password-123' },
  );
  return { id: body.user.id, email: body.user.email, token: body.accessToken };
}
