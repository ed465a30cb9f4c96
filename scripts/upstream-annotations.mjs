// #24: `x-upstream-differs` — the reasons our spec differs from PolyAI's on purpose.
// A difference whose host node carries a reason under its aspect is deliberate; any
// other difference is drift; a reason no difference asks for is stale (it would hide
// the next real change at that place).
import { child } from "./upstream-view.mjs";

/** The extension that holds the reasons, keyed by aspect. */
export const ANNOTATION = "x-upstream-differs";

/**
 * The aspects a key names: one, or several sharing a reason (`pattern, maxLength`),
 * so one rule written as three keywords is explained once.
 */
const aspectsOf = (key) => key.split(",").map((a) => a.trim());

/** The reason an annotation object gives for `aspect`, and the key it is under. */
function reasonFor(notes, aspect) {
  if (!notes || typeof notes !== "object") return undefined;
  for (const [key, reason] of Object.entries(notes))
    if (aspectsOf(key).includes(aspect) && typeof reason === "string" && reason.trim())
      return reason;
  return undefined;
}

/**
 * Every annotation of a document: where it is, and the object itself (a `$ref`
 * resolution copies the reference to it, so a host found through one still maps back).
 * @returns {{ byObject: Map<object, string>, invalid: { at: string, message: string }[] }}
 */
export function collectAnnotations(doc) {
  const byObject = new Map();
  const invalid = [];
  const walk = (node, at, depth) => {
    if (!node || typeof node !== "object" || depth > 64) return;
    if (Array.isArray(node)) {
      node.forEach((v, i) => walk(v, child(at, i), depth + 1));
      return;
    }
    for (const [key, value] of Object.entries(node)) {
      if (key !== ANNOTATION) {
        walk(value, child(at, key), depth + 1);
        continue;
      }
      const where = child(at, key);
      if (!value || typeof value !== "object" || Array.isArray(value)) {
        invalid.push({ at: where, message: "must map aspects to reasons" });
        continue;
      }
      byObject.set(value, at);
      const explained = new Set();
      for (const [aspects, reason] of Object.entries(value)) {
        if (typeof reason !== "string" || !reason.trim())
          invalid.push({
            at: child(where, aspects),
            message: "the reason must be a non-empty string",
          });
        // #24: one reason per difference; a second would never be read.
        for (const aspect of aspectsOf(aspects)) {
          if (explained.has(aspect))
            invalid.push({
              at: child(where, aspects),
              message: `aspect ${aspect} is already explained under another key`,
            });
          explained.add(aspect);
        }
      }
    }
  };
  walk(doc, "#", 0);
  return { byObject, invalid };
}

/**
 * Sorts the differences into deliberate ones (with their reason) and drift, and
 * finds the stale reasons.
 */
export function judge(doc, differences) {
  const { byObject, invalid } = collectAnnotations(doc);
  const used = new Set();
  const deliberate = [];
  const drift = [];
  for (const d of differences) {
    const notes = d.hostNode?.[ANNOTATION];
    const reason = reasonFor(notes, d.aspect);
    if (reason) {
      const at = byObject.get(notes) ?? d.host;
      used.add(`${at}\u0000${d.aspect}`);
      deliberate.push({ ...d, reason, annotatedAt: at });
    } else drift.push(d);
  }
  const stale = [];
  for (const [notes, at] of byObject)
    for (const [key, reason] of Object.entries(notes))
      for (const aspect of typeof reason === "string" && reason.trim() ? aspectsOf(key) : [])
        if (!used.has(`${at}\u0000${aspect}`)) stale.push({ at, aspect, reason });
  return { deliberate, drift, stale, invalid };
}
