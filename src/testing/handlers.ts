// One function per operationId of the spec: the answer to a request that has
// already passed routing, authentication and validation against the spec.
import type { components } from "../../generated/openapi.js";
import { ApiFault } from "./envelope.js";
import type { ConnectorStore } from "./store.js";

type Schemas = components["schemas"];

/** A request as a handler sees it: decoded path parameters and a body that matched the spec. */
export interface OperationRequest {
  readonly params: ReadonlyMap<string, string>;
  readonly body: unknown;
}

/** Produces the 200 body, or throws an {@link ApiFault}. */
export type Handler = (store: ConnectorStore, request: OperationRequest) => unknown;

function param(request: OperationRequest, name: string): string {
  const value = request.params.get(name);
  if (value === undefined) throw new Error(`mock: route has no {${name}} parameter`);
  return value;
}

// The casts below are safe: the body was validated against exactly these schemas.
/** The handler of each operation the spec defines, by operationId. */
export const handlers: Readonly<Record<string, Handler>> = {
  listConnectors: (store, req): Schemas["ConnectorList"] => ({
    connectors: store.list(param(req, "agentId")),
  }),
  getConnector: (store, req) => store.get(param(req, "agentId"), param(req, "connectorId")),
  updateConnector: (store, req) =>
    store.update(
      param(req, "agentId"),
      param(req, "connectorId"),
      req.body as Schemas["UpdateConnectorBody"],
    ),
  deleteConnector: (store, req) => store.delete(param(req, "agentId"), param(req, "connectorId")),
  batchGetConnectors: (store, req) =>
    store.batchGet(
      param(req, "agentId"),
      (req.body as Schemas["BatchGetConnectorsBody"]).connectorIds,
    ),
  batchUpdateConnectors: (store, req): Schemas["BatchUpdateConnectorsResult"] => {
    const { updates } = req.body as Schemas["BatchUpdateConnectorsBody"];
    // The spec allows each connector once per batch, a rule JSON Schema cannot express.
    const seen = new Map<string, number>();
    updates.forEach(({ connectorId }, i) => {
      const first = seen.get(connectorId);
      if (first !== undefined) {
        throw new ApiFault(
          400,
          "CONNECTORS_VALIDATION_FAILED",
          `updates[${i}].connectorId: ${JSON.stringify(connectorId)} is already updated by updates[${first}]; update each connector once per batch`,
        );
      }
      seen.set(connectorId, i);
    });
    return { results: store.batchUpdate(param(req, "agentId"), updates) };
  },
  lookupConnector: (store, req) =>
    store.lookup(param(req, "agentId"), (req.body as Schemas["LookupConnectorBody"]).phoneNumber),
};
