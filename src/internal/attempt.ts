// One attempt of a request: send it with a deadline, follow only the redirects
// src/internal/redirect.ts allows, and read the answer with the size cap into a
// buffered Response. A failure the network caused is an AttemptFailure, which the
// transport may retry; the SDK's own refusals are typed errors that end the call.
import {
  APIError,
  APIUserAbortError,
  PolyAIError,
  errorFromResponse,
  type RequestInfo,
} from "../errors.js";
import { readCapped } from "./read-capped.js";
import { redirectTarget, refuseRedirect } from "./redirect.js";
import { abortCause, safeHeaders } from "./scrub.js";
import type { Answer, TransportConfig } from "./transport-types.js";

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * Failures another attempt cannot fix (issue 14): a host name that does not
 * resolve, a certificate that does not verify, a runtime that denies the network.
 * `EAI_AGAIN` (a resolver that may answer next time), resets and refusals retry.
 */
const PERMANENT: readonly (readonly [RegExp, string])[] = [
  [/^ENOTFOUND$/, "the host name does not resolve"],
  [
    /^(?:CERT_|ERR_TLS_CERT|UNABLE_TO_(?:GET|VERIFY)|SELF_SIGNED|DEPTH_ZERO)/,
    "the server's certificate does not verify",
  ],
  [/^(?:PermissionDenied|NotCapable|ERR_ACCESS_DENIED)$/, "the runtime denies network access"],
  [/^ERR_SSL_/, "the TLS handshake failed (is the server plain http?)"],
];

/**
 * #23: failures that happen before a request leaves: no connection was made, so
 * the server cannot have acted on it (a refused connection, a resolver that did
 * not answer, no route). A reset, or a socket closed mid-exchange, may come after.
 */
const UNSENT = /^(?:ECONNREFUSED|EAI_AGAIN|ENETUNREACH|EHOSTUNREACH|EADDRNOTAVAIL)$/;

type Cause = { code?: unknown; name?: unknown; cause?: unknown };

/** The error and its causes, at most five deep (a cause may point back at its error). */
function causeChain(err: unknown): Cause[] {
  const chain: Cause[] = [];
  for (let at = err; at && typeof at === "object" && chain.length < 5; at = (at as Cause).cause)
    chain.push(at);
  return chain;
}

/** The first of `patterns` that matches a code or name anywhere in the cause chain. */
function findCause<T>(err: unknown, patterns: readonly (readonly [RegExp, T])[]): T | undefined {
  for (const { code, name } of causeChain(err))
    for (const [pattern, why] of patterns)
      if (
        (typeof code === "string" && pattern.test(code)) ||
        (typeof name === "string" && pattern.test(name))
      )
        return why;
  return undefined;
}

/**
 * #23: whether every error code in the cause chain says nothing was sent. A wrapper
 * may carry a reset beside a refusal (its own retry, say): then the request may
 * have gone out, and one "refused" in the chain must not make it look unsent.
 */
function onlyUnsentCodes(err: unknown): boolean {
  return causeChain(err).every(
    ({ code }) =>
      typeof code !== "string" || UNSENT.test(code) || PERMANENT.some(([p]) => p.test(code)),
  );
}

/** An attempt that got no answer; retried unless `permanent` says why not. @internal */
export class AttemptFailure {
  readonly permanent: string | undefined;
  /** #23: the request certainly never reached the server (what an at-most-once request may retry). */
  readonly unsent: boolean;
  constructor(
    readonly timedOut: boolean,
    readonly cause: unknown,
  ) {
    this.permanent = timedOut ? undefined : findCause(cause, PERMANENT);
    // Every permanent failure (DNS, certificate, TLS, a runtime's refusal) comes before sending.
    this.unsent =
      !timedOut &&
      (this.permanent !== undefined || findCause(cause, [[UNSENT, true]]) === true) &&
      onlyUnsentCodes(cause);
  }
}

/** Statuses whose answer a Response must hold without a body (its constructor throws otherwise). @internal */
export function bodiless(status: number): boolean {
  return status === 204 || status === 205 || status === 304;
}

/** What every attempt of one call shares. @internal */
export interface AttemptContext {
  readonly config: TransportConfig;
  readonly url: string;
  readonly init: {
    readonly method: string;
    readonly headers: Headers;
    readonly body: Uint8Array<ArrayBuffer> | undefined;
  };
  readonly signal: AbortSignal | undefined;
  readonly timeoutMs: number;
  readonly info: RequestInfo;
  /** #23: the request must not take effect twice (`x-sdk-at-most-once`): no redirect is followed. */
  readonly atMostOnce: boolean;
}

/** A refusal whose class follows the status (a 503 too large is still an InternalServerError). */
function refuse(
  ctx: AttemptContext,
  response: Response,
  code: string,
  message: string,
  attempts: number,
): APIError {
  return errorFromResponse({
    status: response.status,
    headers: safeHeaders(response.headers, ctx.config.redact),
    body: undefined,
    code,
    // The message may quote a Location the server chose.
    message: ctx.config.redact(message),
    request: ctx.info,
    attempts,
  });
}

