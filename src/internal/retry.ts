// When to try again and how long to wait. Kept apart from the transport so the
// policy can be read (and tested) on its own.
//
// Why retrying is safe here: every write of this API sets absolute values (a PATCH
// of `voiceName: X` gives the same connector however often it is applied), so a
// request whose answer was lost can be sent again. DELETE is the exception in its
// answer, not its effect: see docs/errors-retries-tracing.md, "Retries and timeouts".
import { parseRetryAfter } from "../errors.js";
import type { BackoffOptions } from "../options.js";

/** Statuses worth another attempt: the server or a proxy had a transient problem. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

/** The longest `Retry-After` the client will wait for; a longer one fails with `RateLimitError`. */
export const MAX_RETRY_AFTER_MS = 60_000;

/**
 * Wait before retry number `retry` (1 for the first retry): exponential, capped,
 * with up to 25% jitter taken off so that many clients failing together do not
 * come back together.
 */
export function backoffDelay(
  retry: number,
  backoff: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const initial = backoff.initialMs ?? 500;
  const max = backoff.maxMs ?? 8_000;
  const base = Math.min(max, initial * 2 ** (retry - 1));
  return Math.round(base * (1 - 0.25 * random()));
}

/**
 * The wait a retryable answer asks for: its `Retry-After` when present, else the
 * backoff. `undefined` means "do not retry": the server asked for longer than
 * {@link MAX_RETRY_AFTER_MS}.
 */
export function delayForResponse(
  response: { readonly headers: Headers },
  retry: number,
  backoff?: BackoffOptions,
): number | undefined {
  const asked = parseRetryAfter(response.headers.get("retry-after"));
  if (asked === undefined) return backoffDelay(retry, backoff);
  return asked > MAX_RETRY_AFTER_MS ? undefined : asked;
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
