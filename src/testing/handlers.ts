// One function per operationId of the spec: the answer to a request that has
// already passed routing, authentication and validation against the spec.
import type { components } from "../../generated/openapi.js";
import type { OperationId } from "../../generated/operations.js";
import { ApiFault } from "./envelope.js";
import type { OutboundBook } from "./outbound.js";
import type { ConnectorStore } from "./store.js";

type Schemas = components["schemas"];

/** The `clientEnv` of an import that does not name one, as the spec documents. */
const DEFAULT_CLIENT_ENV: Schemas["ClientEnv"] = "live";

/** A request as a handler sees it: decoded path and query parameters and a body that matched the spec. */
export interface OperationRequest {
  readonly params: ReadonlyMap<string, string>;
  readonly query: ReadonlyMap<string, string>;
  readonly body: unknown;
}

/** Produces the success body (its status is the operation's documented 2xx), or throws an {@link ApiFault}. */
export type Handler = (
  store: ConnectorStore,
  request: OperationRequest,
  calls: OutboundBook,
) => unknown;

function param(request: OperationRequest, name: string): string {
  const value = request.params.get(name);
  if (value === undefined) throw new Error(`mock: route has no {${name}} parameter`);
  return value;
}

// The casts below are safe: the body was validated against exactly these schemas.
/**
 * The state behind each operation, by operationId. An operation of the spec without
 * one answers 501, so the spec can run ahead of the mock.
 */
export const handlers: { readonly [K in OperationId]?: Handler } = {
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
  // Each connector once per batch is the spec's x-sdk-unique-by, checked before this runs.
  batchUpdateConnectors: (store, req): Schemas["BatchUpdateConnectorsResult"] => ({
    results: store.batchUpdate(
      param(req, "agentId"),
      (req.body as Schemas["BatchUpdateConnectorsBody"]).updates,
    ),
  }),
  lookupConnector: (store, req) =>
    store.lookup(param(req, "agentId"), (req.body as Schemas["LookupConnectorBody"]).phoneNumber),

  // Phone numbers. The path's {phoneNumber} arrives percent-decoded (`%2B` → `+`)
  // and already checked as E.164; the bodies' numbers are distinct (uniqueItems).
  listPhoneNumbers: (store, req): Schemas["PhoneNumberList"] => ({
    phoneNumbers: store.listNumbers(param(req, "agentId"), req.query.get("connectorId")),
  }),
  getPhoneNumber: (store, req) => store.getNumber(param(req, "agentId"), param(req, "phoneNumber")),
  batchGetPhoneNumbers: (store, req) =>
    store.batchGetNumbers(
      param(req, "agentId"),
      (req.body as Schemas["BatchGetPhoneNumbersBody"]).phoneNumbers,
    ),
  importPhoneNumbers: (store, req): Schemas["ImportPhoneNumbersResult"] => {
    const body = req.body as Schemas["ImportPhoneNumbersBody"];
    return {
      imported: store.importNumbers(
        param(req, "agentId"),
        body.phoneNumbers,
        body.clientEnv ?? DEFAULT_CLIENT_ENV,
      ),
    };
  },
  // The body is optional: no body imports for the default environment.
  importPhoneNumber: (store, req): Schemas["ImportPhoneNumberResult"] => {
    const body = req.body as Schemas["ImportPhoneNumberBody"] | undefined;
    const number = param(req, "phoneNumber");
    store.importNumbers(param(req, "agentId"), [number], body?.clientEnv ?? DEFAULT_CLIENT_ENV);
    return { imported: number };
  },
  reassignPhoneNumber: (store, req) =>
    store.reassignNumber(
      param(req, "agentId"),
      param(req, "phoneNumber"),
      (req.body as Schemas["ReassignPhoneNumberBody"]).connectorId,
    ),
  deletePhoneNumber: (store, req) =>
    store.deleteNumber(param(req, "agentId"), param(req, "phoneNumber")),
  // #23: outbound calls, from one book; the environment query is required and checked.
  createOutboundCall: (store, req, calls) =>
    calls.place(store, param(req, "agentId"), req.body as Schemas["InitiateOutboundCallBody"]),
  getOutboundCallStatus: (_store, req, calls) =>
    calls.read(
      param(req, "agentId"),
      param(req, "callSid"),
      req.query.get("environment") as Schemas["ClientEnv"],
    ),
  deletePhoneNumbers: (store, req) =>
    store.deleteNumbers(
      param(req, "agentId"),
      (req.body as Schemas["DeletePhoneNumbersBody"]).phoneNumbers,
    ),
};
