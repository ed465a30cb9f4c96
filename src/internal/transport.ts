// The one place where requests meet the network. openapi-fetch builds a Request
// and runs its middleware; this function, passed as its `fetch`, then adds the API
// key, times each attempt, retries transient failures, refuses redirects to other
// origins and reads the answer with a size cap. Raw (`poly.raw`) calls get all of
// this too.
import { CallOutcomeUnknownError } from "../call-outcome-unknown-error.js";
import {
  APIConnectionError,
  APIError,
  APITimeoutError,
  APIUserAbortError,
  InvalidInputError,
  PolyAIError,
  type RequestInfo,
} from "../errors.js";
import { atMostOnceFor, mayHaveActed, retriesStatus, type AtMostOnce } from "./at-most-once.js";
import { AttemptFailure, bodiless, runAttempt, type AttemptContext } from "./attempt.js";
import { reportAnswer, reportAttempt, reportFailure, reportRetry } from "./report.js";
import { backoffDelay, delayForResponse, sleep } from "./retry.js";
import { abortCause, describeCause, safeCause } from "./scrub.js";
import type {
  Answer,
  CallOverrides,
  Delivered,
  Outgoing,
  Transport,
  TransportConfig,
} from "./transport-types.js";

const answers = new WeakMap<Response, { attempts: number; request: RequestInfo }>();

/** Which request produced this answer, and in how many attempts. @internal */
export function answerInfo(response: Response): {
  attempts: number;
  request: RequestInfo | undefined;
} {
  return answers.get(response) ?? { attempts: 1, request: undefined };
}

/** The error of an attempt that got no answer; `last` adds how many attempts were made. */
function failure(
  failed: AttemptFailure,
  info: RequestInfo,
  attempts: number,
  timeoutMs: number,
  redact: (text: string) => string,
): APIConnectionError {
  const cause = safeCause(failed.cause, redact);
  const init = { cause, request: info, attempts };
  if (failed.timedOut) return new APITimeoutError(`request timed out after ${timeoutMs} ms`, init);
  const why = failed.permanent ? `; not retried: ${failed.permanent}` : "";
  return new APIConnectionError(
    `connection failed: ${redact(describeCause(failed.cause))}${why}`,
    init,
  );
}

/**
 * #23: an at-most-once attempt that failed after its request may have reached the
 * server (a timeout, a reset, the caller's abort, an answer refused mid-read) throws
 * CallOutcomeUnknownError; one that certainly did not returns, to be retried or reported.
 */
function checkOutcome(
  once: AtMostOnce,
  err: unknown,
  info: RequestInfo,
  attempts: number,
  timeoutMs: number,
  redact: (text: string) => string,
): void {
  if (err instanceof AttemptFailure && err.unsent) return;
  if (err instanceof APIError && !mayHaveActed(once, err.status)) return;
  let cause: PolyAIError;
  if (err instanceof AttemptFailure) cause = failure(err, info, 1, timeoutMs, redact);
  else if (err instanceof PolyAIError) cause = err;
  // Anything else came after the fetch answered (a custom fetch's answer that is no
  // Response): the trigger was sent, and a bare TypeError would hide that.
  else
    cause = new APIConnectionError(`the answer could not be read: ${redact(describeCause(err))}`, {
      cause: safeCause(err, redact),
      request: info,
      attempts: 1,
    });
  throw new CallOutcomeUnknownError(cause, { request: info, attempts });
}

/** Waits before the next attempt; the caller's signal cancels the wait at once. */
async function pause(
  ms: number,
  signal: AbortSignal | undefined,
  info: RequestInfo,
  redact: (text: string) => string,
): Promise<void> {
  await sleep(ms, signal).catch((reason: unknown) => {
    throw new APIUserAbortError({ cause: abortCause(reason, redact), request: info });
  });
}

const CORRELATION = "x-polyai-correlation-id";

/**
 * The key for attempt `n`. A provider gets the attempt's deadline: one that never
 * settles must not hang the call past `timeoutMs` or past the caller's abort. One that
 * fails after attempts were sent says so, with the correlation ID they carried.
 */
async function keyFor(
  config: TransportConfig,
  n: number,
  {
    signal,
    timeoutMs,
    info,
  }: { signal: AbortSignal | undefined; timeoutMs: number; info: RequestInfo },
): Promise<string> {
  const key = config.key();
  if (typeof key === "string") return key;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const stop = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new InvalidInputError(
            "apiKey",
            `the key provider did not answer within ${timeoutMs} ms (timeoutMs)`,
          ),
        ),
      timeoutMs,
    );
    onAbort = () =>
      reject(
        new APIUserAbortError({ cause: abortCause(signal?.reason, config.redact), request: info }),
      );
    signal?.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([key, stop]);
  } catch (err) {
    if (!(err instanceof InvalidInputError) || n === 1) throw err;
    throw new InvalidInputError(
      err.field,
      `${err.reason} (before attempt ${n}; ${n - 1} sent with correlation id ${info.correlationId})`,
    );
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener("abort", onAbort);
  }
}

