// The merge-patch rule in one place: what the server does with a patch
// (applyConnectorPatch); what a patch may contain is the spec's rule, checked by
// the same validator as every call. The loopback
// mock applies patches with this same function, so the SDK's prediction and the
// mock's behaviour cannot drift apart.
import { operations } from "../generated/operations.js";
import { InvalidInputError } from "./errors.js";
import { checkValue } from "./internal/check.js";
import type { Connector, ConnectorPatch } from "./types.js";
import { describeType, isPlainObject } from "./internal/validate.js";
import { ttsLangCodeFromVoice } from "./voice.js";

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
  const clean = checkValue(patch, operations.updateConnector.body, "patch", "") as ConnectorPatch;
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
