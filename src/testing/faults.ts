// Faults a test queues with failNext: checked when queued, so a mistyped option
// fails the test at the line that wrote it rather than as a confusing answer later.
import { suggestKey, unknownKey } from "../internal/keys.js";
import { describeType } from "../validate.js";

/**
 * One fault to inject into the next request(s), for {@link MockPolyAI.failNext}.
 * With no option set, the next request answers 503 in PolyAI's error envelope.
 *
 * @example
 * mock.failNext({ status: 503, times: 2 });             // two 503s, then normal answers
 * mock.failNext({ status: 429, retryAfter: 1 });         // rate limited, retry in 1 s
 * mock.failNext({ status: 502, body: "<html>Bad gateway</html>", contentType: "text/html" });
 * mock.failNext({ reset: true });                        // connection reset
 * mock.failNext({ delayMs: 5_000 });                     // hang past the client's timeout
 */
export interface FailNextOptions {
  /** Error status to answer, 400 to 599, in PolyAI's envelope. Default 503. With a raw `body`, 200 to 599. */
  readonly status?: number | undefined;
  /** Queue the same fault this many times (default 1). */
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
   * Hold this answer back this long. With no other option set, the request is then
   * answered normally: a slow answer, for testing client timeouts.
   */
  readonly delayMs?: number | undefined;
}

/** A queued fault, with defaults applied. `status` undefined: answer normally after `delayMs`. */
export interface Fault {
  readonly status: number | undefined;
  readonly reset: boolean;
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
  delayMs: true,
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

/** Checks `options` and returns the faults to queue. */
export function toFaults(options: FailNextOptions): Fault[] {
  checkOptionKeys(options, FAIL_NEXT_KEYS, "failNext");
  const {
    status,
    times = 1,
    retryAfter,
    body,
    contentType,
    errorCode,
    message,
    reset = false,
    delayMs = 0,
  } = options;
  for (const [name, value] of Object.entries({ body, contentType, errorCode, message })) {
    if (value !== undefined && typeof value !== "string")
      fail(`${name} must be a string, got ${shown(value)}`);
  }
  if (typeof reset !== "boolean") fail(`reset must be a boolean, got ${shown(reset)}`);
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
    status: finalStatus,
    reset,
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
