export interface LruStoreOptions<V> {
  maxEntries: number;
  /** Upper bound on the summed size of all stored keys and values. */
  maxBytes: number;
  now?: () => number;
  /** Size of a value in bytes; strings count their UTF-8 length. */
  sizeOf?: (value: V) => number;
}

interface Entry<V> {
  value: V;
  bytes: number;
  expiresAt: number;
}

const byteLength = (value: unknown): number =>
  typeof value === 'string' ? Buffer.byteLength(value) : Buffer.isBuffer(value) ? value.length : 0;

/**
 * An in-process cache (of strings unless told otherwise) bounded by entry count and total bytes, evicting the least
 * recently used entries first; each entry also expires after its own TTL.
 */
export class LruStore<V = string> {
  private readonly entries = new Map<string, Entry<V>>();
  private bytes = 0;
  private readonly now: () => number;
  private readonly sizeOf: (value: V) => number;

  constructor(private readonly options: LruStoreOptions<V>) {
    if (options.maxEntries < 1 || options.maxBytes < 1) {
      throw new RangeError(
        `LruStore bounds must be ≥ 1, got ${options.maxEntries} entries / ${options.maxBytes} bytes`,
      );
    }
    this.now = options.now ?? Date.now;
    this.sizeOf = options.sizeOf ?? byteLength;
  }

  get size(): number {
    return this.entries.size;
  }

  get totalBytes(): number {
    return this.bytes;
  }

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.remove(key, entry);
      return undefined;
    }
    // Re-inserting moves the key to the end of the Map's insertion order: the most recently used.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Stores `value` for `ttlMs`; a value larger than the whole byte budget is not stored. */
  set(key: string, value: V, ttlMs: number): boolean {
    const bytes = this.sizeOf(value) + Buffer.byteLength(key);
    const existing = this.entries.get(key);
    if (existing !== undefined) this.remove(key, existing);
    if (bytes > this.options.maxBytes) return false;
    this.entries.set(key, { value, bytes, expiresAt: this.now() + ttlMs });
    this.bytes += bytes;
    for (const [oldestKey, oldest] of this.entries) {
      if (this.entries.size <= this.options.maxEntries && this.bytes <= this.options.maxBytes) break;
      this.remove(oldestKey, oldest);
    }
    return true;
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (entry !== undefined) this.remove(key, entry);
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  private remove(key: string, entry: Entry<V>): void {
    this.entries.delete(key);
    this.bytes -= entry.bytes;
  }
}
