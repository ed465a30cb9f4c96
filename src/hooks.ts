// What the spec cannot say, by operationId: checks that an answer answers what was
// asked, and dry runs. Everything else about an operation is generated. Keyed by
// the generated OperationId, so a hook for an operation that does not exist, or an
// `x-sdk-dry-run` operation without its dry run, fails to compile.
import type { OperationId, operations } from "../generated/operations.js";
import type { operations as Ops } from "../generated/openapi.js";
import type { Resources } from "../generated/resources.js";
import type { WithResponse } from "./api-promise.js";
import type { RequestOptions } from "./options.js";
import { applyConnectorPatch } from "./patch.js";
import type { BatchUpdateItem, BatchUpdateResult } from "./types.js";
import { quote } from "./internal/validate.js";

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
  /** The result of the call without writing, read through the resources, with that read's answer. */
  readonly dryRun?: (
    poly: Resources,
    call: CallContext,
    options: RequestOptions | undefined,
  ) => Promise<WithResponse<unknown>>;
}

type DryRunOperation = {
  [K in OperationId]: (typeof operations)[K] extends { dryRun: true } ? K : never;
}[OperationId];

type Hooks = { readonly [K in OperationId]?: Hook<K> } & {
  readonly [K in DryRunOperation]: Hook<K> & Required<Pick<Hook<K>, "dryRun">>;
};

type Check = (answer: object, call: CallContext) => string | null;

/** The argument `name` of the call: a path parameter or a body field. */
function argument(call: CallContext, name: string): string {
  return call.path[name] ?? (call.body as Record<string, string> | undefined)?.[name] ?? "";
}

/**
 * The answer's `field` is the argument `name` of the call: the connector or number
 * asked for (a proxy or cache could mix them up). `label` starts the message.
 */
function echoes(field: string, name: string, label = `${field} is`): Check {
  return (answer, call) => {
    const want = argument(call, name);
    const got = (answer as Record<string, string | undefined>)[field];
    return got === want
      ? null
      : `${label} ${got === undefined ? "absent" : call.show(got)}, not the requested ${quote(want)}`;
  };
}

/**
 * The answer's lists name each item of the request's list `from` exactly once and
 * nothing else: `[list, key]` reads `answer[list][i][key]`, `[list]` the items.
 */
function covers(from: string, ...lists: (readonly [list: string, key?: string])[]): Check {
  return (answer, call) => {
    const requested = (call.body as Record<string, string[]>)[from] ?? [];
    const left = new Set(requested);
    for (const [list, key] of lists) {
      const items = (answer as Record<string, Record<string, string>[]>)[list] ?? [];
      for (const [i, item] of items.entries()) {
        const id = key ? item[key] : (item as unknown as string);
        if (id !== undefined && left.delete(id)) continue;
        const field = key ? `${list}[${i}].${key}` : `${list}[${i}]`;
        const why = requested.includes(id ?? "") ? "already answered" : "not requested";
        return `${field} is ${call.show(String(id))}, which was ${why}`;
      }
    }
    const [missing] = left;
    const names = lists.map(([list]) => list);
    const where = names.length > 1 ? `in neither ${names.join(" nor ")}` : `not in ${names[0]}`;
    return missing === undefined ? null : `${call.show(missing)} is ${where}`;
  };
}

const sameConnector = echoes("connectorId", "connectorId", "it is connector");

/**
 * What to say about a 404, when the arguments look swapped: PolyAI's agent IDs are
 * Agent Studio project IDs (`PROJECT-…`), so one in another parameter is a likely
 * mix-up of the argument order (issue 14).
 * @internal
 */
export function notFoundHint({ path }: CallContext): string | undefined {
  const swapped = Object.entries(path).find(
    ([name, v]) => name !== "agentId" && /^PROJECT-/.test(v),
  );
  return swapped
    ? `${swapped[0]} ${quote(swapped[1])} looks like an agent ID: are the arguments swapped? The order is (agentId, ${swapped[0]}, …)`
    : undefined;
}

/** @internal */
export const hooks: Hooks = {
  getConnector: { check: sameConnector },
  updateConnector: {
    check: sameConnector,
    dryRun: async (poly, { path, body }, options) => {
      const read = await poly.connectors
        .get(path["agentId"] ?? "", path["connectorId"] ?? "", options)
        .withResponse();
      const patch = body as Ops["updateConnector"]["requestBody"]["content"]["application/json"];
      return { ...read, response: read.response, data: applyConnectorPatch(read.data, patch) };
    },
  },
  deleteConnector: { check: echoes("deletedConnector", "connectorId") },
  batchGetConnectors: { check: covers("connectorIds", ["found", "connectorId"], ["notFound"]) },
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
      const read = await poly.connectors
        .batchGet(
          path["agentId"] ?? "",
          updates.map((u) => u.connectorId),
          options,
        )
        .withResponse();
      const byId = new Map(read.data.found.map((c) => [c.connectorId, c]));
      const data = updates.map(({ connectorId, ...patch }): BatchUpdateResult => {
        const current = byId.get(connectorId);
        return current
          ? { connectorId, success: true, data: applyConnectorPatch(current, patch) }
          : { connectorId, success: false, error: `Connector ${connectorId} not found (dry run)` };
      });
      return { ...read, response: read.response, data };
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
  getPhoneNumber: { check: echoes("number", "phoneNumber") },
  importPhoneNumber: { check: echoes("imported", "phoneNumber") },
  deletePhoneNumber: { check: echoes("deleted", "phoneNumber") },
  reassignPhoneNumber: {
    check: (answer, call) =>
      echoes("number", "phoneNumber")(answer, call) ??
      echoes("connectorId", "connectorId")(answer, call),
  },
  batchGetPhoneNumbers: { check: covers("phoneNumbers", ["found", "number"], ["notFound"]) },
  // On success the answer lists every number of the request, each once.
  importPhoneNumbers: { check: covers("phoneNumbers", ["imported"]) },
  // #23: the status read is of the call asked about.
  getOutboundCallStatus: { check: echoes("callSid", "callSid", "it is call") },
  deletePhoneNumbers: {
    check: covers("phoneNumbers", ["deleted"], ["errors", "phoneNumber"]),
  },
};
