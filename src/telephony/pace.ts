// #23: a campaign's pace: the clock (injectable, so a test counts triggers per
// window without a wall clock) and the rate gate, which spaces triggers by when
// each is actually sent, so no window of a second holds more than the rate.
import { InvalidInputError } from "../index.js";
import { sleep } from "../internal/retry.js";

/** @internal Time, injectable so a test measures the rate without a wall clock. */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** @internal Date.now and the SDK's retry sleep, ending early (resolved, not thrown) on abort. */
export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => sleep(ms, signal).catch(() => undefined),
};

/**
 * #23 review: `clock` with every sleep ended by `signal` through one listener on it.
 * A listener per sleeper put 11 on the run's signal at `--concurrency 12 --rate`, and
 * Node printed MaxListenersExceededWarning on the CLI's stderr. `release` removes it.
 */
export function sharedAbort(
  clock: Clock,
  signal: AbortSignal | undefined,
): { clock: Clock; release: () => void } {
  if (signal === undefined) return { clock, release: () => undefined };
  const sleepers = new Set<AbortController>();
  const wake = () => sleepers.forEach((s) => s.abort());
  signal.addEventListener("abort", wake, { once: true });
  const sleep = async (ms: number) => {
    const own = new AbortController();
    if (signal.aborted) own.abort();
    sleepers.add(own);
    try {
      await clock.sleep(ms, own.signal);
    } finally {
      sleepers.delete(own);
    }
  };
  return {
    clock: { now: () => clock.now(), sleep },
    release: () => signal.removeEventListener("abort", wake),
  };
}

/** The most triggers per second a campaign may ask for. */
export const MAX_RATE = 1_000;

/** `options.ratePerSecond`, checked. */
export function checkRate(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0 || value > MAX_RATE)
    throw new InvalidInputError(
      "options.ratePerSecond",
      `expected a number of triggers per second above 0 and at most ${MAX_RATE}`,
    );
  return value;
}

/**
 * Spaces triggers at least 1/rate apart, by when each was actually sent; resolves
 * false when `signal` stopped the wait. Without a rate, every call passes at once.
 */
export function rateGate(perSecond: number | undefined, clock: Clock) {
  if (perSecond === undefined) return async () => true;
  const interval = 1000 / perSecond;
  let next = -Infinity;
  return async (signal: AbortSignal | undefined): Promise<boolean> => {
    for (;;) {
      if (signal?.aborted) return false;
      const now = clock.now();
      // Checked and claimed in one synchronous step: the caller sends at once.
      if (now >= next) {
        next = now + interval;
        return true;
      }
      await clock.sleep(next - now, signal);
    }
  };
}
