// A 2xx answer is returned to the caller typed as the spec says it is, so it is
// walked once against the spec's rule for its status first: a proxy's error page,
// an envelope sent with 200 or a truncated list must fail loudly here, not as
// `undefined` deep inside the caller's code. The walk is the one validator's, loose.
import type { Rule } from "../../generated/operations.js";
import { InvalidInputError } from "../errors.js";
import { checkValue } from "./check.js";

/**
 * Where `value` departs from `rule`, such as `results[1].data.voiceName: is missing`,
 * or null when it conforms. Optional properties the API leaves out that have a
 * spec `default` are filled in, so `errors` is always a list.
 * @internal
 */
export function answerProblem(value: unknown, rule: Rule): string | null {
  try {
    checkValue(value, rule, "the answer", "", true);
    return null;
  } catch (err) {
    if (err instanceof InvalidInputError) return err.message;
    throw err;
  }
}
