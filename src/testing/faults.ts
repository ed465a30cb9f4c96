// Faults a test queues with failNext: checked when queued, so a mistyped option
// fails the test at the line that wrote it rather than as a confusing answer later.
import { suggestKey, unknownKey } from "../internal/keys.js";
import { describeType } from "../internal/validate.js";
import { operations, type OperationId } from "../../generated/operations.js";

/**
 * One fault to inject into the next request(s), for {@link MockPolyAI.failNext}.
 * With no option set, the next request answers 503 in PolyAI's error envelope.
 *
 * **Aiming.** `operation`, `method` and `path` say which requests the fault is for;
 * all that are set must match. An aimed fault waits in the queue for its first
 * matching request, and requests that do not match pass untouched. Without them
 * the fault takes the next request, whatever it is. Queued faults are considered
 * in the order they were queued: a request takes the first one that matches it.
 *
 * @example
 * mock.failNext({ operation: "batchUpdateConnectors" }); // the write answers 503; the reads before it pass
 * mock.failNext({ method: "PATCH", times: 2 });          // the next two PATCHes answer 503
 * mock.failNext({ path: /\/phone-numbers/, reset: true }); // the next phone-number call is dropped
 * mock.failNext({ status: 503, times: 2 });              // the next two requests answer 503
 * mock.failNext({ status: 429, retryAfter: 1 });         // rate limited, retry in 1 s
 * mock.failNext({ status: 502, body: "<html>Bad gateway</html>", contentType: "text/html" });
 * mock.failNext({ reset: true });                        // connection reset
 * mock.failNext({ operation: "createOutboundCall", processed: true, reset: true }); // call placed, answer lost
 * mock.failNext({ delayMs: 5_000 });                     // hang past the client's timeout
 */
export interface FailNextOptions {
  /**
   * Aim at one operation of the spec, by its operationId (`"batchUpdateConnectors"`,
   * `"getConnector"`, `"importPhoneNumbers"`): the request must route to it. An
   * operationId the spec does not have is refused with a TypeError. Default: any.
   */
  readonly operation?: OperationId | undefined;
  /** Aim at one HTTP method, in any case (`"patch"` is `"PATCH"`). Default: any. */
  readonly method?: string | undefined;
  /**
   * Aim at one path. A string must equal the request's pathname (no query string),
   * as sent (`%2B4420…`) or percent-decoded (`+4420…`); a RegExp is tested on both
   * the same way. Default: any.
   */
  readonly path?: string | RegExp | undefined;
  /** Error status to answer, 400 to 599, in PolyAI's envelope. Default 503. With a raw `body`, 200 to 599. */
  readonly status?: number | undefined;
  /**
   * Queue the same fault this many times (default 1). An aimed fault counts only
   * the requests it matches: `{ method: "PATCH", times: 2 }` fails two PATCHes,
   * however many other requests come between them.
   */
  readonly times?: number | undefined;
  /**
   * `Retry-After`: whole seconds, or an HTTP date string. A 429 without it gets
   * `Retry-After: 1`, because the spec requires the header on every 429.
   */
  readonly retryAfter?: number | string | undefined;
  /**
   * Raw text sent instead of the envelope (an HTML page, truncated JSON). Such
   * answers are deliberately broken and are not checked against the spec.
   */
  readonly body?: string | undefined;
  /** Content type of `body`; default `text/plain; charset=utf-8`. */
  readonly contentType?: string | undefined;
  /** The envelope's `error_code`; default by status (503 → `INTERNAL_SERVER_ERROR`). */
  readonly errorCode?: string | undefined;
  /** The envelope's `error_message`. */
  readonly message?: string | undefined;
  /** Destroy the connection without answering (the client sees a reset). */
  readonly reset?: boolean | undefined;
  /**
   * #23: handle the request first (a write takes effect, a call is placed), then
   * apply the fault to its answer: with `reset`, the answer is lost after the request
   * was processed; with `status`, that status replaces it; with `delayMs` alone, it is
   * held back. Default false: the fault answers instead of handling the request.
   */
  readonly processed?: boolean | undefined;
  /**
   * Hold this answer back this long. With no other option set, the request is then
   * answered normally: a slow answer, for testing client timeouts.
   */
  readonly delayMs?: number | undefined;
}

/** What a fault is aimed at; an unset field matches every request. */
export interface FaultAim {
  readonly operation: string | undefined;
  /** Upper-case. */
  readonly method: string | undefined;
  /** A RegExp is a private copy without the `g` and `y` flags, so testing it keeps no state. */
  readonly path: string | RegExp | undefined;
}

