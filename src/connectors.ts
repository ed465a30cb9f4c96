// poly.connectors: one method per operation of the spec. Each method checks its
// input completely before it sends anything, calls the typed openapi-fetch client,
// and turns any answer that is not a success into a typed error.
import type { Client } from "openapi-fetch";
import {
  answerShapes,
  batchGetConnectorId,
  batchUpdateItem,
  bodyLimits,
  lookupConnectorBody,
  pathParams,
  reservedConnectorIds,
} from "../generated/constraints.js";
import type { paths } from "../generated/openapi.js";
import { shapeProblem } from "./answer.js";
import { keyRedactor, redactInputError } from "./redact.js";
import { APIError, InvalidInputError, errorFromResponse } from "./errors.js";
import { applyConnectorPatch, cleanPatch } from "./patch.js";
import { answerInfo, type CallOverrides, type Transport } from "./transport.js";
import type {
  BatchGetResult,
  BatchUpdateItem,
  BatchUpdateResult,
  Connector,
  ConnectorPatch,
  DeleteConnectorResult,
} from "./types.js";
import {
  checkHeaders,
  checkRetrySettings,
  checkString,
  describeType,
  isPlainObject,
  quote,
} from "./validate.js";

/** Options of a single call. */
export interface RequestOptions {
  /** Cancels the call at once, including any wait between retries. Never retried. */
  signal?: AbortSignal | undefined;
  /** Extra headers for this call only. */
  headers?: Record<string, string> | undefined;
  /** Overrides the client's `maxRetries` for this call. */
  maxRetries?: number | undefined;
  /** Overrides the client's `timeoutMs` (per attempt) for this call. */
  timeoutMs?: number | undefined;
}

/** Options of a call that writes. */
export interface WriteOptions extends RequestOptions {
  /**
   * Do not write: read the current state and return what the write would produce
   * (via {@link applyConnectorPatch}). The server's TTS probe of a new voice is not
   * run, so a dry run cannot tell that a well-formed voice does not exist.
   */
  dryRun?: boolean | undefined;
}

/** The methods of `poly.connectors`. */
export interface ConnectorsResource {
  /** Every connector of the agent. */
  list(agentId: string, options?: RequestOptions): Promise<Connector[]>;
  /** One connector. @throws {NotFoundError} when it does not exist. */
  get(agentId: string, connectorId: string, options?: RequestOptions): Promise<Connector>;
  /**
   * Changes exactly the fields named in `patch`; `variantId: null` unassigns the
   * variant. Returns the connector after the change.
   */
  update(
    agentId: string,
    connectorId: string,
    patch: ConnectorPatch,
    options?: WriteOptions,
  ): Promise<Connector>;
  /** Deletes the connector and releases its phone numbers. */
  delete(
    agentId: string,
    connectorId: string,
    options?: RequestOptions,
  ): Promise<DeleteConnectorResult>;
  /** Reads several connectors; unknown IDs are listed in `notFound`. */
  batchGet(
    agentId: string,
    connectorIds: readonly string[],
    options?: RequestOptions,
  ): Promise<BatchGetResult>;
  /**
   * Applies several patches, each independently: check `success` on each result.
   * Resolves even when some items fail; rejects only when the whole request does.
   */
  batchUpdate(
    agentId: string,
    updates: readonly BatchUpdateItem[],
    options?: WriteOptions,
  ): Promise<BatchUpdateResult[]>;
  /** The connector serving an E.164 phone number. */
  lookup(agentId: string, phoneNumber: string, options?: RequestOptions): Promise<Connector>;
}

// Keyed by the option types, so an option added there without being listed here fails to compile.
const READ_OPTIONS = {
  signal: true,
  headers: true,
  maxRetries: true,
  timeoutMs: true,
} satisfies Record<keyof RequestOptions, true>;
const READ_KEYS = new Set(Object.keys(READ_OPTIONS));
const WRITE_KEYS = new Set(
  Object.keys({ ...READ_OPTIONS, dryRun: true } satisfies Record<keyof WriteOptions, true>),
);
const RESERVED = new Set(reservedConnectorIds);
// The methods that change state; this API's POSTs are reads (batch get, lookup).
const WRITE_METHODS = new Set(["PATCH", "PUT", "DELETE"]);

/** What a call hands openapi-fetch besides path and body. */
interface CallInit {
  signal?: AbortSignal;
  headers?: Headers;
  fetch?: (request: Request) => Promise<Response>;
}

interface Checked {
  readonly init: CallInit;
  readonly dryRun: boolean;
}

