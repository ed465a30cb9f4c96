// The one call path of every generated method: check the arguments against the
// operation's row of generated/operations.ts, send through openapi-fetch and the
// transport, check the answer against the spec and the operation's hooks. It knows
// no operation by name.
import type { Client } from "openapi-fetch";
import {
  operations,
  type ObjectRule,
  type OperationId,
  type OperationSpec,
  type Rule,
} from "../../generated/operations.js";
import type { paths } from "../../generated/openapi.js";
import type { Resources } from "../../generated/resources.js";
import { APIError, InvalidInputError, errorFromResponse } from "../errors.js";
import { hooks, type CallContext, type Hook } from "../hooks.js";
import { READ_OPTION_KEYS, WRITE_OPTION_KEYS, type RequestOptions } from "../options.js";
import { redactInputError } from "../redact.js";
import { answerInfo, type CallOverrides, type Transport } from "../transport.js";
import {
  checkHeaders,
  checkRetrySettings,
  describeType,
  isPlainObject,
  quote,
} from "../validate.js";
import { answerProblem } from "./answer.js";
import { checkValue } from "./check.js";
import { suggestKey, unknownKey } from "./keys.js";
import { scrubBody } from "./scrub.js";

/** What a call hands openapi-fetch besides path and body. */
interface CallInit {
  signal?: AbortSignal;
  headers?: Headers;
  fetch: (request: Request) => Promise<Response>;
}

/** The checked arguments of one call. */
interface Arguments {
  readonly path: Record<string, string>;
  readonly body: unknown;
  readonly query: Record<string, unknown> | undefined;
  readonly options: unknown;
}

/** Calls operation `id` with the method's arguments, as the generated signature orders them. @internal */
export type Call = (id: OperationId, args: readonly unknown[]) => Promise<unknown>;

/** Splits and checks the arguments: path parameters, body, query, then options. */
function checkArguments(op: OperationSpec, args: readonly unknown[]): Arguments {
  let next = 0;
  const path: Record<string, string> = {};
  for (const [name, rule] of Object.entries(op.params)) {
    const value = args[next++];
    if (typeof value === "string" && op.reserved?.[name]?.includes(value)) {
      const parent = op.path.split(`/{${name}}`)[0]?.split("/").pop() ?? "";
      throw new InvalidInputError(
        name,
        `${quote(value)} is reserved: .../${parent}/${value} is the ${value} endpoint, not a ${rule.title ?? name}`,
      );
    }
    path[name] = checkValue(value, rule, name) as string;
  }
  let body: unknown;
  if (op.body) {
    const name = op.bodyArg ?? "body";
    if (op.unwrap !== undefined) {
      const unwrapped = args[next++];
      const rule = op.body as ObjectRule;
      let rest: Record<string, unknown> = {};
      if (Object.keys(rule.props).length > 1) {
        const given = args[next++];
        if (given !== undefined) {
          if (!isPlainObject(given))
            throw new InvalidInputError(
              name,
              `expected a plain object, got ${describeType(given)}`,
            );
          if (Object.hasOwn(given, op.unwrap))
            throw new InvalidInputError(
              `${name}.${op.unwrap}`,
              `is passed as its own argument, not in ${name}`,
            );
          rest = given;
        }
      }
      body = checkValue({ [op.unwrap]: unwrapped, ...rest }, rule, name, "");
    } else {
      const given = args[next++];
      body =
        given === undefined && !op.bodyRequired ? undefined : checkValue(given, op.body, name, "");
    }
  }
  let query: Record<string, unknown> | undefined;
  if (op.query) {
    const given = args[next++];
    const name = op.queryArg ?? "query";
    if (given !== undefined) query = checkValue(given, op.query, name) as Record<string, unknown>;
  }
  return { path, body, query, options: args[next] };
}

/** Checks a call's options; `dryRun` only where the operation has a dry run. */
function checkOptions(
  value: unknown,
  op: OperationSpec,
  transport: Transport,
): { init: CallInit; dryRun: boolean } {
  if (value === undefined) return { init: { fetch: plain(transport) }, dryRun: false };
  if (!isPlainObject(value))
    throw new InvalidInputError("options", `expected an object, got ${describeType(value)}`);
  const allowed = op.dryRun ? WRITE_OPTION_KEYS : READ_OPTION_KEYS;
  const unknown = unknownKey(value, allowed);
  if (unknown !== undefined)
    throw new InvalidInputError(
      `options.${unknown}`,
      `is not an option of this call${suggestKey(unknown, allowed)}`,
    );
  const { signal, headers, dryRun } = value;
  if (signal !== undefined && !(signal instanceof AbortSignal))
    throw new InvalidInputError(
      "options.signal",
      `expected an AbortSignal, got ${describeType(signal)}`,
    );
  if (dryRun !== undefined && typeof dryRun !== "boolean")
    throw new InvalidInputError(
      "options.dryRun",
      `expected a boolean, got ${describeType(dryRun)}`,
    );
  const init: Partial<CallInit> = {};
  if (signal !== undefined) init.signal = signal;
  if (headers !== undefined) init.headers = checkHeaders(headers, "options.headers");
  const retry = checkRetrySettings(value, "options");
  const overrides: CallOverrides = {
    maxRetries: retry.maxRetries,
    timeoutMs: retry.timeoutMs,
    signal: init.signal,
  };
  return {
    init: { ...init, fetch: (request) => transport(request, overrides) },
    dryRun: dryRun === true,
  };
}

