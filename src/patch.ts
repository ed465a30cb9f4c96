// The merge-patch rule in one place: what a patch may contain (checked before it
// is sent) and what the server does with it (applyConnectorPatch). The loopback
// mock applies patches with this same function, so the SDK's prediction and the
// mock's behaviour cannot drift apart.
import { updateConnectorBody, type StringRule } from "../generated/constraints.js";
import { InvalidInputError } from "./errors.js";
import type { Connector, ConnectorPatch } from "./types.js";
import { checkString, describeType, isPlainObject } from "./validate.js";
import { checkVoiceName, ttsLangCodeFromVoice } from "./voice.js";

const WHAT: Record<string, string> = {
  variantId: "variant ID",
  asrLangCode: "BCP 47 language code",
  projectId: "project ID",
  connectorId: "connector ID",
};

function suggest(key: string, known: readonly string[]): string {
  const norm = (s: string) => s.toLowerCase().replace(/[_\-\s]/g, "");
  const hit = known.find((k) => norm(k) === norm(key));
  return hit ? `; did you mean ${JSON.stringify(hit)}?` : `; allowed keys are ${known.join(", ")}`;
}

/**
 * Checks a patch-shaped object against `rules` and returns a copy holding exactly
 * the keys the caller set: `undefined` values are dropped (they mean "not set"),
 * everything else is validated. Throws before anything is sent.
 *
 * `field` names the object in errors about it as a whole; its keys are named
 * `voiceName` for a single patch and `updates[2].voiceName` for a batch item.
 * @internal
 */
export function cleanPatch<T extends object>(
  patch: unknown,
  field: string,
  rules: Record<string, StringRule> = updateConnectorBody,
  required: readonly string[] = [],
): T {
  const prefix = field === "patch" ? "" : `${field}.`;
  if (!isPlainObject(patch))
    throw new InvalidInputError(field, `expected a plain object, got ${describeType(patch)}`);
  const known = Object.keys(rules);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(patch)) {
    const value = patch[key];
    if (value === undefined) continue;
    const path = prefix + key;
    const rule = Object.hasOwn(rules, key) ? rules[key] : undefined;
    if (!rule)
      throw new InvalidInputError(path, `is not a field that can be set${suggest(key, known)}`);
    if (value === null && required.includes(key))
      throw new InvalidInputError(path, "is required and cannot be null");
    if (value === null && !rule.nullable) {
      throw new InvalidInputError(
        path,
        `cannot be null: only ${known.filter((k) => rules[k]?.nullable).join(", ")} can be cleared; leave the key out to keep the current value`,
      );
    }
    // A connector without a variant reads back "", so copying one connector's
    // fields onto another lands here: say how to clear instead.
    if (value === "" && rule.nullable)
      throw new InvalidInputError(
        path,
        `must not be empty: "" is how a connector reads when none is set; send null to clear it (clearVariant())`,
      );
    if (key === "voiceName") checkVoiceName(value, path, rule);
    else checkString(value, rule, path, WHAT[key] ?? key);
    out[key] = value;
  }
  for (const key of required) {
    if (!(key in out)) throw new InvalidInputError(prefix + key, "is required");
  }
  if (Object.keys(out).length === required.length) {
    throw new InvalidInputError(
      field,
      `sets no field to change (undefined values count as not set); set at least one of ${known.filter((k) => !required.includes(k)).join(", ")}`,
    );
  }
  return out as T;
}

/**
 * A patch that unassigns the connector's variant: sends `{"variantId":null}`.
 * Spread it into a larger patch to combine: `{ ...clearVariant(), voiceName }`.
 *
 * @example
 * await poly.connectors.update(agentId, connectorId, clearVariant());
 */
export function clearVariant(): { variantId: null } {
  return { variantId: null };
}

/**
 * The connector the server would return after applying `patch`: keys absent from
 * the patch are unchanged, `variantId: null` becomes `""`, and a new `voiceName`
 * sets `ttsLangCode` from the voice's language. Pure: `connector` is not modified.
 *
 * @example
 * const next = applyConnectorPatch(current, { voiceName: "en-GB-Neural2-A" });
 * next.ttsLangCode; // "en-GB"
 * @throws {InvalidInputError} when the patch is not valid.
 */
export function applyConnectorPatch(connector: Connector, patch: ConnectorPatch): Connector {
  if (!isPlainObject(connector))
    throw new InvalidInputError(
      "connector",
      `expected a connector object, got ${describeType(connector)}`,
    );
  const clean = cleanPatch<ConnectorPatch>(patch, "patch");
  const next: Connector = { ...connector };
  if (clean.variantId !== undefined) next.variantId = clean.variantId ?? "";
  if (clean.asrLangCode !== undefined) next.asrLangCode = clean.asrLangCode;
  if (clean.projectId !== undefined) next.projectId = clean.projectId;
  if (clean.voiceName !== undefined) {
    next.voiceName = clean.voiceName;
    next.ttsLangCode = ttsLangCodeFromVoice(clean.voiceName);
  }
  return next;
}
