// The one call path of every generated method: check the arguments against the
// operation's row of generated/operations.ts, send (internal/exchange.ts), check
// the answer against the spec and the operation's hooks. It knows no operation by
// name.
import type { Client } from "openapi-fetch";
import {
  operations,
  type OperationId,
  type OperationSpec,
  type Rule,
} from "../../generated/operations.js";
import type { paths } from "../../generated/openapi.js";
import type { Resources } from "../../generated/resources.js";
import { APIPromise, type WithResponse } from "../api-promise.js";
import { CallOutcomeUnknownError } from "../call-outcome-unknown-error.js";
import { APIError, errorFromResponse } from "../errors.js";
import { hooks, notFoundHint, type CallContext, type Hook } from "../hooks.js";
import type { RequestOptions } from "../options.js";
import { redactInputError } from "./redact.js";
import type { Transport } from "./transport-types.js";
import { describeType, isPlainObject, quote } from "./validate.js";
import { answerProblem } from "./answer.js";
import { mayHaveActed } from "./at-most-once.js";
import { bodiless } from "./attempt.js";
import { checkArguments, checkOptions, type Arguments } from "./arguments.js";
import {
  exchangeDirect,
  exchangeThroughClient,
  type Endpoint,
  type Exchanged,
} from "./exchange.js";
import { scrubBody } from "./scrub.js";

/** Calls operation `id` with the method's arguments, as the generated signature orders them. @internal */
export type Call = (id: OperationId, args: readonly unknown[]) => Promise<WithResponse<unknown>>;

/** The data with its answer; the Response is built only if someone asks for it. */
function withResponse(data: unknown, got: Exchanged): WithResponse<unknown> {
  let response: Response | undefined;
  return {
    data,
    correlationId: got.request?.correlationId ?? "",
    attempts: got.attempts,
    get response() {
      response ??= new Response(bodiless(got.status) ? null : (got.data ?? null), {
        status: got.status,
        headers: got.headers,
      });
      return response;
    },
  };
}

/** The rule of the answer's status: the documented one, else the only documented 2xx. */
function answerRule(op: OperationSpec, status: number): Rule | null | undefined {
  const documented = op.answers as Readonly<Record<number, Rule | null>>;
  if (status in documented) return documented[status];
  const all = Object.values(documented);
  return all.length === 1 ? all[0] : undefined;
}

/**
 * #23: an at-most-once request's error answer after which it may have taken effect
 * (500, 504, a 2xx that could not be read), as CallOutcomeUnknownError; else `err`.
 */
function outcomeUnknown(op: OperationSpec, err: unknown, got: Exchanged): unknown {
  const rule = op.atMostOnce;
  if (!rule || !(err instanceof APIError) || !mayHaveActed(rule, err.status)) return err;
  return new CallOutcomeUnknownError(err, { request: got.request, attempts: got.attempts });
}

/** Builds the call function of one client. @internal */
export function createCall(
  raw: Client<paths>,
  transport: Transport,
  redact: (text: string) => string,
  resources: () => Resources,
  endpoint: Endpoint,
  middleware: () => boolean,
): Call {
  // Server values quoted in a message: redacted before shortening, so a cut cannot split the key.
  const show = (value: string) => quote(redact(value));
  const contextOf = (args: Arguments): CallContext => ({
    path: args.path,
    body: args.body,
    query: args.query,
    show,
  });

  /** The answer's value, once it is a documented success that answers the call. */
  function accept(
    id: OperationId,
    op: OperationSpec,
    args: Arguments,
    got: Exchanged,
  ): WithResponse<unknown> {
    const { data, error } = got;
    const meta = {
      status: got.status,
      headers: got.headers,
      request: got.request,
      attempts: got.attempts,
    };
    const context = contextOf(args);
    if (got.status < 200 || got.status > 299) {
      // A swapped agent and connector ID answers 404, or 403 for an agent the key cannot reach.
      const hint = got.status === 404 || got.status === 403 ? notFoundHint(context) : undefined;
      throw errorFromResponse({
        ...meta,
        body: scrubBody(error, redact),
        hint: hint && redact(hint),
      });
    }
    let parsed: unknown;
    const invalid = (message: string) =>
      new APIError({
        ...meta,
        // Parsed when it is JSON, so that scrubbing also sees through JSON escapes.
        body: scrubBody(parsed ?? data, redact),
        code: "INVALID_RESPONSE",
        // The message quotes values the server sent, which could echo the key.
        message: redact(
          op.write ? `${message}; the write may have been applied, so read it back` : message,
        ),
      });
    const rule = answerRule(op, got.status);
    if (rule === undefined)
      throw invalid(`the answer's status ${got.status} is not one the API documents for ${id}`);
    if (rule === null) return withResponse(undefined, got);
    if (data === undefined) throw invalid("the answer has no body; expected JSON");
    try {
      parsed = JSON.parse(data);
    } catch {
      throw invalid(
        `the answer is not valid JSON (${data.length} characters, starting ${quote(String(scrubBody(data, redact)))})`,
      );
    }
    if (!isPlainObject(parsed))
      throw invalid(`expected a JSON object, got ${describeType(parsed)}`);
    const hook = hooks[id] as Hook<OperationId> | undefined;
    const problem = answerProblem(parsed, rule) ?? hook?.check?.(parsed as never, context) ?? null;
    if (problem) throw invalid(`the answer does not match the API: ${problem}`);
    return withResponse(op.returns === undefined ? parsed : parsed[op.returns], got);
  }

  return async function call(id, rawArgs) {
    try {
      const op: OperationSpec = operations[id];
      const args = checkArguments(op, rawArgs);
      const options = checkOptions(args.options, op);
      if (options.dryRun) {
        const { dryRun: _, ...readOptions } = args.options as Record<string, unknown>;
        const context = contextOf(args);
        const hook = hooks[id] as Hook<OperationId>;
        return await (hook.dryRun as NonNullable<Hook<OperationId>["dryRun"]>)(
          resources(),
          context,
          readOptions as RequestOptions,
        );
      }
      const got = middleware()
        ? await exchangeThroughClient(raw, transport, op, args, options)
        : await exchangeDirect(transport, endpoint, op, args, options);
      try {
        return accept(id, op, args, got);
      } catch (err) {
        throw outcomeUnknown(op, err, got);
      }
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
    (out[op.resource] ??= {})[op.name] = (...args: unknown[]) => new APIPromise(call(id, args));
  }
  for (const resource of Object.values(out)) Object.freeze(resource);
  return Object.freeze(out) as unknown as Resources;
}
