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
import { keyRedactor } from "./redact.js";
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
const MAX_REDIRECTS = 5;
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

function describeCause(cause: unknown): string {
  const inner = (cause as { cause?: { code?: unknown } } | undefined)?.cause;
  const code = typeof inner?.code === "string" ? inner.code : undefined;
  const message = cause instanceof Error ? String(cause.message) : String(cause);
  return code ? `${code} (${message})` : message;
}

/** Builds the fetch function that openapi-fetch calls. @internal */
export function createTransport(config: TransportConfig): Transport {
  const { logger, apiKey } = config;
  const redact = keyRedactor(apiKey);

  // A server or proxy that echoes the request could put the key into a response
  // header; every answer and error is built from these headers instead.
  function safeHeaders(headers: Headers): Headers {
    let echoed = false;
    headers.forEach((value, name) => {
      echoed ||= redact(value) !== value || redact(name) !== name;
    });
    if (!echoed) return headers;
    const out = new Headers();
    headers.forEach((value, name) => {
      // "[redacted]" is not a valid header name; the name keeps what it can.
      const safeName = redact(name).replace(/[^!#$%&'*+.^_`|~0-9a-z-]/gi, "");
      out.append(safeName || "x-redacted", redact(value));
    });
    return out;
  }

  // The caller's own abort reason is kept as given, unless it carries the key.
  function abortCause(reason: unknown): unknown {
    let json = "";
    try {
      json = JSON.stringify(reason) ?? "";
    } catch {}
    const text = `${describeCause(reason)} ${String((reason as { stack?: unknown } | null)?.stack ?? "")} ${json}`;
    return redact(text) === text ? reason : safeCause(reason);
  }

  // A custom fetch (or an instrumentation wrapper) may put the request's headers
  // anywhere in what it throws: the message, a nested cause, a `config` or
  // `request` property. So the cause kept on our error is always a copy holding
  // only name, message, code, stack and cause, each redacted, never the original.
  function safeCause(cause: unknown, depth = 0): unknown {
    if (cause === undefined || cause === null) return cause;
    if (depth > 4) return new Error("[cause chain truncated]");
    const { name, message, code, stack, cause: inner } = cause as Record<string, unknown>;
    const clean = new Error(redact(typeof message === "string" ? message : String(cause)));
    clean.name = typeof name === "string" ? redact(name) : "Error";
    clean.stack = typeof stack === "string" ? redact(stack) : `${clean.name}: ${clean.message}`;
    const copy: { code?: string; cause?: unknown } = clean;
    if (typeof code === "string") copy.code = redact(code);
    if (inner !== undefined) copy.cause = safeCause(inner, depth + 1);
    return clean;
  }

  function finalFailure(
    failure: AttemptFailure,
    info: RequestInfo,
    attempts: number,
    timeoutMs: number,
  ): APIConnectionError {
    const cause = safeCause(failure.cause);
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
      headers: safeHeaders(response.headers),
      body: undefined,
      code,
      message: redact(message),
      request: info,
      attempts,
    });
  }

  async function readCapped(
    response: Response,
    cap: number,
    info: RequestInfo,
    attempts: number,
  ): Promise<Uint8Array<ArrayBuffer> | null> {
    if (!response.body) return null;
    const tooLarge = () =>
      refuse(
        response,
        "RESPONSE_TOO_LARGE",
        `the answer's body is larger than the ${cap}-byte limit (maxResponseBytes)`,
        info,
        attempts,
      );
    const declared = response.headers.get("content-length");
    const encoding = response.headers.get("content-encoding");
    if (declared !== null && /^\d+$/.test(declared)) {
      if (Number(declared) > cap) {
        await response.body.cancel().catch(() => {});
        throw tooLarge();
      }
      // Without a content coding, HTTP framing stops at Content-Length, so the cap
      // holds. A compressed body's Content-Length is its compressed size: count it.
      if (encoding === null || encoding === "identity")
        return new Uint8Array(await response.arrayBuffer());
    }
    const reader = response.body.getReader();
    const chunks: Uint8Array<ArrayBuffer>[] = [];
    let total = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > cap) {
        await reader.cancel().catch(() => {});
        throw tooLarge();
      }
      chunks.push(value);
    }
    if (chunks.length === 1) return chunks[0] as Uint8Array<ArrayBuffer>;
    const out = new Uint8Array(total);
    let offset = 0;
    for (const chunk of chunks) {
      out.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return out;
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
          throw new APIUserAbortError({ cause: abortCause(userSignal.reason), request: info });
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
          const { origin } = addressed;
          // An opaque redirect (browsers) hides its Location: nothing to check, so refuse.
          const location = response.headers.get("location");
          let target: URL | undefined;
          try {
            target = location === null ? undefined : new URL(location, url);
          } catch {
            target = undefined;
          }
          // Follow only what keeps the request as it was: same origin, no
          // credentials in the URL, and the same method (a 303, or a 301/302 of
          // anything but a GET, would turn it into a GET that "succeeds"). A request
          // may follow a move of the API's base path, never to another resource: a
          // PATCH of one connector redirected to another would change the wrong
          // phone line, and a read would answer for another agent.
          const read = method === "GET" || method === "HEAD";
          const why = !target
            ? "a redirect whose target cannot be read"
            : target.origin !== origin
              ? `a redirect to another origin (${target.origin}); the API key is only ever sent to ${origin}`
              : target.username || target.password
                ? "a redirect to a URL with credentials"
                : !read &&
                    (response.status === 301 || response.status === 302 || response.status === 303)
                  ? `a ${response.status} redirect, which would turn ${method} into GET`
                  : !target.pathname.endsWith(addressed.pathname)
                    ? `a redirect of a ${method} to another resource (${target.pathname}); a request goes only where it was addressed`
                    : hops >= MAX_REDIRECTS
                      ? `more than ${MAX_REDIRECTS} redirects`
                      : undefined;
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
        const headers = safeHeaders(response.headers);
        const bytes = await network(readCapped(response, config.maxResponseBytes, info, attempts));
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
        throw new APIUserAbortError({ cause: abortCause(userSignal.reason), request: info });
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
          throw new APIUserAbortError({ cause: abortCause(reason), request: info });
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
            throw new APIUserAbortError({ cause: abortCause(reason), request: info });
          });
          continue;
        }
      }
      answers.set(response, { attempts: n, request: info });
      return response;
    }
  };
}
