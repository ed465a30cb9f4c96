// Maps a request path to the spec's operation. Templates come from the spec, so
// a path the spec adds is routed (and then needs a handler) without editing this.
import type { OperationSpec } from "./validate.js";

/** The outcome of routing one request. */
export type RouteMatch =
  | {
      readonly kind: "operation";
      readonly op: OperationSpec;
      readonly rawParams: ReadonlyMap<string, string>;
    }
  | { readonly kind: "method-not-allowed"; readonly allow: readonly string[] }
  | { readonly kind: "not-found" };

function isParam(segment: string): boolean {
  return segment.startsWith("{") && segment.endsWith("}");
}

/**
 * Finds the operation for `method` and `pathname` (no query string). Segments are
 * compared before percent-decoding, so `%2F` inside an ID stays inside that ID.
 * When several templates fit, the one with the most literal segments wins: that is
 * how `/connectors/batch` reaches the batch endpoints rather than a connector
 * called `batch`.
 */
export function matchRoute(
  operations: readonly OperationSpec[],
  method: string,
  pathname: string,
): RouteMatch {
  const parts = pathname.split("/");
  let best: { segments: readonly string[]; literals: number } | undefined;
  for (const op of operations) {
    const { segments } = op;
    if (segments.length !== parts.length) continue;
    if (!segments.every((s, i) => isParam(s) || s === parts[i])) continue;
    const literals = segments.filter((s) => !isParam(s)).length;
    if (!best || literals > best.literals) best = { segments, literals };
  }
  if (!best) return { kind: "not-found" };
  const template = best.segments.join("/");
  const candidates = operations.filter((op) => op.segments.join("/") === template);
  const op = candidates.find((c) => c.method === method);
  if (!op) return { kind: "method-not-allowed", allow: candidates.map((c) => c.method).sort() };
  const rawParams = new Map<string, string>();
  op.segments.forEach((s, i) => {
    if (isParam(s)) rawParams.set(s.slice(1, -1), parts[i] ?? "");
  });
  return { kind: "operation", op, rawParams };
}
