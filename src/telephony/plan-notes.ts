// #22: what a plan says above its changes: the targets it is limited to, and its
// warnings with a `!` marker. Kept apart from render.ts's layout of the changes.
import type { Plan, PlanWarning } from "./types.js";

/** Lines of warnings in the default view; past that, counted (a plan of 500 moves stays readable). */
const MAX_WARNING_LINES = 10;

/** A target as the CLI's --target writes it: `connector:CONN-main`, `number:+442079460000`. */
export function targetNames(targets: NonNullable<Plan["targets"]>): string[] {
  return [
    ...targets.connectors.map((id) => `connector:${id}`),
    ...targets.phoneNumbers.map((n) => `number:${n}`),
  ];
}

interface WarningGroup {
  readonly first: PlanWarning;
  count: number;
}

/** #22: warnings alike (the same code and message: numbers moved the same way), in plan order. */
function groupWarnings(warnings: readonly PlanWarning[]): WarningGroup[] {
  const groups = new Map<string, WarningGroup>();
  for (const w of warnings) {
    const key = `${w.code}\n${w.message}`;
    const group = groups.get(key) ?? { first: w, count: 0 };
    group.count++;
    groups.set(key, group);
  }
  return [...groups.values()];
}

/**
 * The lines above a plan's changes: its targets, then its warnings; none for a plain
 * plan. #22: by default warnings alike are one line, `! path (and N more): message`,
 * so 300 warnings of two kinds show both kinds, not the first 10 of one; `full`
 * lists every warning, as it lists every number.
 */
export function planNotes(plan: Pick<Plan, "warnings" | "targets">, full = false): string[] {
  const lines: string[] = [];
  if (plan.targets)
    lines.push(
      `Targeted: only ${targetNames(plan.targets).join(", ")}; the rest of the file is not planned.`,
    );
  const warnings = plan.warnings ?? [];
  if (full) return [...lines, ...warnings.map((w) => `! ${w.path}: ${w.message}`)];
  const groups = groupWarnings(warnings);
  for (const { first, count } of groups.slice(0, MAX_WARNING_LINES)) {
    const more = count === 1 ? "" : ` (and ${count - 1} more)`;
    lines.push(`! ${first.path}${more}: ${first.message}`);
  }
  const rest = groups.slice(MAX_WARNING_LINES).reduce((sum, g) => sum + g.count, 0);
  if (rest > 0) lines.push(`! and ${rest} more warnings (--full or --json lists them all)`);
  return lines;
}
