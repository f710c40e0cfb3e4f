import { describe, expect, it } from 'vitest';
import { CircuitBreaker, CircuitOpenError, type CircuitState } from '../../src/cache/circuit-breaker.js';

function breakerWithClock(failureThreshold = 3, resetTimeoutMs = 1000) {
  const clock = { now: 0 };
  const transitions: string[] = [];
  const breaker = new CircuitBreaker({
    failureThreshold,
    resetTimeoutMs,
    now: () => clock.now,
    onStateChange: (state: CircuitState, previous: CircuitState) => transitions.push(`${previous}->${state}`),
  });
  return { breaker, clock, transitions };
}

const fail = () => Promise.reject(new Error('boom'));
const succeed = () => Promise.resolve('ok');

describe('CircuitBreaker', () => {
  it('when calls succeed, then it stays closed and returns their results', async () => {
    const { breaker } = breakerWithClock();
    await expect(breaker.execute(succeed)).resolves.toBe('ok');
    expect(breaker.state).toBe('closed');
  });

  it('when failures are fewer than the threshold or not consecutive, then it stays closed', async () => {
    const { breaker } = breakerWithClock(3);
    await expect(breaker.execute(fail)).rejects.toThrow('boom');
    await expect(breaker.execute(fail)).rejects.toThrow('boom');
    await breaker.execute(succeed);
    await expect(breaker.execute(fail)).rejects.toThrow('boom');
    await expect(breaker.execute(fail)).rejects.toThrow('boom');
    expect(breaker.state).toBe('closed');
  });

  it('when the threshold of consecutive failures is reached, then later calls are rejected without running', async () => {
    const { breaker, transitions } = breakerWithClock(2);
    await expect(breaker.execute(fail)).rejects.toThrow('boom');
    await expect(breaker.execute(fail)).rejects.toThrow('boom');
    expect(breaker.state).toBe('open');
    let ran = false;
    await expect(
      breaker.execute(async () => {
        ran = true;
      }),
    ).rejects.toBeInstanceOf(CircuitOpenError);
    expect(ran).toBe(false);
    expect(transitions).toEqual(['closed->open']);
  });

  it('when the reset timeout passes, then one trial runs and its success closes the circuit', async () => {
    const { breaker, clock, transitions } = breakerWithClock(1, 1000);
    await expect(breaker.execute(fail)).rejects.toThrow();
    clock.now = 999;
    expect(breaker.state).toBe('open');
    clock.now = 1000;
    expect(breaker.state).toBe('half-open');
    await expect(breaker.execute(succeed)).resolves.toBe('ok');
    expect(breaker.state).toBe('closed');
    expect(transitions).toEqual(['closed->open', 'open->half-open', 'half-open->closed']);
  });

  it('when half-open, then calls other than the one trial are rejected at once', async () => {
    const { breaker, clock } = breakerWithClock(1, 1000);
    await expect(breaker.execute(fail)).rejects.toThrow();
    clock.now = 1000;
    let release: (value: string) => void = () => undefined;
    const trial = breaker.execute(() => new Promise<string>((resolve) => (release = resolve)));
    await expect(breaker.execute(succeed)).rejects.toBeInstanceOf(CircuitOpenError);
    release('done');
    await expect(trial).resolves.toBe('done');
    await expect(breaker.execute(succeed)).resolves.toBe('ok');
  });

  it('when the half-open trial fails, then the circuit opens for another full timeout', async () => {
    const { breaker, clock } = breakerWithClock(3, 1000);
    for (let i = 0; i < 3; i += 1) await expect(breaker.execute(fail)).rejects.toThrow();
    clock.now = 1500;
    await expect(breaker.execute(fail)).rejects.toThrow('boom');
    expect(breaker.state).toBe('open');
    clock.now = 2499;
    expect(breaker.state).toBe('open');
    clock.now = 2500;
    expect(breaker.state).toBe('half-open');
  });

  it('when reset or opened explicitly, then the state follows at once', async () => {
    const { breaker } = breakerWithClock(5);
    breaker.open();
    expect(breaker.state).toBe('open');
    await expect(breaker.execute(succeed)).rejects.toBeInstanceOf(CircuitOpenError);
    breaker.reset();
    expect(breaker.state).toBe('closed');
    await expect(breaker.execute(succeed)).resolves.toBe('ok');
  });

  it('when given a threshold below 1, then construction fails naming the value', () => {
    expect(() => new CircuitBreaker({ failureThreshold: 0, resetTimeoutMs: 10 })).toThrow(/failureThreshold.*0/);
  });
});
