// Checks the SDK can make before sending anything. The rules themselves (patterns,
// lengths, nullability) come from generated/constraints.ts, i.e. from the spec; this
// file only turns a failed rule into a message that says what is wrong.
import type { StringRule } from "../../generated/operations.js";
import { InvalidInputError } from "../errors.js";

/** A short description of a value's type for error messages. */
export function describeType(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return "an array";
  if (typeof value === "number" && Number.isNaN(value)) return "NaN";
  if (typeof value !== "object") return `a ${typeof value}`;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) return "an object";
  // A plain object is what the SDK wants, so say what else it got: "a Map", "a Connector".
  const name: unknown = (proto as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === "string" && name !== "" && name !== "Object"
    ? `an instance of ${name}`
    : "an object with a custom prototype";
}

/** Quotes a value for a message, shortened so a 1 MB string does not become a 1 MB message. */
export function quote(value: string): string {
  return JSON.stringify(value.length > 64 ? `${value.slice(0, 61)}...` : value);
}

/** The code point at `index` as `U+XXXX`, for messages about a character. */
export function codePointAt(value: string, index: number): string {
  const cp = value.codePointAt(index) ?? 0;
  return `U+${cp.toString(16).toUpperCase().padStart(4, "0")}`;
}

/**
 * Why `value` breaks `rule`, or null when it does not. Specific reasons first, so
 * the message says "contains whitespace" rather than "does not match /.../".
 */
function whyInvalid(value: string, rule: StringRule, what: string): string | null {
  const { minLength = 0, maxLength = Infinity, pattern } = rule;
  if (value.length < minLength)
    return value === "" ? "must not be empty" : `must be at least ${minLength} characters`;
  if (value.length > maxLength)
    return `is ${value.length} characters long; the limit is ${maxLength}`;
  if (!pattern || pattern.test(value)) return null;
  const example = rule.example ? `, like ${quote(rule.example)}` : "";
  const why = charProblem(value);
  // The specific reason first, then what a valid value looks like.
  return why
    ? `${why}; expected ${/^[aeiou]/i.test(what) ? "an" : "a"} ${what}${example}`
    : `${quote(value)} is not a valid ${what}${example}`;
}

/** The character-level reason a value breaks a pattern (whitespace, control, non-ASCII), if any. */
export function charProblem(value: string): string | null {
  if (value.trim() === "") return "must not be whitespace only";
  if (value === "." || value === "..")
    return `must not be ${quote(value)}: a URL parser would resolve it to another path`;
  const space = value.search(/\s/u);
  if (space !== -1) return `contains whitespace at index ${space}`;
  const control = value.search(/[\x00-\x1F\x7F]/u);
  if (control !== -1)
    return `contains the control character ${codePointAt(value, control)} at index ${control}`;
  const nonAscii = value.search(/[^\x00-\x7F]/u);
  if (nonAscii === -1) return null;
  return `contains the non-ASCII character ${JSON.stringify(String.fromCodePoint(value.codePointAt(nonAscii) ?? 0))} (${codePointAt(value, nonAscii)}) at index ${nonAscii}, likely a look-alike of an ASCII character`;
}

/** Checks one string against a spec rule. `null` passes only when the rule is nullable. */
export function checkString(value: unknown, rule: StringRule, field: string, what: string): void {
  if (value === null && rule.nullable) return;
  if (typeof value !== "string") {
    const allowed = rule.nullable ? "a string or null" : "a string";
    throw new InvalidInputError(field, `expected ${allowed}, got ${describeType(value)}`);
  }
  const why = whyInvalid(value, rule, what);
  if (why) throw new InvalidInputError(field, why);
}

/** True for a plain `{}` object (not an array, Date, Map or class instance). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object") return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Retry settings as given on the client or on one call. */
export interface RetrySettings {
  maxRetries?: number | undefined;
  timeoutMs?: number | undefined;
  backoff?: { initialMs?: number | undefined; maxMs?: number | undefined } | undefined;
  maxResponseBytes?: number | undefined;
}

/** An integer from `min` to `max`, or undefined when not given; otherwise an InvalidInputError. */
export function checkInteger(
  value: unknown,
  field: string,
  min: number,
  max: number,
): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    const got = typeof value === "number" ? String(value) : describeType(value);
    throw new InvalidInputError(field, `expected an integer from ${min} to ${max}, got ${got}`);
  }
  return value;
}

/** Checks retry settings; `where` prefixes the field names (`options`). */
export function checkRetrySettings(settings: RetrySettings, where: string): RetrySettings {
  const backoff = settings.backoff;
  if (backoff !== undefined) {
    if (!isPlainObject(backoff))
      throw new InvalidInputError(
        `${where}.backoff`,
        `expected an object, got ${describeType(backoff)}`,
      );
    for (const key of Object.keys(backoff)) {
      if (key !== "initialMs" && key !== "maxMs")
        throw new InvalidInputError(
          `${where}.backoff.${key}`,
          "is not a backoff option; known options are initialMs, maxMs",
        );
    }
  }
  return {
    maxRetries: checkInteger(settings.maxRetries, `${where}.maxRetries`, 0, 10),
    // setTimeout's limit: a longer delay fires at once.
    timeoutMs: checkInteger(settings.timeoutMs, `${where}.timeoutMs`, 1, 2_147_483_647),
    backoff: backoff && {
      ...(backoff.initialMs !== undefined
        ? {
            initialMs: checkInteger(
              backoff.initialMs,
              `${where}.backoff.initialMs`,
              0,
              60_000,
            ) as number,
          }
        : {}),
      ...(backoff.maxMs !== undefined
        ? { maxMs: checkInteger(backoff.maxMs, `${where}.backoff.maxMs`, 0, 60_000) as number }
        : {}),
    },
    maxResponseBytes: checkInteger(
      settings.maxResponseBytes,
      `${where}.maxResponseBytes`,
      1,
      1024 * 1024 * 1024,
    ),
  };
}

// Headers the request depends on: a wrong Content-Length hangs the call, a
// Content-Type or Accept other than JSON gets an answer the client cannot read,
// and the connection-level ones make fetch refuse every request.
const OWN_HEADERS = new Set([
  "accept",
  "content-type",
  "content-encoding",
  "content-length",
  "transfer-encoding",
  "host",
  "connection",
  "keep-alive",
  "proxy-connection",
  "upgrade",
  "expect",
  "te",
  "trailer",
]);

/** Checks a headers object; values are never echoed, as they may be credentials. */
export function checkHeaders(value: unknown, field: string): Headers {
  if (!isPlainObject(value))
    throw new InvalidInputError(
      field,
      `expected an object of header names to strings, got ${describeType(value)}`,
    );
  const headers = new Headers();
  for (const [name, v] of Object.entries(value)) {
    const lower = name.toLowerCase();
    if (lower === "x-api-key")
      throw new InvalidInputError(
        `${field}.${name}`,
        "is set by the client from apiKey; create a client with that apiKey instead",
      );
    if (OWN_HEADERS.has(lower))
      throw new InvalidInputError(
        `${field}.${name}`,
        "is set by the client: requests are JSON, and their framing and connection are fetch's to set",
      );
    if (typeof v !== "string")
      throw new InvalidInputError(`${field}.${name}`, `expected a string, got ${describeType(v)}`);
    try {
      headers.set(name, v);
    } catch {
      throw new InvalidInputError(`${field}.${name}`, "is not a valid HTTP header name or value");
    }
  }
  return headers;
}
