// One class per failure family, so callers can `catch (e) { if (e instanceof
// NotFoundError) … }` without reading status codes. Messages are built from values
// we control or that the transport and connectors have scrubbed of the API key.

/** Base class of every error this package throws. */
export class PolyAIError extends Error {
  override name = "PolyAIError";
  /**
   * What `JSON.stringify(err)` shows: the message (an Error's own is not
   * enumerable) and every field, headers as a plain object, for structured logs.
   */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { message: this.message };
    for (const [key, value] of Object.entries(this))
      out[key] = value instanceof Headers ? Object.fromEntries(value) : value;
    return out;
  }
}

/**
 * A value the caller passed is not acceptable; thrown before any request is sent.
 * `field` names the offending input (`"voiceName"`, `"updates[2].connectorId"`).
 */
export class InvalidInputError extends PolyAIError {
  override name = "InvalidInputError";
  /** The input that was rejected, as a path into the call's arguments (the first, when several were). */
  readonly field: string;
  /** Why it was rejected, without the field name (the first problem's, when there are several). */
  readonly reason: string;
  /**
   * #22: every problem found, each with its path (and its line, when the input was
   * a file's text). A check that stops at the first problem lists that one alone;
   * a desired state's check lists them all (up to a cap, then `more` counts the rest).
   */
  readonly errors: readonly InputProblem[];
  /** Problems found beyond those in `errors` (a cap keeps the list readable). */
  readonly more: number;
  constructor(field: string, reason: string, errors?: readonly InputProblem[], more = 0) {
    const list = errors && errors.length > 0 ? errors : [{ path: field, message: reason }];
    super(list.length === 1 && more === 0 ? `${field}: ${reason}` : listProblems(list, more));
    this.field = field;
    this.reason = reason;
    this.errors = list;
    this.more = more;
  }
}

/** One problem of an input: where (a path, and a line in a file when known) and what. */
export interface InputProblem {
  /** The path into the input: `connectors.CONN-main.voiceName`. */
  readonly path: string;
  /** What is wrong, without the path. */
  readonly message: string;
  /** The line in the file the input was read from, from 1, when known. */
  readonly line?: number | undefined;
  /** Stable, to branch on: `INVALID_VALUE`, `UNKNOWN_KEY`, `REQUIRED`, `DUPLICATE_KEY`, … */
  readonly code?: string | undefined;
}

/** #22: several problems as one message, one per line. */
function listProblems(list: readonly InputProblem[], more: number): string {
  const total = list.length + more;
  const lines = list.map(
    (p) => `  ${p.path}: ${p.message}${p.line === undefined ? "" : ` (line ${p.line})`}`,
  );
  if (more > 0) lines.push(`  and ${more} more`);
  return `${total} problems:\n${lines.join("\n")}`;
}

/** Where a request went, for error messages and logs. Never carries headers. */
export interface RequestInfo {
  readonly method: string;
  readonly url: string;
  /** The `X-PolyAI-Correlation-Id` the call sent, the same on every retry. */
  readonly correlationId?: string | undefined;
}

/** Fields of {@link APIError} that the transport and response parser fill in. */
export interface APIErrorInit {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
  readonly request?: RequestInfo | undefined;
  readonly attempts?: number | undefined;
  /** Overrides the message derived from the body. */
  readonly message?: string | undefined;
  /** Overrides the code derived from the body. */
  readonly code?: string | undefined;
  /** What the caller may do about it, appended to the message. */
  readonly hint?: string | undefined;
}

const CORRELATION_HEADER = "x-polyai-correlation-id";

/** ` (PATCH https://…)`: where a request went, for a message; empty when unknown. */
function where(request: RequestInfo | undefined): string {
  return request ? ` (${request.method} ${request.url})` : "";
}

/** ` after 3 attempts`, for a message; empty after one. */
function afterAttempts(attempts: number): string {
  return attempts > 1 ? ` after ${attempts} attempts` : "";
}

function describeBody(body: unknown): {
  code: string | undefined;
  errorId: string | undefined;
  detail: string;
} {
  if (body && typeof body === "object" && !Array.isArray(body)) {
    const b = body as Record<string, unknown>;
    const str = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);
    const detail = str(b["error_message"]) ?? str(b["error"]) ?? str(b["message"]) ?? "";
    return { code: str(b["error_code"]), errorId: str(b["error_id"]), detail };
  }
  if (typeof body === "string" && body.trim() !== "") {
    const text = body.replace(/\s+/g, " ").trim();
    const kind = /^<(!doctype|html)/i.test(text) ? "an HTML page" : "a non-JSON body";
    return {
      code: undefined,
      errorId: undefined,
      detail: `${kind}: ${JSON.stringify(text.slice(0, 160))}`,
    };
  }
  const empty =
    body === undefined || body === null || (typeof body === "string" && body.trim() === "");
  return {
    code: undefined,
    errorId: undefined,
    detail: empty
      ? "an empty body"
      : `a JSON ${Array.isArray(body) ? "array" : typeof body} instead of PolyAI's error envelope`,
  };
}

/**
 * The API answered, but not with success. Subclasses name the status family;
 * `code` is PolyAI's `error_code` and `errorId` the correlation id to quote to
 * support.
 */
export class APIError extends PolyAIError {
  override name = "APIError";
  /** HTTP status of the answer (0 when the answer had none, as for an opaque redirect). */
  readonly status: number;
  /** PolyAI's `error_code`, when the body carried one. */
  readonly code: string | undefined;
  /** PolyAI's `error_id`, or the `X-PolyAI-Correlation-Id` header. */
  readonly errorId: string | undefined;
  /** The correlation ID the call sent (every retry sent the same); quote it to PolyAI. */
  readonly correlationId: string | undefined;
  /** Headers of the answer. */
  readonly headers: Headers;
  /** The parsed error body, or its text when it was not JSON. */
  readonly body: unknown;
  /** Method and URL of the request that failed. */
  readonly request: RequestInfo | undefined;
  /** How many attempts were made before giving up (1 when not retried). */
  readonly attempts: number;

