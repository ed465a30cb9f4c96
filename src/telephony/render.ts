// renderPlan(): a plan for people: `old → new` per field, grouped by connector and
// by number, with a one-line summary first.
import { ttsLangCodeFromVoice } from "../index.js";
import { planNotes } from "./plan-notes.js";
import { MANAGED_FIELDS, type Plan } from "./types.js";

const show = (value: unknown): string => (value === undefined ? "(unset)" : JSON.stringify(value));

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** One line saying what a plan would change. */
export function summarizePlan(plan: Pick<Plan, "agentId" | "connectors" | "phoneNumbers">): string {
  const imports = plan.phoneNumbers.filter((c) => c.action === "import").length;
  const moves = plan.phoneNumbers.length - imports;
  const total = plan.connectors.length + plan.phoneNumbers.length;
  if (total === 0) return `No changes: agent ${plan.agentId} matches the desired state.`;
  const parts = [
    plan.connectors.length > 0 ? `${plural(plan.connectors.length, "connector")} to update` : "",
    imports > 0 ? `${plural(imports, "number")} to import and route` : "",
    moves > 0 ? `${plural(moves, "number")} to reassign` : "",
  ].filter(Boolean);
  return `Agent ${plan.agentId}: ${plural(total, "change")} (${parts.join(", ")}).`;
}

/**
 * A plan as text for people: a summary line, then each connector with `old → new`
 * per field, then each number with its route.
 *
 * @example
 * console.log(renderPlan(await plan(poly, desired)));
 * // Agent PROJECT-58RP822I: 2 changes (1 connector to update, 1 number to reassign).
 * //
 * // connector CONN-main
 * //   voiceName  "en-US-Neural2-C" → "en-GB-Neural2-A"  (ttsLangCode follows: en-GB)
 * //
 * // number +442079460000
 * //   route  "CONN-main" → "CONN-support"
 */
export function renderPlan(plan: Plan): string {
  const lines = [summarizePlan(plan), ...planNotes(plan)]; // #22: targets, warnings
  for (const change of plan.connectors) {
    lines.push("", `connector ${change.connectorId}`);
    const fields = MANAGED_FIELDS.filter((f) => f in change.patch);
    const width = Math.max(...fields.map((f) => f.length));
    for (const field of fields) {
      let note = "";
      if (field === "voiceName") {
        try {
          note = `  (ttsLangCode follows: ${ttsLangCodeFromVoice(change.patch.voiceName as string)})`;
        } catch {
          note = "";
        }
      }
      lines.push(
        `  ${field.padEnd(width)}  ${show(change.from[field])} → ${show(change.patch[field])}${note}`,
      );
    }
  }
  for (const change of plan.phoneNumbers) {
    lines.push("", `number ${change.number}`);
    if (change.action === "import") {
      lines.push(`  import  not in the project → imported`);
      lines.push(`  route   (none) → ${show(change.to)}`);
    } else {
      lines.push(
        `  route  ${change.from === null ? "(none)" : show(change.from)} → ${show(change.to)}`,
      );
    }
  }
  return lines.join("\n");
}