/** A random UUID where the runtime has one, else an equally random v4 string. */
function newCorrelationId(): string {
  const crypto = globalThis.crypto;
  if (typeof crypto?.randomUUID === "function") return crypto.randomUUID();
  const hex = [...Array(32)].map(() => Math.floor(Math.random() * 16).toString(16)).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
}

/** Builds the transport: attempts with retries, as `send` and as a `fetch`. @internal */
export function createTransport(config: TransportConfig): Transport {
  const { redact, logger } = config;
  async function send(outgoing: Outgoing, overrides: CallOverrides = {}): Promise<Delivered> {
    const maxRetries = overrides.maxRetries ?? config.maxRetries;
    const timeoutMs = overrides.timeoutMs ?? config.timeoutMs;
    // A dependent signal of our own, which the caller's holds by a weak reference
    // rather than an "abort" listener: one signal shared by many calls in flight
    // must not collect a listener per call (Node warns past 10), as fetch's Request
    // also arranges.
    const signal =
      overrides.signal && typeof AbortSignal.any === "function"
        ? AbortSignal.any([overrides.signal])
        : overrides.signal;
    const { headers } = outgoing;
    // One ID per call, the same on every retry, so PolyAI's logs find the call.
    const correlationId = headers.get(CORRELATION) || newCorrelationId();
    headers.set(CORRELATION, correlationId);
    // Proxies in front of the API choose between an HTML and a JSON error page by this.
    if (!headers.has("accept") || headers.get("accept") === "*/*")
      headers.set("accept", "application/json");
    // The URL is in every message and log line: an ID that is the key must not show there.
    const info: RequestInfo = { method: outgoing.method, url: redact(outgoing.url), correlationId };
    // #23: a request that must not take effect twice retries only where it had none.
    const once = atMostOnceFor(outgoing.method, outgoing.url);
    const context: AttemptContext = {
      config,
      url: outgoing.url,
      init: { method: outgoing.method, headers, body: outgoing.body },
      signal,
      timeoutMs,
      info,
      atMostOnce: once !== undefined,
    };
    for (let n = 1; ; n++) {
      if (signal?.aborted)
        throw new APIUserAbortError({ cause: abortCause(signal.reason, redact), request: info });
      // Asked before every attempt: a provider may rotate the key between them.
      headers.set("x-api-key", await keyFor(config, n, { signal, timeoutMs, info }));
      reportAttempt(logger, info, n, maxRetries + 1, headers);
      const started = Date.now();
      let answer: Answer;
      try {
        answer = await runAttempt(context, n);
      } catch (err) {
        if (once) checkOutcome(once, err, info, n, timeoutMs, redact);
        if (!(err instanceof AttemptFailure)) throw err;
        if (n > maxRetries || err.permanent) {
          const final = failure(err, info, n, timeoutMs, redact);
          reportFailure(logger, info, final.message);
          throw final;
        }
        const delayMs = backoffDelay(n, config.backoff);
        // The event describes this attempt, so its error does not count attempts.
        const error = failure(err, info, 1, timeoutMs, redact);
        const event = { attempt: n, maxRetries, delayMs, ...info, status: undefined, error };
        reportRetry(logger, config.onRetry, event);
        await pause(delayMs, signal, info, redact);
        continue;
      }
      const delayMs =
        n <= maxRetries && retriesStatus(once, answer.status)
          ? delayForResponse(answer, n, config.backoff)
          : undefined;
      reportAnswer(logger, info, answer.status, Date.now() - started, n, delayMs === undefined);
      if (delayMs === undefined) return { ...answer, attempts: n, request: info };
      const status = answer.status;
      const event = { attempt: n, maxRetries, delayMs, ...info, status, error: undefined };
      reportRetry(logger, config.onRetry, event);
      await pause(delayMs, signal, info, redact);
    }
  }

  async function transport(request: Request, overrides: CallOverrides = {}): Promise<Response> {
    // Every Request has a signal, even when the caller gave none; the call path says
    // which one is the caller's, so that a signal that can never fire is not listened to.
    const signal = "signal" in overrides ? overrides.signal : request.signal;
    // Read once, replay the same bytes on every attempt.
    const body = request.body ? new Uint8Array(await request.arrayBuffer()) : undefined;
    const { method, url } = request;
    // A copy: the Request's own headers stay as openapi-fetch and middleware left them.
    const headers = new Headers(request.headers);
    const delivered = await send({ method, url, headers, body }, { ...overrides, signal });
    const nullBody = bodiless(delivered.status) || !delivered.bytes?.byteLength;
    const response = new Response(nullBody ? null : delivered.bytes, {
      status: delivered.status,
      statusText: delivered.statusText,
      headers: delivered.headers,
    });
    answers.set(response, { attempts: delivered.attempts, request: delivered.request });
    return response;
  }
  return Object.assign(transport, { send });
}
