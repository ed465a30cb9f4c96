// exportState(): the desired state of everything an agent has now, so a project can
// start managing its phone lines as code from where it stands. Planning the export
// against the same agent lists no change.
import type { PolyAIClient } from "../index.js";
import { checkAgentId } from "./desired.js";
import { liveValue } from "./diff.js";
import { readOptions } from "./plan.js";
import { setOwn } from "./util.js";
import {
  MANAGED_FIELDS,
  type DesiredConnector,
  type DesiredState,
  type ReadOptions,
} from "./types.js";

/**
 * The desired state of everything the agent has now: every connector with its
 * settable fields (`voiceName`, `asrLangCode`, `variantId`, `""` as null) and every
 * routed number with its connector. Numbers that route nowhere are left out (a
 * desired state routes every number it names). Keys are sorted, so two exports of
 * the same state are the same text.
 *
 * @example
 * const state = await exportState(poly, "PROJECT-58RP822I");
 * await writeFile("phone-lines.json", JSON.stringify(state, null, 2) + "\n");
 * @throws {InvalidInputError} for an agent ID the client would refuse, before any request.
 */
export async function exportState(
  poly: PolyAIClient,
  agentId: string,
  options: ReadOptions = {},
): Promise<DesiredState & Required<Pick<DesiredState, "connectors" | "phoneNumbers">>> {
  checkAgentId(agentId, "agentId");
  const { signal } = readOptions(options);
  const [connectors, numbers] = await Promise.all([
    poly.connectors.list(agentId, { signal }),
    poly.phoneNumbers.list(agentId, undefined, { signal }),
  ]);
  const byId = (a: { connectorId: string }, b: { connectorId: string }) =>
    a.connectorId < b.connectorId ? -1 : a.connectorId > b.connectorId ? 1 : 0;
  const outConnectors: Record<string, DesiredConnector> = {};
  for (const connector of [...connectors].sort(byId)) {
    const settings: DesiredConnector = {};
    for (const field of MANAGED_FIELDS)
      (settings as Record<string, unknown>)[field] = liveValue(connector, field);
    setOwn(outConnectors, connector.connectorId, settings);
  }
  const outNumbers: Record<string, string> = {};
  for (const n of [...numbers].sort((a, b) => (a.number < b.number ? -1 : 1))) {
    if (n.connectorId !== undefined) outNumbers[n.number] = n.connectorId;
  }
  return { agentId, connectors: outConnectors, phoneNumbers: outNumbers };
}