  constructor(init: APIErrorInit) {
    const { code, errorId, detail } = describeBody(init.body);
    const finalCode = init.code ?? code;
    const id = errorId ?? init.headers.get(CORRELATION_HEADER) ?? undefined;
    const attempts = init.attempts ?? 1;
    const hint = init.hint ? `; ${init.hint}` : "";
    super(
      `${init.status}${finalCode ? ` ${finalCode}` : ""}: ${init.message ?? (detail || "request failed")}${hint}${where(init.request)}${id ? ` [error_id ${id}]` : ""}${afterAttempts(attempts)}`,
    );
    this.status = init.status;
    this.code = finalCode;
    this.errorId = id;
    this.correlationId =
      init.request?.correlationId ?? init.headers.get(CORRELATION_HEADER) ?? undefined;
    this.headers = init.headers;
    this.body = init.body;
    this.request = init.request;
    this.attempts = attempts;
  }
}

/** 400: the request failed the server's validation. */
export class BadRequestError extends APIError {
  override name = "BadRequestError";
}
/** 401: the API key is missing, wrong, revoked, or from another region. */
export class AuthenticationError extends APIError {
  override name = "AuthenticationError";
}
/** 403: the key may not do this. */
export class PermissionDeniedError extends APIError {
  override name = "PermissionDeniedError";
}
/** 404: the agent, connector or phone number does not exist. */
export class NotFoundError extends APIError {
  override name = "NotFoundError";
}
/** 409: the request conflicts with the resource's current state. */
export class ConflictError extends APIError {
  override name = "ConflictError";
}
/** 422: the request was well-formed but cannot be processed. */
export class UnprocessableEntityError extends APIError {
  override name = "UnprocessableEntityError";
}
/** 429: rate limited. `retryAfterMs` is the wait the server asked for, when it said. */
export class RateLimitError extends APIError {
  override name = "RateLimitError";
  /** The server's `Retry-After`, in milliseconds; undefined when absent or unreadable. */
  readonly retryAfterMs: number | undefined;
  constructor(init: APIErrorInit) {
    super(init);
    this.retryAfterMs = parseRetryAfter(init.headers.get("retry-after"));
    // Either longer than the client waits on its own, or the last retry was used: say when to come back.
    if (this.retryAfterMs !== undefined)
      this.message += `; the server asks to retry after ${Math.ceil(this.retryAfterMs / 1000)} s (retryAfterMs)`;
  }
}
/** 5xx: the server (or a proxy in front of it) failed. */
export class InternalServerError extends APIError {
  override name = "InternalServerError";
}

/** The request got no usable answer: DNS, refused or reset connection, TLS failure, a body cut short. */
export class APIConnectionError extends PolyAIError {
  override name = "APIConnectionError";
  /** Method and URL of the request that failed. */
  readonly request: RequestInfo | undefined;
  /** How many attempts were made before giving up. */
  readonly attempts: number;
  /** The correlation ID the call sent, to find it in PolyAI's logs. */
  readonly correlationId: string | undefined;
  constructor(
    message: string,
    options: { cause?: unknown; request?: RequestInfo | undefined; attempts?: number } = {},
  ) {
    const attempts = options.attempts ?? 1;
    super(`${message}${where(options.request)}${afterAttempts(attempts)}`, {
      cause: options.cause,
    });
    this.request = options.request;
    this.attempts = attempts;
    this.correlationId = options.request?.correlationId;
  }
}

/** An attempt took longer than `timeoutMs`. */
export class APITimeoutError extends APIConnectionError {
  override name = "APITimeoutError";
}

/** The caller's `AbortSignal` fired. Never retried. */
export class APIUserAbortError extends PolyAIError {
  override name = "APIUserAbortError";
  /** The call that was cancelled; undefined when it was cancelled before it was built. */
  readonly request: RequestInfo | undefined;
  /** The correlation ID the call sent, if it got that far. */
  readonly correlationId: string | undefined;
  constructor(options: { cause?: unknown; request?: RequestInfo | undefined } = {}) {
    super(`request aborted by the caller${where(options.request)}`, { cause: options.cause });
    this.request = options.request;
    this.correlationId = options.request?.correlationId;
  }
}

const HTTP_DATE =
  /^(?:[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT|[A-Z][a-z]{5,8}, \d{2}-[A-Z][a-z]{2}-\d{2} \d{2}:\d{2}:\d{2} GMT|[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4})$/;

/**
 * `Retry-After` as milliseconds: delta-seconds or an HTTP date. Undefined when
 * absent, negative or unreadable, so a garbled header never means "retry now".
 */
export function parseRetryAfter(
  value: string | null,
  now: number = Date.now(),
): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  // Only the three HTTP-date forms (RFC 9110 5.6.7): Date.parse alone would read
  // garbage such as "Retry 2" as a date in 2001, i.e. "retry now".
  if (!HTTP_DATE.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** Builds the {@link APIError} subclass that matches a status. */
export function errorFromResponse(init: APIErrorInit): APIError {
  const s = init.status;
  if (s === 400) return new BadRequestError(init);
  if (s === 401) return new AuthenticationError(init);
  if (s === 403) return new PermissionDeniedError(init);
  if (s === 404) return new NotFoundError(init);
  if (s === 409) return new ConflictError(init);
  if (s === 422) return new UnprocessableEntityError(init);
  if (s === 429) return new RateLimitError(init);
  if (s >= 500) return new InternalServerError(init);
  return new APIError(init);
}
