// #19: the key inside a value. A server that echoes the key into a value (a variant
// ID "V-<key>") would make export write "V-[redacted]", and applying that export
// would write "[redacted]" to the live connector. So an export leaves such a value
// out, as it leaves out what a desired state cannot hold; and a file the CLI reads
// that holds the redaction mark is refused, whoever wrote it.
import { REDACTED } from "../../internal/redact.js";
import type { CheckedDesiredState, DesiredConnector, OmittedValue } from "../types.js";
import { keyPath, setOwn } from "../util.js";
import { CliError } from "./errors.js";

const REASON = "holds the API key (the server returned it inside this value)";

/**
 * `state` without any connector ID, setting or number that holds the key in any
 * spelling `holdsKey` finds, nor any route to a connector left out; each reported.
 */
export function withoutKey(
  state: CheckedDesiredState,
  holdsKey: (text: string) => boolean,
  omit: (omitted: OmittedValue) => void,
): CheckedDesiredState {
  const connectors: Record<string, DesiredConnector> = {};
  for (const [id, settings] of Object.entries(state.connectors)) {
    if (holdsKey(id)) {
      omit({ path: `connectors.${id}`, value: id, reason: REASON });
      continue;
    }
    const kept: Record<string, unknown> = {};
    for (const [field, value] of Object.entries(settings))
      if (typeof value === "string" && holdsKey(value))
        omit({ path: `connectors.${id}.${field}`, value, reason: REASON });
      else kept[field] = value;
    setOwn(connectors, id, kept as DesiredConnector);
  }
  const phoneNumbers: Record<string, string> = {};
  for (const [number, to] of Object.entries(state.phoneNumbers)) {
    if (holdsKey(number) || holdsKey(to))
      omit({ path: `phoneNumbers.${number}`, value: to, reason: REASON });
    else setOwn(phoneNumbers, number, to);
  }
  return { ...state, connectors, phoneNumbers };
}

/** The path of the first key or string in `value` that holds the redaction mark. */
function markAt(value: unknown, path: string): string | undefined {
  if (typeof value === "string")
    return value.includes(REDACTED) ? path || "(the value)" : undefined;
  if (value === null || typeof value !== "object") return undefined;
  for (const [key, item] of Object.entries(value)) {
    const at = Array.isArray(value) ? `${path}[${key}]` : keyPath(path, key);
    if (key.includes(REDACTED)) return at;
    const found = markAt(item, at);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Refuses a file with "[redacted]" in a key or value: the real value is not in it. */
export function refuseRedacted(file: string, data: unknown): void {
  const at = markAt(data, "");
  if (at !== undefined)
    throw new CliError(
      `${file}: ${at}: holds "${REDACTED}", which the CLI writes where the API key was: the real value is not in this file, and applying it would write "${REDACTED}"; put the real value back or leave it out`,
      "FILE_INVALID",
    );
}