/**
 * A deadline for one attempt: the timeout and the caller's signal abort it, and
 * `guard` makes any work race the abort, so that a fetch that ignores its signal
 * cannot outlive the timeout.
 */
function deadline(ctx: AttemptContext) {
  const controller = new AbortController();
  let timedOut = false;
  let stop: (reason: unknown) => void = () => {};
  const stopped = new Promise<never>((_, reject) => {
    stop = reject;
  });
  stopped.catch(() => {});
  const abort = (reason: unknown) => {
    controller.abort(reason);
    stop(reason);
  };
  const { signal: caller } = ctx;
  const onAbort = () => abort(caller?.reason);
  caller?.addEventListener("abort", onAbort, { once: true });
  if (caller?.aborted) onAbort();
  const timer = setTimeout(() => {
    timedOut = true;
    // The Web-standard reason (as AbortSignal.timeout gives), so a fetch wrapper can tell a timeout from a cancel.
    abort(new DOMException(`attempt timed out after ${ctx.timeoutMs} ms`, "TimeoutError"));
  }, ctx.timeoutMs);
  // Only what the network does is a retryable failure; our own refusals pass through.
  async function guard<T>(work: Promise<T>): Promise<T> {
    try {
      return await Promise.race([work, stopped]);
    } catch (err) {
      if (err instanceof PolyAIError) throw err;
      if (caller?.aborted)
        throw new APIUserAbortError({
          cause: abortCause(caller.reason, ctx.config.redact),
          request: ctx.info,
        });
      throw new AttemptFailure(timedOut, err);
    }
  }
  const end = () => {
    clearTimeout(timer);
    caller?.removeEventListener("abort", onAbort);
  };
  return { signal: controller.signal, guard, end };
}

/** The answer, read whole within the cap, with redacted headers and reason. */
async function buffered(
  ctx: AttemptContext,
  response: Response,
  guard: <T>(work: Promise<T>) => Promise<T>,
  attempts: number,
): Promise<Answer> {
  const { redact, maxResponseBytes: cap } = ctx.config;
  if (response.status < 200 || response.status > 599) {
    await response.body?.cancel().catch(() => {});
    const message = `the answer's status ${response.status} is not an HTTP status the API uses`;
    throw refuse(ctx, response, "INVALID_RESPONSE", message, attempts);
  }
  const headers = safeHeaders(response.headers, redact);
  const tooLarge = () =>
    refuse(
      ctx,
      response,
      "RESPONSE_TOO_LARGE",
      `the answer's body is larger than the ${cap}-byte limit (maxResponseBytes)`,
      attempts,
    );
  const bytes = await guard(readCapped(response, cap, tooLarge));
  return {
    status: response.status,
    // A reason phrase is free text: it may echo the key, and one outside
    // Latin-1 would make a Response constructor throw on a good answer.
    statusText: /^[\t\x20-\x7E\x80-\xFF]*$/.test(response.statusText)
      ? redact(response.statusText)
      : "",
    headers,
    bytes,
  };
}

/** Attempt number `attempts` of the call. @internal */
export async function runAttempt(ctx: AttemptContext, attempts: number): Promise<Answer> {
  const { signal, guard, end } = deadline(ctx);
  const { method, headers, body } = ctx.init;
  // Called unbound: workerd (Cloudflare Workers) throws "Illegal invocation" when fetch
  // runs with `this` set to anything but the global scope (here it was ctx.config).
  const { fetch } = ctx.config;
  let url = ctx.url;
  let addressed: URL | undefined; // only needed when a redirect arrives
  try {
    for (let hops = 0; ; hops++) {
      const response = await guard(
        // Async, so that a custom fetch that throws synchronously is a failed attempt too.
        (async () =>
          fetch(url, {
            method,
            headers,
            body: body ?? null,
            signal,
            redirect: "manual",
          }))(),
      );
      const redirect =
        response.type === "opaqueredirect" ||
        (REDIRECTS.has(response.status) && response.headers.has("location"));
      if (!redirect) return await buffered(ctx, response, guard, attempts);
      await response.body?.cancel().catch(() => {});
      addressed ??= new URL(url);
      // An opaque redirect (browsers) hides its Location: nothing to check, so refuse.
      const target = redirectTarget(response.headers.get("location"), url);
      const why = refuseRedirect({
        method,
        status: response.status,
        addressed,
        target,
        hops,
        atMostOnce: ctx.atMostOnce,
      });
      if (why !== undefined || !target)
        throw refuse(ctx, response, "REDIRECT_REFUSED", `refused to follow ${why}`, attempts);
      url = target.href;
    }
  } finally {
    end();
  }
}
