// The one place where requests meet the network. openapi-fetch builds a Request
// and runs its middleware; this function, passed as its `fetch`, then adds the API
// key, times each attempt, retries transient failures, refuses redirects to other
// origins and reads the answer with a size cap. Raw (`poly.raw`) calls get all of
// this too.
import {
  APIConnectionError,
  APIError,
  APITimeoutError,
  APIUserAbortError,
  PolyAIError,
  errorFromResponse,
  type RequestInfo,
} from "./errors.js";
import { abortCause, describeCause, safeCause, safeHeaders } from "./internal/scrub.js";
import { readCapped } from "./internal/read-capped.js";
import { redirectTarget, refuseRedirect } from "./internal/redirect.js";
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

/** @internal */
export type Transport = (request: Request, overrides?: CallOverrides) => Promise<Response>;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
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

/** An attempt that got no answer and may be retried. */
class AttemptFailure {
  constructor(
    readonly timedOut: boolean,
    readonly cause: unknown,
  ) {}
}

/** Builds the fetch function that openapi-fetch calls. @internal */
export function createTransport(config: TransportConfig): Transport {
  const { logger, apiKey, redact } = config;

  function finalFailure(
    failure: AttemptFailure,
    info: RequestInfo,
    attempts: number,
    timeoutMs: number,
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

  function refuse(
    response: Response,
    code: string,
    message: string,
    info: RequestInfo,
    attempts: number,
  ): APIError {
    // The class follows the status, so a 503 whose body was too large is still an
    // InternalServerError. The message may quote a Location the server chose.
    return errorFromResponse({
      status: response.status,
      headers: safeHeaders(response.headers, redact),
      body: undefined,
      code,
      message: redact(message),
      request: info,
      attempts,
    });
  }

  async function attempt(
    url: string,
    init: { method: string; headers: Headers; body: Uint8Array<ArrayBuffer> | undefined },
    userSignal: AbortSignal | undefined,
    timeoutMs: number,
    info: RequestInfo,
    attempts: number,
  ): Promise<Response> {
    const controller = new AbortController();
    let timedOut = false;
    let stop: (reason: unknown) => void = () => {};
    // Settles when the attempt is cancelled, so that a fetch that ignores its signal
    // cannot outlive the timeout.
    const stopped = new Promise<never>((_, reject) => {
      stop = reject;
    });
    stopped.catch(() => {});
    const abort = (reason: unknown) => {
      controller.abort(reason);
      stop(reason);
    };
    const onAbort = () => abort(userSignal?.reason);
    userSignal?.addEventListener("abort", onAbort, { once: true });
    if (userSignal?.aborted) onAbort();
    const timer = setTimeout(() => {
      timedOut = true;
      // The Web-standard reason (as AbortSignal.timeout gives), so a fetch wrapper can tell a timeout from a cancel.
      abort(new DOMException(`attempt timed out after ${timeoutMs} ms`, "TimeoutError"));
    }, timeoutMs);
    // Only what the network does is a retryable failure; our own refusals pass through.
    const network = async <T>(work: Promise<T>): Promise<T> => {
      try {
        return await Promise.race([work, stopped]);
      } catch (err) {
        if (err instanceof PolyAIError) throw err;
        if (userSignal?.aborted)
          throw new APIUserAbortError({
            cause: abortCause(userSignal.reason, redact),
            request: info,
          });
        throw new AttemptFailure(timedOut, err);
      }
    };
    try {
      const { method, body } = init;
      let addressed: URL | undefined; // only needed when a redirect arrives
      for (let hops = 0; ; hops++) {
        const response = await network(
          // Async, so that a custom fetch that throws synchronously is a failed attempt too.
          (async () =>
            config.fetch(url, {
              method,
              headers: init.headers,
              body: body ?? null,
              signal: controller.signal,
              redirect: "manual",
            }))(),
        );
        if (
          response.type === "opaqueredirect" ||
          (REDIRECTS.has(response.status) && response.headers.has("location"))
        ) {
          await response.body?.cancel().catch(() => {});
          addressed ??= new URL(url);
          // An opaque redirect (browsers) hides its Location: nothing to check, so refuse.
          const target = redirectTarget(response.headers.get("location"), url);
          const why = refuseRedirect({ method, status: response.status, addressed, target, hops });
          if (why || !target)
            throw refuse(response, "REDIRECT_REFUSED", `refused to follow ${why}`, info, attempts);
          url = target.href;
          continue;
        }
        if (response.status < 200 || response.status > 599) {
          await response.body?.cancel().catch(() => {});
          throw refuse(
            response,
            "INVALID_RESPONSE",
            `the answer's status ${response.status} is not an HTTP status the API uses`,
            info,
            attempts,
          );
        }
        const headers = safeHeaders(response.headers, redact);
        const cap = config.maxResponseBytes;
        const tooLarge = () =>
          refuse(
            response,
            "RESPONSE_TOO_LARGE",
            `the answer's body is larger than the ${cap}-byte limit (maxResponseBytes)`,
            info,
            attempts,
          );
        const bytes = await network(readCapped(response, cap, tooLarge));
        const nullBody =
          response.status === 204 || response.status === 205 || response.status === 304;
        return new Response(nullBody || !bytes || bytes.byteLength === 0 ? null : bytes, {
          status: response.status,
          // A reason phrase is free text: it may echo the key, and one outside
          // Latin-1 would make the Response constructor throw on a good answer.
          statusText: /^[\t\x20-\x7E\x80-\xFF]*$/.test(response.statusText)
            ? redact(response.statusText)
            : "",
          headers,
        });
      }
    } finally {
      clearTimeout(timer);
      userSignal?.removeEventListener("abort", onAbort);
    }
  }

  function retrying(event: RetryEvent): void {
    // A failing hook must not change what the call does.
    try {
      logger?.warn?.(
        `polyai: retrying ${event.method} ${event.url} in ${event.delayMs} ms (attempt ${event.attempt + 1} of ${event.maxRetries + 1})`,
        { ...event },
      );
    } catch {}
    try {
      config.onRetry?.(event);
    } catch {}
  }

  return async function transport(request, overrides = {}) {
    const maxRetries = overrides.maxRetries ?? config.maxRetries;
    const timeoutMs = overrides.timeoutMs ?? config.timeoutMs;
    // Every Request has a signal, even when the caller gave none; the connector
    // methods say which one is theirs so that a signal that can never fire is not listened to.
    const userSignal = "signal" in overrides ? overrides.signal : request.signal;
    // The URL is in every message and log line: an ID that is the key must not show there.
    const info: RequestInfo = { method: request.method, url: redact(request.url) };
    const headers = new Headers(request.headers);
    headers.set("x-api-key", apiKey);
    // Proxies in front of the API choose between an HTML and a JSON error page by this.
    if (!headers.has("accept") || headers.get("accept") === "*/*")
      headers.set("accept", "application/json");
    // Read once, replay the same bytes on every attempt.
    const body = request.body ? new Uint8Array(await request.arrayBuffer()) : undefined;
    const init = { method: request.method, headers, body };

    for (let n = 1; ; n++) {
      if (userSignal?.aborted)
        throw new APIUserAbortError({
            cause: abortCause(userSignal.reason, redact),
            request: info,
          });
      if (logger?.debug) {
        try {
          logger.debug(`polyai: ${info.method} ${info.url} (attempt ${n} of ${maxRetries + 1})`, {
            ...info,
            attempt: n,
            headers: redactHeaders(headers),
          });
        } catch {}
      }
      let response: Response;
      try {
        response = await attempt(request.url, init, userSignal, timeoutMs, info, n);
      } catch (err) {
        if (!(err instanceof AttemptFailure)) throw err;
        if (n > maxRetries) throw finalFailure(err, info, n, timeoutMs);
        const delayMs = backoffDelay(n, config.backoff);
        retrying({
          attempt: n,
          maxRetries,
          delayMs,
          ...info,
          status: undefined,
          error: finalFailure(err, info, n, timeoutMs),
        });
        await sleep(delayMs, userSignal).catch((reason) => {
          throw new APIUserAbortError({ cause: abortCause(reason, redact), request: info });
        });
        continue;
      }
      if (n <= maxRetries && RETRYABLE_STATUSES.has(response.status)) {
        const delayMs = delayForResponse(response, n, config.backoff);
        if (delayMs !== undefined) {
          retrying({
            attempt: n,
            maxRetries,
            delayMs,
            ...info,
            status: response.status,
            error: undefined,
          });
          await sleep(delayMs, userSignal).catch((reason) => {
            throw new APIUserAbortError({ cause: abortCause(reason, redact), request: info });
          });
          continue;
        }
      }
      answers.set(response, { attempts: n, request: info });
      return response;
    }
  };
}
