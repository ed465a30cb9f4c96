// What the request log holds of a request (#20): its body as the text received,
// parsed on first read. Parsed at once, 80 bodies of 1 MiB of `[{},{},…]` held
// 1.4 GB as objects while the log's budget counted 80 MiB.
import type { IncomingHttpHeaders } from "node:http";
import { inspect } from "node:util";
import { CREDENTIAL_HEADER } from "../internal/report.js";
import type { RecordedRequest } from "./request-log.js";

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
