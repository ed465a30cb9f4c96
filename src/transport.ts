// The one place where requests meet the network. openapi-fetch builds a Request
// and runs its middleware; this function, passed as its `fetch`, then adds the API
// key, times each attempt, retries transient failures, refuses redirects to other
// origins and reads the answer with a size cap. Raw (`poly.raw`) calls get all of
// this too.
import {
  APIConnectionError,
  APITimeoutError,
  APIUserAbortError,
  type PolyAIError,
  type RequestInfo,
} from "./errors.js";
import {
  AttemptFailure,
  runAttempt,
  type Answer,
  type AttemptContext,
} from "./internal/attempt.js";
import { abortCause, describeCause, safeCause } from "./internal/scrub.js";
import {
  RETRYABLE_STATUSES,
  backoffDelay,
  delayForResponse,
  sleep,
  type BackoffOptions,
} from "./retry.js";

/** What {@link Logger} and `onRetry` are told about a retry. */
export interface RetryEvent {
  /** The attempt that just failed, from 1. */
  readonly attempt: number;
  /** Retries allowed for this call. */
  readonly maxRetries: number;
  /** How long the client waits before the next attempt. */
  readonly delayMs: number;
  readonly method: string;
  readonly url: string;
  /** Status of the failed attempt's answer, when there was one. */
  readonly status: number | undefined;
  /** The failure, when the attempt got no answer (connection error or timeout). */
  readonly error: PolyAIError | undefined;
}

/**
 * Where the client reports what it does. Each request attempt is logged at
 * `debug` (with the `x-api-key` header redacted), each retry at `warn`.
 * `console` fits.
 */
export interface Logger {
  debug?(message: string, details?: Record<string, unknown>): void;
  warn?(message: string, details?: Record<string, unknown>): void;
}

/** @internal */
export interface TransportConfig {
  readonly apiKey: string;
  /** The client's one redactor of the key. */
  readonly redact: (text: string) => string;
  readonly fetch: typeof globalThis.fetch;
  readonly maxRetries: number;
  readonly timeoutMs: number;
  readonly backoff: BackoffOptions;
  readonly maxResponseBytes: number;
  readonly onRetry: ((event: RetryEvent) => void) | undefined;
  readonly logger: Logger | undefined;
}

/** Per-call overrides of the client's retry settings. @internal */
export interface CallOverrides {
  readonly maxRetries?: number | undefined;
  readonly timeoutMs?: number | undefined;
  /** The caller's own signal. When the key is present, request.signal is not listened to. */
  readonly signal?: AbortSignal | undefined;
}

/** A request ready to send: what every attempt replays. @internal */
export interface Outgoing {
  readonly method: string;
  readonly url: string;
  /** The caller's headers; the transport adds the key and `Accept`. */
  readonly headers: Headers;
  /** The body's bytes, replayed byte for byte on every attempt. */
  readonly body: Uint8Array<ArrayBuffer> | undefined;
}

/** The final answer of a call, read whole, with the attempts it took. @internal */
export interface Delivered extends Answer {
  readonly attempts: number;
  readonly request: RequestInfo;
}

/**
 * The transport. As a function it is openapi-fetch's `fetch` (for `poly.raw` and for
 * calls that middleware must see); `send` is the same attempts without the
 * Web-standard objects only middleware needs (issue 15).
 * @internal
 */
export interface Transport {
  (request: Request, overrides?: CallOverrides): Promise<Response>;
  send(outgoing: Outgoing, overrides?: CallOverrides): Promise<Delivered>;
}

const answers = new WeakMap<Response, { attempts: number; request: RequestInfo }>();

/** Which request produced this answer, and in how many attempts. @internal */
export function answerInfo(response: Response): {
  attempts: number;
  request: RequestInfo | undefined;
} {
  return answers.get(response) ?? { attempts: 1, request: undefined };
}

// A caller may add their own credentials through `headers` (a gateway's token, a
// cookie): any header named like one is kept out of logs. @internal
export const CREDENTIAL_HEADER = /auth|key|token|secret|cookie|password|session|signature/i;

/** Headers as a plain object for logs, with credentials replaced. */
export function redactHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    out[name] = CREDENTIAL_HEADER.test(name) ? "[redacted]" : value;
  });
  return out;
}

