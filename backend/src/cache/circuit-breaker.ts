export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. */
  failureThreshold: number;
  /** How long the circuit stays open before one trial call is let through. */
  resetTimeoutMs: number;
  /** Clock, replaceable so tests can move time without sleeping. */
  now?: () => number;
  onStateChange?: (state: CircuitState, previous: CircuitState) => void;
}

/** Rejection of a call that was never attempted because the circuit is open. */
export class CircuitOpenError extends Error {
  override name = 'CircuitOpenError';
  constructor() {
    super('circuit breaker is open; the call was not attempted');
  }
}

/**
 * Stops callers from waiting on a dependency that keeps failing: after `failureThreshold`
 * consecutive failures every call is rejected at once for `resetTimeoutMs`, then a single
 * trial call decides whether to close the circuit again or keep it open for another period.
 */
export class CircuitBreaker {
  private current: CircuitState = 'closed';
  private failures = 0;
  private openedAt = 0;
  private trialInFlight = false;
  private readonly now: () => number;

  constructor(private readonly options: CircuitBreakerOptions) {
    if (!Number.isInteger(options.failureThreshold) || options.failureThreshold < 1) {
      throw new RangeError(`failureThreshold must be a whole number ≥ 1, got ${options.failureThreshold}`);
    }
    if (!(options.resetTimeoutMs > 0)) {
      throw new RangeError(`resetTimeoutMs must be > 0, got ${options.resetTimeoutMs}`);
    }
    this.now = options.now ?? Date.now;
  }

  /** The state as of now: an open circuit whose timeout has passed reads as half-open. */
  get state(): CircuitState {
    if (this.current === 'open' && this.now() - this.openedAt >= this.options.resetTimeoutMs) {
      this.transition('half-open');
    }
    return this.current;
  }

  /** Runs `fn` unless the circuit is open (or half-open with its one trial already running). */
  async execute<T>(fn: () => Promise<T>): Promise<T> {
    const state = this.state;
    if (state === 'open' || (state === 'half-open' && this.trialInFlight)) throw new CircuitOpenError();
    const isTrial = state === 'half-open';
    if (isTrial) this.trialInFlight = true;
    try {
      const result = await fn();
      this.recordSuccess();
      return result;
    } catch (error) {
      this.recordFailure();
      throw error;
    } finally {
      if (isTrial) this.trialInFlight = false;
    }
  }

  recordSuccess(): void {
    this.failures = 0;
    if (this.current !== 'closed') this.transition('closed');
  }

  recordFailure(): void {
    this.failures += 1;
    if (this.current === 'half-open' || (this.current === 'closed' && this.failures >= this.options.failureThreshold)) {
      this.open();
    }
  }

  /** Opens the circuit now, e.g. when the connection itself is known to be gone. */
  open(): void {
    this.openedAt = this.now();
    if (this.current !== 'open') this.transition('open');
  }

  /** Closes the circuit now, e.g. when the connection has just been re-established. */
  reset(): void {
    this.failures = 0;
    if (this.current !== 'closed') this.transition('closed');
  }

  private transition(next: CircuitState): void {
    const previous = this.current;
    this.current = next;
    this.options.onStateChange?.(next, previous);
  }
}
