import { describe, expect, it } from 'vitest';
import { createKeys } from './idempotency';

describe('createKeys', () => {
  it('repeats the key for a retry of the same input and issues a new one when the input changes', () => {
    const keys = createKeys();
    const first = keys.keyFor({ title: 'Write the report' });
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys.keyFor({ title: 'Write the report' })).toBe(first);
    const edited = keys.keyFor({ title: 'Write the report today' });
    expect(edited).not.toBe(first);
    expect(keys.keyFor({ title: 'Write the report today' })).toBe(edited);
  });

  it('starts a fresh key after the create succeeded, even for identical input', () => {
    const keys = createKeys();
    const first = keys.keyFor({ title: 'Standup' });
    keys.settled();
    expect(keys.keyFor({ title: 'Standup' })).not.toBe(first);
  });
});
