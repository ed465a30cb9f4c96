// #22: targeting, like Terraform's -target: a plan limited to some entries of the
// desired state. The desired state is cut down to the targeted entries before
// anything is read, so nothing else is read, planned, fingerprinted or applied: a
// plan never deletes anything, and a targeted one does not even look at the rest.
// A connector target plans that connector's settings, not the numbers routed to it
// (target them too); a number target plans its route (and import), and reads the
// connector it routes to only to check it exists.
import { InvalidInputError } from "../index.js";
import { isPlainObject } from "../internal/validate.js";
import type { CheckedDesiredState, PlanTargets } from "./types.js";
import { setOwn } from "./util.js";

const KINDS = ["connectors", "phoneNumbers"] as const;

/**
 * Checks `targets` against `desired`: each names an entry of it (a usage error
 * otherwise, naming the target). Returns them without repeats, in the file's order.
 */
export function checkTargets(
  desired: CheckedDesiredState,
  targets: unknown,
  field = "options.targets",
): PlanTargets {
  if (!isPlainObject(targets))
    throw new InvalidInputError(field, "expected { connectors?, phoneNumbers } of entries to plan");
  const out: PlanTargets = { connectors: [], phoneNumbers: [] };
  for (const key of Object.keys(targets))
    if (!(KINDS as readonly string[]).includes(key))
      throw new InvalidInputError(`${field}.${key}`, "expected connectors or phoneNumbers");
  for (const kind of KINDS) {
    const list = targets[kind] ?? [];
    if (!Array.isArray(list))
      throw new InvalidInputError(`${field}.${kind}`, "expected an array of entries of the file");
    list.forEach((name: unknown, i) => {
      const at = `${field}.${kind}[${i}]`;
      if (typeof name !== "string") throw new InvalidInputError(at, "expected a string");
      if (!Object.hasOwn(desired[kind], name))
        throw new InvalidInputError(at, notInFile(desired, kind, name));
    });
    // The file's order, once each: the same targets make the same plan.
    const named = new Set<string>(list as string[]);
    out[kind] = Object.keys(desired[kind]).filter((k) => named.has(k));
  }
  if (out.connectors.length + out.phoneNumbers.length === 0)
    throw new InvalidInputError(field, "names no entry; leave it out to plan the whole file");
  return out;
}

function notInFile(desired: CheckedDesiredState, kind: string, name: string): string {
  const shown = JSON.stringify(name);
  if (kind === "connectors" && Object.values(desired.phoneNumbers).includes(name))
    return `${shown} is not in the file's connectors (numbers route to it, but its settings are not managed): target those numbers instead`;
  return `${shown} is not in the file's ${kind}: a target names an entry of the file`;
}

/** `desired` cut down to `targets`. */
export function scopeTo(desired: CheckedDesiredState, targets: PlanTargets): CheckedDesiredState {
  const connectors: CheckedDesiredState["connectors"] = {};
  const phoneNumbers: CheckedDesiredState["phoneNumbers"] = {};
  for (const id of targets.connectors) setOwn(connectors, id, desired.connectors[id] ?? {});
  for (const n of targets.phoneNumbers) setOwn(phoneNumbers, n, desired.phoneNumbers[n] ?? "");
  return { agentId: desired.agentId, connectors, phoneNumbers };
}
