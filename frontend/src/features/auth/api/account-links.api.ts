import { apiRequest } from '../../../lib/api-client';

/** Asks for a reset link; the answer is the same whether or not the address has an account. */
export async function requestPasswordReset(email: string): Promise<void> {
  await apiRequest<unknown>('/auth/password-reset', { method: 'POST', body: { email }, auth: false });
}

/** Sets a new password with a reset link's token; every session of the account ends. */
export async function confirmPasswordReset(token: string, password: string): Promise<void> {
  await apiRequest<void>('/auth/password-reset/confirm', { method: 'POST', body: { token, password }, auth: false });
}

export async function verifyEmail(token: string): Promise<void> {
  await apiRequest<void>('/auth/verify-email', { method: 'POST', body: { token }, auth: false });
}
