// What the client tells its logger and `onRetry` (issue 14): a line per attempt and
// per answer at debug, a line per call at info, a line per retry at warn. Details
// are plain values, never an error object: a logger prints those with their stack.
// A failing hook must not change what the call does, so every call is guarded.
import type { RequestInfo } from "../errors.js";
import type { Logger, RetryEvent } from "../logger.js";

// A caller may add their own credentials through `headers` (a gateway's token, a
// cookie): any header named like one is kept out of logs and the mock's records. @internal
export const CREDENTIAL_HEADER = /auth|key|token|secret|cookie|password|session|signature/i;

/** Headers as a plain object for logs, with credentials replaced. @internal */
export function redactHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    out[name] = CREDENTIAL_HEADER.test(name) ? "[redacted]" : value;
  });
  return out;
}

function guarded(run: () => void): void {
  try {
    run();
  } catch {}
}

/** @internal */
export function reportAttempt(
  logger: Logger | undefined,
  info: RequestInfo,
  attempt: number,
  of: number,
  headers: Headers,
): void {
  if (!logger?.debug) return;
  guarded(() =>
    logger.debug?.(
      `polyai: ${info.method} ${info.url} (attempt ${attempt} of ${of}) correlation id ${info.correlationId}`,
      {
        ...info,
        attempt,
        headers: redactHeaders(headers),
      },
    ),
  );
}

/** One line per answer: each attempt's at debug, the call's last at info. @internal */
export function reportAnswer(
  logger: Logger | undefined,
  info: RequestInfo,
  status: number,
  ms: number,
  attempt: number,
  last: boolean,
): void {
  const log = last ? (logger?.info ?? logger?.debug) : logger?.debug;
  if (!log) return;
  const details = { ...info, status, durationMs: ms, attempt };
  guarded(() =>
    log.call(
      logger,
      `polyai: ${status} ${info.method} ${info.url} in ${ms} ms (attempt ${attempt}, correlation id ${info.correlationId})`,
      details,
    ),
  );
}

/** A call that ends without an answer, at info (else debug): it is a call's last line too. @internal */
export function reportFailure(
  logger: Logger | undefined,
  info: RequestInfo,
  message: string,
): void {
  const log = logger?.info ?? logger?.debug;
  if (!log) return;
  guarded(() =>
    log.call(
      logger,
      `polyai: failed ${info.method} ${info.url}: ${message} (correlation id ${info.correlationId})`,
      {
        ...info,
        error: message,
      },
    ),
  );
}

/** @internal */
export function reportRetry(
  logger: Logger | undefined,
  onRetry: ((event: RetryEvent) => void) | undefined,
  event: RetryEvent,
): void {
  const { error, ...plain } = event;
  const what =
    event.status === undefined ? (error?.message ?? "no answer") : `status ${event.status}`;
  guarded(() =>
    logger?.warn?.(
      `polyai: ${event.method} ${event.url} attempt ${event.attempt} of ${event.maxRetries + 1} failed (${what}); retrying in ${event.delayMs} ms, correlation id ${event.correlationId}`,
      { ...plain, error: error?.message },
    ),
  );
  guarded(() => onRetry?.(event));
}
