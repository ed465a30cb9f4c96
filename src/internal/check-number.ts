// The check of integer and number values (#21). No schema of the spec has one today,
// so generated/operations.ts sets `checkNumber` to null and the client carries none
// of this; `npm run generate` brings it back with the first spec that has one.
import type { NumberRule } from "../../generated/operations.js";

/**
 * Checks a number against `rule`: its type always, its range and enum only for a
 * call's arguments (an answer's value is the server's business). `mismatch` makes
 * the error for a value that is not a number of the rule's type.
 * @internal
 */
export function checkNumber(
  value: unknown,
  rule: NumberRule,
  loose: boolean,
  fail: (reason: string) => Error,
  mismatch: () => Error,
): number {
  const ok =
    typeof value === "number" &&
    Number.isFinite(value) &&
    (rule.type === "number" || Number.isInteger(value));
  if (!ok) throw mismatch();
  if (!loose) checkRange(value, rule, fail);
  return value;
}

function checkRange(value: number, rule: NumberRule, fail: (reason: string) => Error): void {
  const { minimum: min, maximum: max, exclusiveMinimum: xmin, exclusiveMaximum: xmax } = rule;
  if (rule.enum && !rule.enum.includes(value))
    throw fail(`${value} is not one of ${rule.enum.join(", ")}`);
  const low = (min !== undefined && value < min) || (xmin !== undefined && value <= xmin);
  const high = (max !== undefined && value > max) || (xmax !== undefined && value >= xmax);
  if (low || high)
    throw fail(`${value} is out of range (${min ?? xmin ?? "-∞"} to ${max ?? xmax ?? "∞"})`);
}
