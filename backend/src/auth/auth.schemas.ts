import { z } from 'zod';

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;
export const NAME_MAX = 100;

export const emailSchema = z
  .string({ error: 'must be a string' })
  .trim()
  .max(254, 'must be at most 254 characters')
  .pipe(z.email({ error: 'must be a valid email address' }))
  .transform((value) => value.toLowerCase());
const password = z
  .string({ error: 'must be a string' })
  .min(PASSWORD_MIN, `must be at least ${PASSWORD_MIN} characters`)
  .max(PASSWORD_MAX, `must be at most ${PASSWORD_MAX} characters`);
const refreshToken = z.string({ error: 'must be a string' }).min(1, 'must not be empty').max(512, 'is too long');

export const registerBody = z.strictObject({
  email: emailSchema,
  password,
  name: z
    .string({ error: 'must be a string' })
    .trim()
    .min(1, 'must not be empty')
    .max(NAME_MAX, `must be at most ${NAME_MAX} characters`),
});

export const loginBody = z.strictObject({
  email: emailSchema,
  // Any length is checked against the hash, so a shorter legacy password still gets a uniform 401.
  password: z
    .string({ error: 'must be a string' })
    .min(1, 'must not be empty')
    .max(PASSWORD_MAX, `must be at most ${PASSWORD_MAX} characters`),
});

/** Body of /refresh and /logout: the token may instead come from the refresh cookie. */
export const refreshBody = z.strictObject({ refreshToken: refreshToken.optional() });

const linkToken = z.string({ error: 'must be a string' }).trim().min(1, 'must not be empty').max(512, 'is too long');

export const passwordResetBody = z.strictObject({ email: emailSchema });
export const passwordResetConfirmBody = z.strictObject({ token: linkToken, password });
export const verifyEmailBody = z.strictObject({ token: linkToken });

/** The answer to every well-formed reset request, whether the address has an account or not. */
export const PASSWORD_RESET_ACCEPTED = {
  status: 'accepted',
  detail: 'If an account uses this address, a link to choose a new password is on its way. It works for one hour.',
} as const;
export const acceptedSchema = z.object({ status: z.literal('accepted'), detail: z.string() });

export const userSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  createdAt: z.string(),
  /** Whether the address was confirmed through the link mailed to it. */
  emailVerified: z.boolean(),
});

export const authResponseSchema = z.object({
  user: userSchema,
  accessToken: z.string(),
  refreshToken: z.string(),
});

export const meResponseSchema = z.object({ user: userSchema });

export type RegisterInput = z.input<typeof registerBody>;
export type LoginInput = z.input<typeof loginBody>;
export type User = z.infer<typeof userSchema>;
export type AuthResponse = z.infer<typeof authResponseSchema>;
