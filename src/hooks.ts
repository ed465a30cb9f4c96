// What the spec cannot say, by operationId: checks that an answer answers what was
// asked, and dry runs. Everything else about an operation is generated. Keyed by
// the generated OperationId, so a hook for an operation that does not exist, or an
// `x-sdk-dry-run` operation without its dry run, fails to compile.
import type { OperationId, operations } from "../generated/operations.js";
import type { operations as Ops } from "../generated/openapi.js";
import type { Resources } from "../generated/resources.js";
import type { RequestOptions } from "./options.js";
import { applyConnectorPatch } from "./patch.js";
import type { BatchUpdateItem, BatchUpdateResult, Connector } from "./types.js";
import { quote } from "./validate.js";

/** What a hook knows of the call: its checked arguments. @internal */
export interface CallContext {
  readonly path: Readonly<Record<string, string>>;
  readonly body: unknown;
  readonly query: unknown;
  /** Quotes a value the server sent, redacted before it is shortened. */
  readonly show: (value: string) => string;
}

type Answer<K extends OperationId> = Ops[K]["responses"] extends
  | { 200: { content: { "application/json": infer T } } }
  | { 201: { content: { "application/json": infer T } } }
  ? T
  : unknown;

/** The hooks of one operation. @internal */
export interface Hook<K extends OperationId> {
  /** Why a 2xx answer that matches the spec still does not answer the call, or null. */
  readonly check?: (answer: Answer<K>, call: CallContext) => string | null;
  /** The result of the call without writing, read through the resources. */
  readonly dryRun?: (
    poly: Resources,
    call: CallContext,
    options: RequestOptions | undefined,
  ) => Promise<unknown>;
}

type DryRunOperation = {
  [K in OperationId]: (typeof operations)[K] extends { dryRun: true } ? K : never;
}[OperationId];

type Hooks = { readonly [K in OperationId]?: Hook<K> } & {
  readonly [K in DryRunOperation]: Hook<K> & Required<Pick<Hook<K>, "dryRun">>;
};

/** The answer is the connector that was asked for (a proxy or cache could mix them up). */
function sameConnector(answer: Connector, { path, show }: CallContext): string | null {
  const want = path["connectorId"] ?? "";
  return answer.connectorId === want
    ? null
    : `it is connector ${show(answer.connectorId)}, not the requested ${quote(want)}`;
}

/** Null when the answered IDs name each requested ID exactly once and nothing else. */
function coversOnce(
  show: (value: string) => string,
  requested: readonly string[],
  answered: readonly (readonly [field: string, id: string])[],
  missingFrom = "is in neither found nor notFound",
): string | null {
  const left = new Set(requested);
  for (const [field, id] of answered) {
    if (!left.delete(id))
      return `${field} is ${show(id)}, which was ${requested.includes(id) ? "already answered" : "not requested"}`;
  }
  const [missing] = left;
  return missing === undefined ? null : `${show(missing)} ${missingFrom}`;
}

/** The answer is about the number in the path. */
function sameNumber(field: string, answered: string, { path, show }: CallContext): string | null {
  const want = path["phoneNumber"] ?? "";
  return answered === want
    ? null
    : `${field} is ${show(answered)}, not the requested ${quote(want)}`;
}

/** The requested numbers of a phone-number batch. */
const numbersOf = (call: CallContext) => (call.body as { phoneNumbers: string[] }).phoneNumbers;