/** The error of the last attempt that got no answer. */
function finalFailure(
  failure: AttemptFailure,
  info: RequestInfo,
  attempts: number,
  timeoutMs: number,
  redact: (text: string) => string,
): APIConnectionError {
  const cause = safeCause(failure.cause, redact);
  if (failure.timedOut)
    return new APITimeoutError(`request timed out after ${timeoutMs} ms`, {
      cause,
      request: info,
      attempts,
    });
  return new APIConnectionError(`connection failed: ${redact(describeCause(failure.cause))}`, {
    cause,
    request: info,
    attempts,
  });
}

/** Tells the logger and `onRetry`; a failing hook must not change what the call does. */
function reportRetry(config: TransportConfig, event: RetryEvent): void {
  try {
    config.logger?.warn?.(
      `polyai: retrying ${event.method} ${event.url} in ${event.delayMs} ms (attempt ${event.attempt + 1} of ${event.maxRetries + 1})`,
      { ...event },
    );
  } catch {}
  try {
    config.onRetry?.(event);
  } catch {}
}

function reportAttempt(
  config: TransportConfig,
  info: RequestInfo,
  n: number,
  of: number,
  headers: Headers,
): void {
  if (!config.logger?.debug) return;
  try {
    config.logger.debug(`polyai: ${info.method} ${info.url} (attempt ${n} of ${of})`, {
      ...info,
      attempt: n,
      headers: redactHeaders(headers),
    });
  } catch {}
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

/** The headers every attempt sends: the caller's, the key, and JSON as the answer wanted. */
function withKey(given: Headers, apiKey: string): Headers {
  const headers = new Headers(given);
  headers.set("x-api-key", apiKey);
  // Proxies in front of the API choose between an HTML and a JSON error page by this.
  if (!headers.has("accept") || headers.get("accept") === "*/*")
    headers.set("accept", "application/json");
  return headers;
}

/** Builds the transport: attempts with retries, as `send` and as a `fetch`. @internal */
export function createTransport(config: TransportConfig): Transport {
  const { redact } = config;
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
    // The URL is in every message and log line: an ID that is the key must not show there.
    const info: RequestInfo = { method: outgoing.method, url: redact(outgoing.url) };
    const headers = withKey(outgoing.headers, config.apiKey);
    const context: AttemptContext = {
      config,
      url: outgoing.url,
      init: { method: outgoing.method, headers, body: outgoing.body },
      signal,
      timeoutMs,
      info,
    };
    for (let n = 1; ; n++) {
      if (signal?.aborted)
        throw new APIUserAbortError({ cause: abortCause(signal.reason, redact), request: info });
      reportAttempt(config, info, n, maxRetries + 1, headers);
      let answer: Answer;
      try {
        answer = await runAttempt(context, n);
      } catch (err) {
        if (!(err instanceof AttemptFailure)) throw err;
        if (n > maxRetries) throw finalFailure(err, info, n, timeoutMs, redact);
        const delayMs = backoffDelay(n, config.backoff);
        const error = finalFailure(err, info, n, timeoutMs, redact);
        reportRetry(config, { attempt: n, maxRetries, delayMs, ...info, status: undefined, error });
        await pause(delayMs, signal, info, redact);
        continue;
      }
      const delayMs =
        n <= maxRetries && RETRYABLE_STATUSES.has(answer.status)
          ? delayForResponse(answer, n, config.backoff)
          : undefined;
      if (delayMs === undefined) return { ...answer, attempts: n, request: info };
      const status = answer.status;
      reportRetry(config, { attempt: n, maxRetries, delayMs, ...info, status, error: undefined });
      await pause(delayMs, signal, info, redact);
    }
  }

  async function transport(request: Request, overrides: CallOverrides = {}): Promise<Response> {
    // Every Request has a signal, even when the caller gave none; the call path says
    // which one is the caller's, so that a signal that can never fire is not listened to.
    const signal = "signal" in overrides ? overrides.signal : request.signal;
    // Read once, replay the same bytes on every attempt.
    const body = request.body ? new Uint8Array(await request.arrayBuffer()) : undefined;
    const { method, url, headers } = request;
    const delivered = await send({ method, url, headers, body }, { ...overrides, signal });
    const nullBody = [204, 205, 304].includes(delivered.status) || !delivered.bytes?.byteLength;
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
