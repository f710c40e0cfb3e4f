/**
 * Idempotency keys for creates. A create sent again unchanged (a retry after no answer or a 5xx)
 * carries the key of the attempt before it, so the server answers with the first result instead of
 * writing a second record; a create whose input changed is a new request and gets a new key (the
 * server refuses a known key with a different body). After a success the next create starts afresh.
 */
export interface CreateKeys {
  /** The key to send with this input. */
  keyFor(input: unknown): string;
  /** The create succeeded: forget its key. */
  settled(): void;
}

export function createKeys(newKey: () => string = () => crypto.randomUUID()): CreateKeys {
  let last: { body: string; key: string } | null = null;
  return {
    keyFor(input) {
      const body = JSON.stringify(input);
      if (last?.body !== body) last = { body, key: newKey() };
      return last.key;
    },
    settled() {
      last = null;
    },
  };
}
