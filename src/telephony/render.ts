// renderPlan(): a plan for people. #22: it stays readable at 500 numbers: a summary
// line, connector changes field by field, and number changes grouped by route (the
// first few numbers of each group and how many more); `full` lists every number.
// Each change line starts with its marker: `~` an update, `+` an import.
import { InvalidInputError, ttsLangCodeFromVoice } from "../index.js";
import { describeType } from "../internal/validate.js";
import { planNotes } from "./plan-notes.js";
import {
  MANAGED_FIELDS,
  type ConnectorChange,
  type PhoneNumberChange,
  type Plan,
  type RenderPlanOptions,
} from "./types.js";
import { checkOptionKeys } from "./util.js";

/** #22: numbers shown per group in the default view, on one line. */
const SAMPLE = 3;

/** #22: groups shown per kind in the default view; the rest are counted on one line. */
const MAX_GROUPS = 8;

const show = (value: unknown): string => (value === undefined ? "(unset)" : JSON.stringify(value));

/** #22: a connector ID as is when it is a plain token, else quoted, so no ID can pass for layout. */
function label(id: string | null): string {
  if (id === null) return "(none)";
  return /^[A-Za-z0-9][A-Za-z0-9._:-]*$/.test(id) ? id : JSON.stringify(id);
}

/** `1 number`, `2 numbers` (internal: the CLI's counts too). */
export function plural(n: number, one: string, many = `${one}s`): string {
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

function connectorLines(change: ConnectorChange): string[] {
  const fields = MANAGED_FIELDS.filter((f) => f in change.patch);
  const width = Math.max(...fields.map((f) => f.length));
  const lines = [`~ connector ${label(change.connectorId)}`];
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
      `    ${field.padEnd(width)}  ${show(change.from[field])} → ${show(change.patch[field])}${note}`,
    );
  }
  return lines;
}

interface Group {
  readonly heading: string;
  readonly numbers: string[];
}

/** #22: number changes grouped by heading (a route, or an import's target), largest first, then plan order. */
function groupNumbers(
  changes: readonly PhoneNumberChange[],
  heading: (c: PhoneNumberChange) => string,
): Group[] {
  const groups = new Map<string, Group>();
  for (const change of changes) {
    const key = heading(change);
    const group = groups.get(key) ?? { heading: key, numbers: [] };
    groups.set(key, group);
    group.numbers.push(change.number);
  }
  // Array.prototype.sort is stable: equal sizes keep plan order.
  return [...groups.values()].sort((a, b) => b.numbers.length - a.numbers.length);
}

/** #22: a group's first numbers on one line, and how many more (a group one longer is listed whole). */
function sample(numbers: readonly string[]): string {
  if (numbers.length <= SAMPLE + 1) return numbers.join(", ");
  return `${numbers.slice(0, SAMPLE).join(", ")} … and ${numbers.length - SAMPLE} more`;
}

/** Appends the groups' lines to `lines` (#22: pushed one by one: 100,000 numbers overflow a spread). */
function groupLines(lines: string[], groups: readonly Group[], full: boolean): void {
  const shown = full ? groups : groups.slice(0, MAX_GROUPS);
  for (const { heading, numbers } of shown) {
    lines.push("", `${heading}: ${plural(numbers.length, "number")}`);
    if (full) for (const n of numbers) lines.push(`    ${n}`);
    else lines.push(`    ${sample(numbers)}`);
  }
  const rest = groups.slice(shown.length);
  if (rest.length > 0) {
    const count = rest.reduce((sum, g) => sum + g.numbers.length, 0);
    lines.push("", `… and ${plural(rest.length, "more group")} (${plural(count, "number")})`);
  }
}

/**
 * A plan as text for people: a summary line, then each connector with `old → new`
 * per field, then the number changes grouped by route (`~ CONN-main → CONN-sandbox:
 * 20 numbers`) and the imports by the connector they route to (`+ import →
 * CONN-main: 5 numbers`), largest group first. By default a group shows its first 3
 * numbers on one line and how many more, and at most 8 groups of each kind are
 * shown, so a plan of any size fits a screen; warnings alike are one `!` line.
 * `{ full: true }` lists every number and every warning, one per line. Each change starts
 * with its marker: `~` an update, `+` an import.
 *
 * @example
 * console.log(renderPlan(await plan(poly, desired)));
 * // Agent PROJECT-58RP822I: 3 changes (1 connector to update, 2 numbers to reassign).
 * //
 * // ~ connector CONN-main
 * //     voiceName  "en-US-Neural2-C" → "en-GB-Neural2-A"  (ttsLangCode follows: en-GB)
 * //
 * // ~ CONN-main → CONN-support: 2 numbers
 * //     +442079460000, +442079460001
 * console.log(renderPlan(p, { full: true })); // every number of every group
 * @throws {InvalidInputError} for an unknown option or a `full` that is not a boolean.
 */
export function renderPlan(plan: Plan, options: RenderPlanOptions = {}): string {
  const full = checkOptionKeys(options, ["full"])["full"] ?? false;
  if (typeof full !== "boolean")
    throw new InvalidInputError("options.full", `expected a boolean, got ${describeType(full)}`);
  // #22: the plan's targets and warnings (`!` lines) go right after the summary, above the changes.
  const lines = [summarizePlan(plan), ...planNotes(plan, full)];
  for (const change of plan.connectors) lines.push("", ...connectorLines(change));
  const moves = plan.phoneNumbers.filter((c) => c.action === "reassign");
  const imports = plan.phoneNumbers.filter((c) => c.action === "import");
  groupLines(
    lines,
    groupNumbers(moves, (c) => `~ ${label(c.from)} → ${label(c.to)}`),
    full,
  );
  groupLines(
    lines,
    groupNumbers(imports, (c) => `+ import → ${label(c.to)}`),
    full,
  );
  return lines.join("\n");
}