/** The request a fault is matched against. */
export interface FaultTarget {
  /** Upper-case. */
  readonly method: string;
  /** The pathname as sent, still percent-encoded, without the query string. */
  readonly pathname: string;
  /** The operationId the request routes to, if any. */
  readonly operation: string | undefined;
}

/** A queued fault, with defaults applied. `status` undefined: answer normally after `delayMs`. */
export interface Fault {
  readonly aim: FaultAim;
  readonly status: number | undefined;
  readonly reset: boolean;
  /** Whether the request is handled before the fault applies to its answer (#23). */
  readonly processed: boolean;
  readonly delayMs: number;
  readonly retryAfter: string | undefined;
  readonly rawBody: { readonly text: string; readonly contentType: string } | undefined;
  readonly errorCode: string | undefined;
  readonly message: string | undefined;
}

function fail(message: string): never {
  throw new TypeError(`failNext: ${message}`);
}

// Keyed by the option type, so an option added there but not here fails to compile.
const FAIL_NEXT_KEYS = Object.keys({
  status: true,
  times: true,
  retryAfter: true,
  body: true,
  contentType: true,
  errorCode: true,
  message: true,
  reset: true,
  processed: true,
  delayMs: true,
  operation: true,
  method: true,
  path: true,
} satisfies Record<keyof FailNextOptions, true>);

/**
 * Throws a TypeError naming the first key of `options` that is not in `known`, so
 * a mistyped option fails the test at the line that wrote it instead of being ignored.
 * @internal
 */
export function checkOptionKeys(options: unknown, known: readonly string[], where: string): void {
  if (options === null || typeof options !== "object" || Array.isArray(options))
    throw new TypeError(`${where}: expected an options object, got ${describeType(options)}`);
  const key = unknownKey(options, known);
  if (key !== undefined)
    throw new TypeError(
      `${where}: ${JSON.stringify(key)} is not an option${suggestKey(key, known)}`,
    );
}

const shown = (value: unknown) =>
  typeof value === "string" || (typeof value === "object" && value !== null)
    ? JSON.stringify(value)
    : String(value);

/** The methods an OpenAPI document can describe; the mock answers any other with 405. */
const HTTP_METHODS = ["GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"];

const OPERATION_IDS: readonly string[] = Object.keys(operations);

/** Edit distance, for suggesting the operationId a typo meant. */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      next[j] = Math.min((row[j] ?? 0) + 1, (next[j - 1] ?? 0) + 1, (row[j - 1] ?? 0) + cost);
    }
    row = next;
  }
  return row[b.length] ?? 0;
}

/** `; did you mean "batchUpdateConnectors"?` for a near miss, else the list of operationIds. */
function suggestOperation(name: string): string {
  const lower = name.toLowerCase();
  const near = OPERATION_IDS.map((id) => ({ id, d: distance(lower, id.toLowerCase()) }))
    .filter(({ d }) => d <= Math.max(2, Math.floor(name.length / 5)))
    .sort((x, y) => x.d - y.d)[0];
  return near
    ? `; did you mean ${JSON.stringify(near.id)}?`
    : `; the spec's operations are ${OPERATION_IDS.join(", ")}`;
}

function toAim(options: FailNextOptions): FaultAim {
  const { operation, method, path } = options;
  if (operation !== undefined) {
    if (typeof operation !== "string")
      fail(`operation must be an operationId string, got ${shown(operation)}`);
    if (!OPERATION_IDS.includes(operation))
      fail(
        `operation ${JSON.stringify(operation)} is not an operation of the spec${suggestOperation(operation)}`,
      );
  }
  let upper: string | undefined;
  if (method !== undefined) {
    if (typeof method !== "string" || !HTTP_METHODS.includes(method.toUpperCase()))
      fail(`method must be one of ${HTTP_METHODS.join(", ")} (in any case), got ${shown(method)}`);
    upper = method.toUpperCase();
    const opMethod =
      operation === undefined ? undefined : operations[operation as OperationId].method;
    if (opMethod !== undefined && opMethod !== upper)
      fail(
        `operation ${operation as string} is ${opMethod}, so method ${upper} would never match it`,
      );
  }
  let aimPath: string | RegExp | undefined;
  if (typeof path === "string") {
    if (!path.startsWith("/"))
      fail(
        `path must be a pathname starting with "/" (no origin), such as "/v1/agents/PROJECT-58RP822I/telephony/connectors", got ${shown(path)}`,
      );
    if (path.includes("?") || path.includes("#"))
      fail(
        `path is matched against the pathname alone; leave out the query string, got ${shown(path)}`,
      );
    aimPath = path;
  } else if (path instanceof RegExp) {
    aimPath = new RegExp(path.source, path.flags.replace(/[gy]/g, ""));
  } else if (path !== undefined) {
    fail(`path must be a string or a RegExp, got ${shown(path)}`);
  }
  return { operation, method: upper, path: aimPath };
}

