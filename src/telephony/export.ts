// exportState(): the desired state of everything an agent has now, so a project can
// start managing its phone lines as code from where it stands. Planning the export
// against the same agent lists no change.
import { InvalidInputError, type PolyAIClient } from "../index.js";
import { checkAgentId, validateDesiredState } from "./desired.js";
import { liveValue } from "./diff.js";
import { readOptions } from "./plan.js";
import { setOwn } from "./util.js";
import {
  MANAGED_FIELDS,
  type DesiredConnector,
  type DesiredState,
  type ExportOptions,
  type OmittedValue,
} from "./types.js";

/**
 * #19: the API can hold values the SDK refuses to send (`asrLangCode: "en_GB"`, a
 * voice of an unknown family, an ID with a space). Each piece of the export is
 * checked with the one validator a plan runs; what it refuses is left out (so it is
 * not managed) and reported, and the export always plans.
 */
function refusal(
  agentId: string,
  piece: Pick<DesiredState, "connectors" | "phoneNumbers">,
): string | undefined {
  try {
    validateDesiredState({ agentId, ...piece });
    return undefined;
  } catch (e) {
    if (e instanceof InvalidInputError) return e.reason;
    throw e;
  }
}

/**
 * The desired state of everything the agent has now: every connector with its
 * settable fields (`voiceName`, `asrLangCode`, `variantId`, `""` as null) and every
 * routed number with its connector. Numbers that route nowhere are left out (a
 * desired state routes every number it names). Keys are sorted, so two exports of
 * the same state are the same text. A value a desired state cannot hold (the API
 * holds it, the SDK would refuse to send it) is left out too, as is a number routed
 * to a connector the connector list did not show (created or deleted while the two
 * lists were read), each reported to `options.onOmit`: the export always plans.
 *
 * @example
 * const state = await exportState(poly, "PROJECT-58RP822I", {
 *   onOmit: ({ path, value, reason }) => console.warn(`left out ${path} = ${JSON.stringify(value)}: ${reason}`),
 * });
 * await writeFile("phone-lines.json", JSON.stringify(state, null, 2) + "\n");
 * @throws {InvalidInputError} for an agent ID the client would refuse, before any request.
 */
export async function exportState(
  poly: PolyAIClient,
  agentId: string,
  options: ExportOptions = {},
): Promise<DesiredState & Required<Pick<DesiredState, "connectors" | "phoneNumbers">>> {
  checkAgentId(agentId, "agentId");
  const { signal, raw } = readOptions(options, ["onOmit"]);
  const onOmit = raw["onOmit"];
  if (onOmit !== undefined && typeof onOmit !== "function")
    throw new InvalidInputError("options.onOmit", "expected a function");
  const omit = (omitted: OmittedValue) => (onOmit as ExportOptions["onOmit"])?.(omitted);
  const [connectors, numbers] = await Promise.all([
    poly.connectors.list(agentId, { signal }),
    poly.phoneNumbers.list(agentId, undefined, { signal }),
  ]);
  const byId = (a: { connectorId: string }, b: { connectorId: string }) =>
    a.connectorId < b.connectorId ? -1 : a.connectorId > b.connectorId ? 1 : 0;
  const outConnectors: Record<string, DesiredConnector> = {};
  for (const connector of [...connectors].sort(byId)) {
    const id = connector.connectorId;
    const idRefused = refusal(agentId, { connectors: { [id]: {} } });
    if (idRefused !== undefined) {
      omit({ path: `connectors.${id}`, value: id, reason: idRefused });
      continue;
    }
    const settings: DesiredConnector = {};
    for (const field of MANAGED_FIELDS) {
      const value = liveValue(connector, field);
      const refused = refusal(agentId, { connectors: { [id]: { [field]: value } } });
      if (refused === undefined) (settings as Record<string, unknown>)[field] = value;
      else omit({ path: `connectors.${id}.${field}`, value, reason: refused });
    }
    setOwn(outConnectors, id, settings);
  }
  // #19: the two lists are read at once: a number may route to a connector created
  // (or deleted) in between. Such a route would not plan, so it is left out.
  const listed = new Set(connectors.map((c) => c.connectorId));
  const outNumbers: Record<string, string> = {};
  for (const n of [...numbers].sort((a, b) => (a.number < b.number ? -1 : 1))) {
    if (n.connectorId === undefined) continue;
    const refused = listed.has(n.connectorId)
      ? refusal(agentId, { phoneNumbers: { [n.number]: n.connectorId } })
      : `routes to connector ${JSON.stringify(n.connectorId)}, which the agent's connector list did not show (created or deleted during the export?)`;
    if (refused === undefined) setOwn(outNumbers, n.number, n.connectorId);
    else omit({ path: `phoneNumbers.${n.number}`, value: n.connectorId, reason: refused });
  }
  return { agentId, connectors: outConnectors, phoneNumbers: outNumbers };
}
