// #22: what a plan says above its changes: the targets it is limited to, and its
// warnings with a `!` marker. Kept apart from render.ts's layout of the changes.
import type { Plan } from "./types.js";

/** Warnings listed one by one; past that, counted (a plan of 500 moves stays readable). */
const MAX_WARNING_LINES = 10;

/** A target as the CLI's --target writes it: `connector:CONN-main`, `number:+442079460000`. */
export function targetNames(targets: NonNullable<Plan["targets"]>): string[] {
  return [
    ...targets.connectors.map((id) => `connector:${id}`),
    ...targets.phoneNumbers.map((n) => `number:${n}`),
  ];
}

/** The lines above a plan's changes: its targets, then its warnings; none for a plain plan. */
export function planNotes(plan: Pick<Plan, "warnings" | "targets">): string[] {
  const lines: string[] = [];
  if (plan.targets)
    lines.push(
      `Targeted: only ${targetNames(plan.targets).join(", ")}; the rest of the file is not planned.`,
    );
  const warnings = plan.warnings ?? [];
  for (const w of warnings.slice(0, MAX_WARNING_LINES)) lines.push(`! ${w.path}: ${w.message}`);
  if (warnings.length > MAX_WARNING_LINES)
    lines.push(
      `! and ${warnings.length - MAX_WARNING_LINES} more warnings (--json lists them all)`,
    );
  return lines;
}
