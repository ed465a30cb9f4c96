// The check of an options object: a plain object, only known keys (with "did you
// mean"), an AbortSignal for `signal`, and callbacks that are functions. Used by
// the client's options, every call's, createAndWait's (#23), and plan and apply
// of the telephony entry.
import { InvalidInputError } from "../errors.js";
import { describeType, isPlainObject } from "./validate.js";
import { suggestKey, unknownKey } from "./keys.js";

/**
 * Checks that `options` is an object with only `known` keys (the client's one key
 * check); `what` names an unknown one in the message ("is not an option here").
 */
export function checkOptionKeys(
  options: unknown,
  known: readonly string[],
  what = "an option here",
): Record<string, unknown> {
  if (options === undefined) return {};
  if (!isPlainObject(options))
    throw new InvalidInputError("options", `expected an object, got ${describeType(options)}`);
  const unknown = unknownKey(options, known);
  if (unknown !== undefined)
    throw new InvalidInputError(
      `options.${unknown}`,
      `is not ${what}${suggestKey(unknown, known)}`,
    );
  const signal = options["signal"];
  if (signal !== undefined && !(signal instanceof AbortSignal))
    throw new InvalidInputError(
      "options.signal",
      `expected an AbortSignal, got ${describeType(signal)}`,
    );
  return options;
}

/** #23: an option that must be a function when given (a callback such as `onRetry`). */
export function checkFunction(value: unknown, field: string): void {
  if (value !== undefined && typeof value !== "function")
    throw new InvalidInputError(field, `expected a function, got ${describeType(value)}`);
}
