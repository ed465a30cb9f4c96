// A generated method's arguments, split and checked by its operation row: path
// parameters in path order, then the body (or its unwrapped property and the rest),
// then the query object, then options. Nothing is sent until all of them pass.
import type { ObjectRule, OperationSpec } from "../../generated/operations.js";
import { InvalidInputError } from "../errors.js";
import { READ_OPTION_KEYS, WRITE_OPTION_KEYS } from "../options.js";
import type { CallOverrides } from "./transport-types.js";
import {
  checkHeaders,
  checkRetrySettings,
  describeType,
  isPlainObject,
  quote,
} from "./validate.js";
import { checkValue, requiredKeys } from "./check.js";
import { checkOptionKeys } from "./option-keys.js";

/** The checked arguments of one call. */
export interface Arguments {
  readonly path: Record<string, string>;
  readonly body: unknown;
  readonly query: Record<string, unknown> | undefined;
  readonly options: unknown;
}

/** Splits and checks the arguments: path parameters, body, query, then options. */
export function checkArguments(op: OperationSpec, args: readonly unknown[]): Arguments {
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
      // The unwrapped property is named bare (`phoneNumbers[2]`), the rest of the body
      // by its argument (`settings.clientEnv`).
      const rule = op.body as ObjectRule;
      const { [op.unwrap]: inner, ...props } = rule.props;
      const unwrapped = checkValue(args[next++], inner as ObjectRule["props"][string], op.unwrap);
      let rest: Record<string, unknown> = {};
      if (Object.keys(props).length > 0) {
        const given = args[next++];
        if (given !== undefined) {
          if (isPlainObject(given) && Object.hasOwn(given, op.unwrap))
            throw new InvalidInputError(
              `${name}.${op.unwrap}`,
              `is passed as its own argument, not in ${name}`,
            );
          const { minProperties: _, ...whole } = rule;
          const restRule: ObjectRule = {
            ...whole,
            props,
            required: requiredKeys(rule).filter((k) => k !== op.unwrap),
          };
          rest = checkValue(given, restRule, name) as Record<string, unknown>;
        }
      }
      body = { [op.unwrap]: unwrapped, ...rest };
    } else {
      const given = args[next++];
      // A required body (a patch) names its fields bare (`voiceName`), as the API does;
      // an optional one, or one that may be left out, is a settings object and names
      // them by it (`settings.clientEnv`).
      const prefix = op.bodyRequired && !op.emptyBody ? "" : `${name}.`;
      // #24: a required body that `{}` satisfies is sent as `{}` when left out.
      if (given === undefined && op.emptyBody) body = {};
      else if (given !== undefined || op.bodyRequired)
        body = checkValue(given, op.body, name, prefix);
    }
  }
  let query: Record<string, unknown> | undefined;
  if (op.query) {
    const given = args[next++];
    const name = op.queryArg ?? "query";
    const required = requiredKeys(op.query);
    // #23: a required query parameter (the call's environment) makes the object required.
    if (given === undefined && required.length)
      throw new InvalidInputError(name, `is required: pass { ${required.join(", ")} }`);
    if (given !== undefined) query = checkValue(given, op.query, name) as Record<string, unknown>;
  }
  return { path, body, query, options: args[next] };
}

/** A call's checked options: retry overrides, extra headers, and whether it is a dry run. @internal */
export interface CallOptions {
  readonly overrides: CallOverrides;
  readonly headers: Headers | undefined;
  readonly dryRun: boolean;
}

const NONE: CallOptions = { overrides: { signal: undefined }, headers: undefined, dryRun: false };

/** Checks a call's options; `dryRun` only where the operation has a dry run. @internal */
export function checkOptions(value: unknown, op: OperationSpec): CallOptions {
  if (value === undefined) return NONE;
  const allowed = op.dryRun ? WRITE_OPTION_KEYS : READ_OPTION_KEYS;
  const options = checkOptionKeys(value, allowed, "an option of this call");
  const { headers, dryRun } = options;
  const signal = options["signal"] as AbortSignal | undefined;
  if (dryRun !== undefined && typeof dryRun !== "boolean")
    throw new InvalidInputError(
      "options.dryRun",
      `expected a boolean, got ${describeType(dryRun)}`,
    );
  const retry = checkRetrySettings(options, "options");
  return {
    overrides: { maxRetries: retry.maxRetries, timeoutMs: retry.timeoutMs, signal },
    headers: headers === undefined ? undefined : checkHeaders(headers, "options.headers"),
    dryRun: dryRun === true,
  };
}