function decoded(pathname: string): string | undefined {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return undefined; // a malformed escape: only the path as sent can match
  }
}

/** Whether `fault` is for this request: every aim it sets must match. */
export function faultMatches(fault: Fault, request: FaultTarget): boolean {
  const { operation, method, path } = fault.aim;
  if (operation !== undefined && operation !== request.operation) return false;
  if (method !== undefined && method !== request.method) return false;
  if (path === undefined) return true;
  const forms = [request.pathname, decoded(request.pathname)].filter(
    (p): p is string => p !== undefined,
  );
  return forms.some((p) => (typeof path === "string" ? p === path : path.test(p)));
}

/** Checks `options` and returns the faults to queue. */
export function toFaults(options: FailNextOptions): Fault[] {
  checkOptionKeys(options, FAIL_NEXT_KEYS, "failNext");
  const aim = toAim(options);
  const {
    status,
    times = 1,
    retryAfter,
    body,
    contentType,
    errorCode,
    message,
    reset = false,
    processed = false,
    delayMs = 0,
  } = options;
  for (const [name, value] of Object.entries({ body, contentType, errorCode, message })) {
    if (value !== undefined && typeof value !== "string")
      fail(`${name} must be a string, got ${shown(value)}`);
  }
  if (typeof reset !== "boolean") fail(`reset must be a boolean, got ${shown(reset)}`);
  if (typeof processed !== "boolean") fail(`processed must be a boolean, got ${shown(processed)}`);
  if (retryAfter !== undefined && typeof retryAfter !== "number" && typeof retryAfter !== "string")
    fail(`retryAfter must be whole seconds or an HTTP date string, got ${shown(retryAfter)}`);
  if (!Number.isInteger(times) || times < 1)
    fail(`times must be a whole number of at least 1, got ${shown(times)}`);
  if (!Number.isFinite(delayMs) || delayMs < 0)
    fail(`delayMs must be a finite number of at least 0, got ${shown(delayMs)}`);
  // A raw body may come with a success status too: a proxy's truncated or
  // reshaped 200 is a fault clients must survive.
  const lowest = body === undefined ? 400 : 200;
  if (status !== undefined && (!Number.isInteger(status) || status < lowest || status > 599)) {
    fail(
      `status must be ${body === undefined ? "an error status from 400" : "from 200"} to 599, got ${shown(status)}`,
    );
  }
  const answers =
    status !== undefined ||
    body !== undefined ||
    retryAfter !== undefined ||
    errorCode !== undefined ||
    message !== undefined;
  if (reset && answers)
    fail(
      "reset sends no answer, so it cannot be combined with status, body, retryAfter, errorCode or message",
    );
  if (contentType !== undefined && body === undefined)
    fail("contentType applies to a raw body; set body too");
  let retry: string | undefined;
  if (typeof retryAfter === "number") {
    if (!Number.isInteger(retryAfter) || retryAfter < 0)
      fail(`retryAfter in seconds must be a whole number of at least 0, got ${retryAfter}`);
    retry = String(retryAfter);
  } else if (retryAfter !== undefined) {
    if (retryAfter.trim() === "" || /[\r\n]/.test(retryAfter))
      fail("retryAfter must be a non-empty HTTP date on one line");
    retry = retryAfter;
  }
  // An empty failNext() is "the next request fails"; delayMs alone is only "slowly".
  const finalStatus = reset ? undefined : (status ?? (answers || delayMs === 0 ? 503 : undefined));
  if (finalStatus === 429 && retry === undefined) retry = "1";
  const fault: Fault = {
    aim,
    status: finalStatus,
    reset,
    processed,
    delayMs,
    retryAfter: retry,
    rawBody:
      body === undefined
        ? undefined
        : { text: body, contentType: contentType ?? "text/plain; charset=utf-8" },
    errorCode,
    message,
  };
  return Array.from({ length: times }, () => fault);
}