/** @internal */
export const hooks: Hooks = {
  getConnector: { check: sameConnector },
  updateConnector: {
    check: sameConnector,
    dryRun: async (poly, { path, body }, options) =>
      applyConnectorPatch(
        await poly.connectors.get(path["agentId"] ?? "", path["connectorId"] ?? "", options),
        body as Ops["updateConnector"]["requestBody"]["content"]["application/json"],
      ),
  },
  deleteConnector: {
    check: (answer, { path, show }) =>
      answer.deletedConnector === path["connectorId"]
        ? null
        : `deletedConnector is ${show(answer.deletedConnector)}, not the requested ${quote(path["connectorId"] ?? "")}`,
  },
  batchGetConnectors: {
    check: (answer, { body, show }) =>
      coversOnce(show, (body as { connectorIds: string[] }).connectorIds, [
        ...answer.found.map((c, i) => [`found[${i}].connectorId`, c.connectorId] as const),
        ...answer.notFound.map((id, i) => [`notFound[${i}]`, id] as const),
      ]),
  },
  batchUpdateConnectors: {
    // The spec: one result per update, in request order.
    check: ({ results }, { body, show }) => {
      const { updates } = body as { updates: BatchUpdateItem[] };
      if (results.length !== updates.length)
        return `${results.length} results for ${updates.length} updates`;
      for (const [i, r] of results.entries()) {
        const want = updates[i]?.connectorId ?? "";
        if (r.connectorId !== want)
          return `results[${i}] is for ${show(r.connectorId)}, but updates[${i}] is for ${quote(want)}`;
        if (r.success && r.data.connectorId !== want)
          return `results[${i}].data is connector ${show(r.data.connectorId)}, not ${quote(want)}`;
      }
      return null;
    },
    dryRun: async (poly, { path, body }, options) => {
      const { updates } = body as { updates: BatchUpdateItem[] };
      const { found } = await poly.connectors.batchGet(
        path["agentId"] ?? "",
        updates.map((u) => u.connectorId),
        options,
      );
      const byId = new Map(found.map((c) => [c.connectorId, c]));
      return updates.map(({ connectorId, ...patch }): BatchUpdateResult => {
        const current = byId.get(connectorId);
        return current
          ? { connectorId, success: true, data: applyConnectorPatch(current, patch) }
          : { connectorId, success: false, error: `Connector ${connectorId} not found (dry run)` };
      });
    },
  },
  listPhoneNumbers: {
    // A filtered list holds only numbers routed to that connector.
    check: ({ phoneNumbers }, { query, show }) => {
      const want = (query as { connectorId?: string } | undefined)?.connectorId;
      const i = want === undefined ? -1 : phoneNumbers.findIndex((n) => n.connectorId !== want);
      const stray = phoneNumbers[i];
      return stray
        ? `phoneNumbers[${i}] routes to ${show(stray.connectorId ?? "no connector")}, not the filter's ${quote(want ?? "")}`
        : null;
    },
  },
  getPhoneNumber: { check: (answer, call) => sameNumber("number", answer.number, call) },
  importPhoneNumber: { check: (answer, call) => sameNumber("imported", answer.imported, call) },
  deletePhoneNumber: { check: (answer, call) => sameNumber("deleted", answer.deleted, call) },
  reassignPhoneNumber: {
    check: (answer, call) => {
      const want = (call.body as { connectorId: string }).connectorId;
      return (
        sameNumber("number", answer.number, call) ??
        (answer.connectorId === want
          ? null
          : `connectorId is ${call.show(answer.connectorId ?? "absent")}, not the requested ${quote(want)}`)
      );
    },
  },
  batchGetPhoneNumbers: {
    check: (answer, call) =>
      coversOnce(call.show, numbersOf(call), [
        ...answer.found.map((n, i) => [`found[${i}].number`, n.number] as const),
        ...answer.notFound.map((n, i) => [`notFound[${i}]`, n] as const),
      ]),
  },
  importPhoneNumbers: {
    // On success the answer lists every number of the request, each once.
    check: (answer, call) =>
      coversOnce(
        call.show,
        numbersOf(call),
        answer.imported.map((n, i) => [`imported[${i}]`, n] as const),
        "is not in imported",
      ),
  },
  deletePhoneNumbers: {
    check: (answer, call) =>
      coversOnce(
        call.show,
        numbersOf(call),
        [
          ...answer.deleted.map((n, i) => [`deleted[${i}]`, n] as const),
          ...answer.errors.map((e, i) => [`errors[${i}].phoneNumber`, e.phoneNumber] as const),
        ],
        "is in neither deleted nor errors",
      ),
  },
};