type Answer = { data?: unknown; error?: unknown; response: Response };

/** @internal */
export function createConnectors(
  raw: Client<paths>,
  transport: Transport,
  apiKey: string,
): ConnectorsResource {
  const redact = keyRedactor(apiKey);
  // Server values quoted in a message: redacted before shortening, so a cut cannot split the key.
  const show = (value: string) => quote(redact(value));
  const NO_SIGNAL: CallOverrides = { signal: undefined };
  const plainFetch = (request: Request) => transport(request, NO_SIGNAL);
  function options(value: unknown, allowed: ReadonlySet<string>): Checked {
    if (value === undefined) return { init: { fetch: plainFetch }, dryRun: false };
    if (!isPlainObject(value))
      throw new InvalidInputError("options", `expected an object, got ${describeType(value)}`);
    for (const key of Object.keys(value)) {
      if (!allowed.has(key))
        throw new InvalidInputError(
          `options.${key}`,
          `is not an option of this call; known options are ${[...allowed].join(", ")}`,
        );
    }
    const init: CallInit = {};
    const { signal, headers, dryRun } = value;
    if (signal !== undefined) {
      if (!(signal instanceof AbortSignal))
        throw new InvalidInputError(
          "options.signal",
          `expected an AbortSignal, got ${describeType(signal)}`,
        );
      init.signal = signal;
    }
    if (headers !== undefined) init.headers = checkHeaders(headers, "options.headers");
    if (dryRun !== undefined && typeof dryRun !== "boolean")
      throw new InvalidInputError(
        "options.dryRun",
        `expected a boolean, got ${describeType(dryRun)}`,
      );
    const retry = checkRetrySettings(value, "options");
    const overrides: CallOverrides = {
      maxRetries: retry.maxRetries,
      timeoutMs: retry.timeoutMs,
      signal: init.signal,
    };
    init.fetch = (request) => transport(request, overrides);
    return { init, dryRun: dryRun === true };
  }

  function agent(value: unknown): string {
    checkString(value, pathParams.agentId, "agentId", "agent ID");
    return value as string;
  }

  function connector(value: unknown): string {
    if (typeof value === "string" && RESERVED.has(value)) {
      throw new InvalidInputError(
        "connectorId",
        `${quote(value)} is reserved: .../connectors/${value} is the ${value} endpoint, not a connector`,
      );
    }
    checkString(value, pathParams.connectorId, "connectorId", "connector ID");
    return value as string;
  }

  function scrub(body: unknown, depth = 0): unknown {
    // A proxy that echoes the request would put the key into an error body. Past a
    // sane depth the rest is dropped: a hostile body must not overflow the stack.
    if (depth > 64) return "[too deep]";
    if (typeof body === "string") return redact(body);
    if (Array.isArray(body)) return body.map((v) => scrub(v, depth + 1));
    if (body && typeof body === "object")
      return Object.fromEntries(
        Object.entries(body).map(([k, v]) => [scrub(k), scrub(v, depth + 1)]),
      );
    return body;
  }

  /**
   * The answer's JSON, once it has the structure the spec gives the operation's 200
   * and passes `check` (that it answers what was asked). A write's answer that fails
   * says so: the write itself may have been applied.
   */
  async function unwrap<T>(
    pending: Promise<Answer>,
    operationId: string,
    check?: (answer: T) => string | null,
  ): Promise<T> {
    const { data, error, response } = await pending;
    const { attempts, request } = answerInfo(response);
    const write = WRITE_METHODS.has(request?.method ?? "");
    const init = { status: response.status, headers: response.headers, request, attempts };
    if (!response.ok) throw errorFromResponse({ ...init, body: scrub(error) });
    const invalid = (message: string) =>
      new APIError({
        ...init,
        // Parsed when it is JSON, so that scrubbing also sees through JSON escapes.
        body:
          parsed !== undefined ? scrub(parsed) : typeof data === "string" ? scrub(data) : undefined,
        code: "INVALID_RESPONSE",
        // The message quotes values the server sent, which could echo the key.
        message: redact(
          write
            ? `${message}; the write may have been applied, so read the connectors back`
            : message,
        ),
      });
    let parsed: unknown;
    if (typeof data !== "string" || data === "")
      throw invalid("the answer has no body; expected JSON");
    try {
      parsed = JSON.parse(data);
    } catch {
      throw invalid(
        `the answer is not valid JSON (${data.length} characters, starting ${quote(String(scrub(data)))})`,
      );
    }
    if (!isPlainObject(parsed))
      throw invalid(`expected a JSON object, got ${describeType(parsed)}`);
    const shape = answerShapes[operationId];
    const problem = (shape && shapeProblem(parsed, shape)) ?? check?.(parsed as T) ?? null;
    if (problem) throw invalid(`the answer does not match the API: ${problem}`);
    return parsed as T;
  }

  function ids(value: unknown): string[] {
    if (!Array.isArray(value))
      throw new InvalidInputError(
        "connectorIds",
        `expected an array of connector IDs, got ${describeType(value)}`,
      );
    if (value.length < bodyLimits.batchGetMinItems)
      throw new InvalidInputError(
        "connectorIds",
        `must contain at least ${bodyLimits.batchGetMinItems} connector ID`,
      );
    const seen = new Map<string, number>();
    const out: string[] = [];
    // An index loop, not forEach: a hole in a sparse array must be checked, not
    // skipped, or JSON.stringify would send it as null.
    for (let i = 0; i < value.length; i++) {
      const id: unknown = value[i];
      checkString(id, batchGetConnectorId, `connectorIds[${i}]`, "connector ID");
      const first = seen.get(id as string);
      if (first !== undefined && bodyLimits.batchGetUniqueItems)
        throw new InvalidInputError(
          `connectorIds[${i}]`,
          `${quote(id as string)} duplicates connectorIds[${first}]`,
        );
      seen.set(id as string, i);
      out.push(id as string);
    }
    return out;
  }

  function updates(value: unknown): BatchUpdateItem[] {
    if (!Array.isArray(value))
      throw new InvalidInputError(
        "updates",
        `expected an array of updates, got ${describeType(value)}`,
      );
    if (value.length < bodyLimits.batchUpdateMinItems)
      throw new InvalidInputError(
        "updates",
        `must contain at least ${bodyLimits.batchUpdateMinItems} update`,
      );
    const seen = new Map<string, number>();
    const out: BatchUpdateItem[] = [];
    for (let i = 0; i < value.length; i++) {
      const clean = cleanPatch<BatchUpdateItem>(
        value[i],
        `updates[${i}]`,
        batchUpdateItem,
        bodyLimits.batchUpdateItemRequired,
      );
      const first = seen.get(clean.connectorId);
      if (first !== undefined) {
        throw new InvalidInputError(
          `updates[${i}].connectorId`,
          `${quote(clean.connectorId)} is already updated by updates[${first}]; merge the two patches into one`,
        );
      }
      seen.set(clean.connectorId, i);
      out.push(clean);
    }
    return out;
  }

  const one = "/v1/agents/{agentId}/telephony/connectors/{connectorId}" as const;
  const all = "/v1/agents/{agentId}/telephony/connectors" as const;
  const batch = "/v1/agents/{agentId}/telephony/connectors/batch" as const;

  const resource: ConnectorsResource = {
    async list(agentId, opts) {
      const path = { agentId: agent(agentId) };
      const { init } = options(opts, READ_KEYS);
      const body = await unwrap<{ connectors: Connector[] }>(
        raw.GET(all, { params: { path }, parseAs: "text", ...init }),
        "listConnectors",
      );
      return body.connectors;
    },

    async get(agentId, connectorId, opts) {
      const path = { agentId: agent(agentId), connectorId: connector(connectorId) };
      const { init } = options(opts, READ_KEYS);
      return unwrap<Connector>(
        raw.GET(one, { params: { path }, parseAs: "text", ...init }),
        "getConnector",
        sameConnector(path.connectorId, show),
      );
    },

    async update(agentId, connectorId, patch, opts) {
      const path = { agentId: agent(agentId), connectorId: connector(connectorId) };
      const body = cleanPatch<ConnectorPatch>(patch, "patch");
      const { init, dryRun } = options(opts, WRITE_KEYS);
      if (dryRun)
        return applyConnectorPatch(await resource.get(agentId, connectorId, readOnly(opts)), body);
      return unwrap<Connector>(
        raw.PATCH(one, { params: { path }, body, parseAs: "text", ...init }),
        "updateConnector",
        sameConnector(path.connectorId, show),
      );
    },

    async delete(agentId, connectorId, opts) {
      const path = { agentId: agent(agentId), connectorId: connector(connectorId) };
      const { init } = options(opts, READ_KEYS);
      return unwrap<DeleteConnectorResult>(
        raw.DELETE(one, { params: { path }, parseAs: "text", ...init }),
        "deleteConnector",
        (answer) =>
          answer.deletedConnector === path.connectorId
            ? null
            : `deletedConnector is ${show(answer.deletedConnector)}, not the requested ${quote(path.connectorId)}`,
      );
    },

    async batchGet(agentId, connectorIds, opts) {
      const path = { agentId: agent(agentId) };
      const body = { connectorIds: ids(connectorIds) };
      const { init } = options(opts, READ_KEYS);
      return unwrap<BatchGetResult>(
        raw.POST(batch, { params: { path }, body, parseAs: "text", ...init }),
        "batchGetConnectors",
        (answer) =>
          coversOnce(show, body.connectorIds, [
            ...answer.found.map((c, i) => [`found[${i}].connectorId`, c.connectorId] as const),
            ...answer.notFound.map((id, i) => [`notFound[${i}]`, id] as const),
          ]),
      );
    },

    async batchUpdate(agentId, items, opts) {
      const path = { agentId: agent(agentId) };
      const body = { updates: updates(items) };
      const { init, dryRun } = options(opts, WRITE_KEYS);
      if (dryRun) {
        const { found } = await resource.batchGet(
          agentId,
          body.updates.map((u) => u.connectorId),
          readOnly(opts),
        );
        const byId = new Map(found.map((c) => [c.connectorId, c]));
        return body.updates.map(({ connectorId, ...patch }): BatchUpdateResult => {
          const current = byId.get(connectorId);
          return current
            ? { connectorId, success: true, data: applyConnectorPatch(current, patch) }
            : {
                connectorId,
                success: false,
                error: `Connector ${connectorId} not found (dry run)`,
              };
        });
      }
      const answer = await unwrap<{ results: BatchUpdateResult[] }>(
        raw.PATCH(batch, { params: { path }, body, parseAs: "text", ...init }),
        "batchUpdateConnectors",
        ({ results }) => {
          // The spec: one result per update, in request order.
          if (results.length !== body.updates.length)
            return `${results.length} results for ${body.updates.length} updates`;
          for (const [i, r] of results.entries()) {
            const want = body.updates[i]?.connectorId ?? "";
            if (r.connectorId !== want)
              return `results[${i}] is for ${show(r.connectorId)}, but updates[${i}] is for ${quote(want)}`;
            if (r.success && r.data.connectorId !== want)
              return `results[${i}].data is connector ${show(r.data.connectorId)}, not ${quote(want)}`;
          }
          return null;
        },
      );
      return answer.results;
    },

    async lookup(agentId, phoneNumber, opts) {
      const path = { agentId: agent(agentId) };
      checkString(
        phoneNumber,
        lookupConnectorBody.phoneNumber,
        "phoneNumber",
        "E.164 phone number (+ then 1 to 15 digits, the first not 0)",
      );
      const { init } = options(opts, READ_KEYS);
      return unwrap<Connector>(
        raw.POST("/v1/agents/{agentId}/telephony/connectors/lookup", {
          params: { path },
          body: { phoneNumber },
          parseAs: "text",
          ...init,
        }),
        "lookupConnector",
      );
    },
  };
  // Input errors quote the value that was refused; if the caller passed the key
  // as an ID or a voice name, that quote must not show it.
  for (const name of Object.keys(resource) as (keyof ConnectorsResource)[]) {
    const method = resource[name] as (...args: unknown[]) => Promise<unknown>;
    (resource as unknown as Record<string, unknown>)[name] = (...args: unknown[]) =>
      method(...args).catch((err: unknown) => {
        throw redactInputError(err, redact);
      });
  }
  return Object.freeze(resource);
}

/** The check that a connector answer is the connector that was asked for. */
function sameConnector(
  connectorId: string,
  show: (value: string) => string,
): (answer: Connector) => string | null {
  return (answer) =>
    answer.connectorId === connectorId
      ? null
      : `it is connector ${show(answer.connectorId)}, not the requested ${quote(connectorId)}`;
}

/** Null when the answered IDs name each requested ID exactly once and nothing else. */
function coversOnce(
  show: (value: string) => string,
  requested: readonly string[],
  answered: readonly (readonly [field: string, id: string])[],
): string | null {
  const left = new Set(requested);
  for (const [field, id] of answered) {
    if (!left.delete(id))
      return `${field} is ${show(id)}, which was ${requested.includes(id) ? "already answered" : "not requested"}`;
  }
  const [missing] = left;
  return missing === undefined ? null : `${show(missing)} is in neither found nor notFound`;
}

function readOnly(opts: WriteOptions | undefined): RequestOptions | undefined {
  if (!opts) return undefined;
  const { dryRun: _, ...rest } = opts;
  return rest;
}
