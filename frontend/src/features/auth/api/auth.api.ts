import type { AuthResponse, LoginInput, RegisterInput, User } from '@primo/api/contract/wire';
import { acceptAuthResponse, apiRequest, setAccessToken } from '../../../lib/api-client';

export async function register(input: RegisterInput): Promise<User> {
  const response = await apiRequest<AuthResponse>('/auth/register', { method: 'POST', body: input, auth: false });
  return acceptAuthResponse(response);
}

export async function login(input: LoginInput): Promise<User> {
  const response = await apiRequest<AuthResponse>('/auth/login', { method: 'POST', body: input, auth: false });
  return acceptAuthResponse(response);
}

/** Revokes the refresh cookie's token family on the server; the local session ends even if that call fails. */
export async function logout(): Promise<void> {
  try {
    await apiRequest<void>('/auth/logout', { method: 'POST', body: {}, auth: false });
  } finally {
    setAccessToken(null);
  }
}
