export interface LruStoreOptions {
  maxEntries: number;
  /** Upper bound on the summed UTF-8 size of all stored keys and values. */
  maxBytes: number;
  now?: () => number;
}

interface Entry {
  value: string;
  bytes: number;
  expiresAt: number;
}

/**
 * An in-process string cache bounded by entry count and total bytes, evicting the least
 * recently used entries first; each entry also expires after its own TTL.
 */
export class LruStore {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;
  private readonly now: () => number;

  constructor(private readonly options: LruStoreOptions) {
    if (options.maxEntries < 1 || options.maxBytes < 1) {
      throw new RangeError(
        `LruStore bounds must be ≥ 1, got ${options.maxEntries} entries / ${options.maxBytes} bytes`,
      );
    }
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  get totalBytes(): number {
    return this.bytes;
  }

  get(key: string): string | undefined {
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
  set(key: string, value: string, ttlMs: number): boolean {
    const bytes = Buffer.byteLength(value) + Buffer.byteLength(key);
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

  private remove(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.bytes -= entry.bytes;
  }
}