const NO_SIGNAL: CallOverrides = { signal: undefined };
const plainFetch = new WeakMap<Transport, (request: Request) => Promise<Response>>();
function plain(transport: Transport): (request: Request) => Promise<Response> {
  let fetch = plainFetch.get(transport);
  if (!fetch) {
    fetch = (request) => transport(request, NO_SIGNAL);
    plainFetch.set(transport, fetch);
  }
  return fetch;
}

/** The rule of the answer's status: the documented one, else the only documented 2xx. */
function answerRule(op: OperationSpec, status: number): Rule | null | undefined {
  const documented = op.answers as Readonly<Record<number, Rule | null>>;
  if (status in documented) return documented[status];
  const all = Object.values(documented);
  return all.length === 1 ? all[0] : undefined;
}

/** Builds the call function of one client. @internal */
export function createCall(
  raw: Client<paths>,
  transport: Transport,
  redact: (text: string) => string,
  resources: () => Resources,
): Call {
  // Server values quoted in a message: redacted before shortening, so a cut cannot split the key.
  const show = (value: string) => quote(redact(value));

  async function send(
    id: OperationId,
    op: OperationSpec,
    args: Arguments,
    init: CallInit,
  ): Promise<unknown> {
    const { data, error, response }: { data?: unknown; error?: unknown; response: Response } =
      await raw.request(
        op.method.toLowerCase() as "get",
        op.path as never,
        {
          params: { path: args.path, query: args.query },
          body: args.body,
          parseAs: "text",
          ...init,
        } as never,
      );
    const { attempts, request } = answerInfo(response);
    const meta = { status: response.status, headers: response.headers, request, attempts };
    if (!response.ok) throw errorFromResponse({ ...meta, body: scrubBody(error, redact) });
    let parsed: unknown;
    const invalid = (message: string) =>
      new APIError({
        ...meta,
        // Parsed when it is JSON, so that scrubbing also sees through JSON escapes.
        body:
          parsed !== undefined
            ? scrubBody(parsed, redact)
            : typeof data === "string"
              ? scrubBody(data, redact)
              : undefined,
        code: "INVALID_RESPONSE",
        // The message quotes values the server sent, which could echo the key.
        message: redact(
          op.write ? `${message}; the write may have been applied, so read it back` : message,
        ),
      });
    const rule = answerRule(op, response.status);
    if (rule === undefined)
      throw invalid(
        `the answer's status ${response.status} is not one the API documents for ${id}`,
      );
    if (rule === null) return undefined;
    if (typeof data !== "string" || data === "")
      throw invalid("the answer has no body; expected JSON");
    try {
      parsed = JSON.parse(data);
    } catch {
      throw invalid(
        `the answer is not valid JSON (${data.length} characters, starting ${quote(String(scrubBody(data, redact)))})`,
      );
    }
    if (!isPlainObject(parsed))
      throw invalid(`expected a JSON object, got ${describeType(parsed)}`);
    const context: CallContext = { path: args.path, body: args.body, query: args.query, show };
    const hook = hooks[id] as Hook<OperationId> | undefined;
    const problem = answerProblem(parsed, rule) ?? hook?.check?.(parsed as never, context) ?? null;
    if (problem) throw invalid(`the answer does not match the API: ${problem}`);
    return op.returns === undefined ? parsed : parsed[op.returns];
  }

  return async function call(id, rawArgs) {
    try {
      const op: OperationSpec = operations[id];
      const args = checkArguments(op, rawArgs);
      const { init, dryRun } = checkOptions(args.options, op, transport);
      if (dryRun) {
        const { dryRun: _, ...readOptions } = args.options as Record<string, unknown>;
        const context: CallContext = { path: args.path, body: args.body, query: args.query, show };
        const hook = hooks[id] as Hook<OperationId>;
        return await hook.dryRun?.(resources(), context, readOptions as RequestOptions);
      }
      return await send(id, op, args, init);
    } catch (err) {
      // Input errors quote the value that was refused; if the caller passed the key
      // as an ID or a voice name, that quote must not show it.
      throw redactInputError(err, redact);
    }
  };
}

/** One object per `x-sdk-resource`, one method per `x-sdk-method`. @internal */
export function createResources(call: Call): Resources {
  const out: Record<string, Record<string, (...args: unknown[]) => Promise<unknown>>> = {};
  for (const [id, op] of Object.entries(operations) as [OperationId, OperationSpec][]) {
    (out[op.resource] ??= {})[op.name] = (...args: unknown[]) => call(id, args);
  }
  for (const resource of Object.values(out)) Object.freeze(resource);
  return Object.freeze(out) as unknown as Resources;
}
