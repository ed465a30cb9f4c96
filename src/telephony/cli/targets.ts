// #22: --target connector:ID and --target number:+E164, read from argv: the form is
// checked here (a usage error naming the target), whether the file holds it once
// the file is read (targetsIn).
import { InvalidInputError } from "../../index.js";
import { checkConnectorId, checkPhoneNumber } from "../desired.js";
import { checkTargets } from "../target.js";
import type { CheckedDesiredState, PlanTargets } from "../types.js";
import { UsageError } from "./errors.js";

/** A target as given, quoted when it looks like one; else not repeated (it may be a pasted secret). */
function shownTarget(value: string): string {
  return /^[A-Za-z]{1,20}:[A-Za-z0-9+_.-]{0,80}$/.test(value)
    ? JSON.stringify(value)
    : "(a value not shown)";
}

/** The --target values as targets, each checked as the file's keys are; undefined when none. */
export function parseTargets(values: readonly string[]): PlanTargets | undefined {
  if (values.length === 0) return undefined;
  const out: PlanTargets = { connectors: [], phoneNumbers: [] };
  for (const value of values) {
    const colon = value.indexOf(":");
    const kind = value.slice(0, colon);
    const name = value.slice(colon + 1);
    try {
      if (colon !== -1 && kind === "connector") out.connectors.push(checkConnectorId(name, "ID"));
      else if (colon !== -1 && kind === "number")
        out.phoneNumbers.push(checkPhoneNumber(name, "number"));
      else
        throw new UsageError(
          `--target ${shownTarget(value)}: expected connector:ID or number:+E164`,
        );
    } catch (e) {
      if (!(e instanceof InvalidInputError)) throw e;
      throw new UsageError(`--target ${shownTarget(value)}: ${e.reason}`);
    }
  }
  return out;
}

/** The targets checked against the file: one it does not hold is a usage error naming it. */
export function targetsIn(desired: CheckedDesiredState, targets: PlanTargets): PlanTargets {
  try {
    return checkTargets(desired, targets);
  } catch (e) {
    if (!(e instanceof InvalidInputError)) throw e;
    const m = /\.(connectors|phoneNumbers)\[(\d+)\]$/.exec(e.field);
    const name = m ? targets[m[1] as keyof PlanTargets][Number(m[2])] : undefined;
    const kind = m?.[1] === "connectors" ? "connector" : "number";
    throw new UsageError(`--target ${kind}:${name ?? "?"}: ${e.reason}`);
  }
}
