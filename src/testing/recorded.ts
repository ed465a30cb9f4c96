// What the request log holds of a request (#20): its body as the text received,
// parsed on first read. Parsed at once, 80 bodies of 1 MiB of `[{},{},…]` held
// 1.4 GB as objects while the log's budget counted 80 MiB.
import type { IncomingHttpHeaders } from "node:http";
import { inspect } from "node:util";
import { CREDENTIAL_HEADER } from "../internal/report.js";

/** A request the mock received. The API key is never recorded. */
export interface RecordedRequest {
  /** Upper-case method. */
  readonly method: string;
  /** The request target as sent: path and query string, still percent-encoded. */
  readonly path: string;
  /**
   * Lower-case header names. Credentials read `"[redacted]"`: `x-api-key`,
   * `authorization`, `cookie`, and any header named like a key, token or secret.
   */
  readonly headers: Readonly<Record<string, string>>;
  /**
   * The body parsed as JSON, its raw text when it is not JSON, or undefined when
   * empty. Also undefined when the mock did not keep the body: a request without
   * the right `x-api-key` (401), or one over `maxBodyBytes` (413).
   * The mock keeps the text and parses it when `body` is first read, then keeps
   * that value (#20): the log's 64 MiB budget counts the texts.
   */
  readonly body: unknown;
}

/** The headers as recorded: one string each, credentials redacted. */
function recordHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = CREDENTIAL_HEADER.test(name)
      ? "[redacted]"
      : Array.isArray(value)
        ? value.join(", ")
        : value;
  }
  return out;
}

function parseForRecord(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * The bytes a string takes in memory: V8 stores one byte a character while every
 * character is Latin-1, two otherwise. This is what the log's budget counts.
 */
export function heldBytes(text: string): number {
  return /[^\x00-\xff]/.test(text) ? text.length * 2 : text.length;
}

/**
 * A request as {@link RecordedRequest} shows it. `body` is the text received (empty
 * when not kept), parsed when `body` is first read and then kept parsed: reading a
 * body adds its objects to what the log holds.
 */
export function recordRequest(
  method: string,
  path: string,
  headers: IncomingHttpHeaders,
  body: string,
): RecordedRequest {
  let parsed: { readonly value: unknown } | undefined;
  const read = () => (parsed ??= { value: parseForRecord(body) }).value;
  const record = { method, path, headers: recordHeaders(headers) };
  // An own enumerable getter: toEqual, spreads and JSON.stringify see `body` as a
  // plain property; util.inspect would print `[Getter]` without the custom inspector.
  Object.defineProperty(record, "body", { enumerable: true, get: read });
  Object.defineProperty(record, inspect.custom, {
    value: (_depth: number, options: object) => inspect({ ...record }, options),
  });
  return record as RecordedRequest;
}
