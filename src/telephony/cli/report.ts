// What the CLI says about an apply: a report for people, the result as JSON, and an
// error as one line or as JSON. Values from files and from the server are shown
// with every control character escaped, newlines too (#7), so each stays on its line.
import { InvalidInputError, type InputProblem } from "../../index.js";
import type { ApplyResult, ChangeResult, Plan } from "../types.js";
import { codeOf } from "./codes.js";
import { escapeLine } from "./escape.js";
import { CliError } from "./errors.js";

function describeChange(r: ChangeResult): string {
  if (r.kind === "connector")
    return `connector ${escapeLine(r.connectorId)} (${Object.keys(r.change.patch).join(", ")})`;
  const to = escapeLine(r.change.to);
  return r.change.action === "import"
    ? `number ${escapeLine(r.number)} (import, route to ${to})`
    : `number ${escapeLine(r.number)} (route to ${to})`;
}

/** #22: the question before an apply names its warnings: ` despite 2 warnings`. */
export function warned(plan: Plan): string {
  const n = plan.warnings?.length ?? 0;
  return n === 0 ? "" : ` despite ${n} warning${n === 1 ? "" : "s"} (marked ! above)`;
}

/** An error as one line: `Name: message`, whatever the message holds. */
export function errorLine(e: Error): string {
  return escapeLine(`${e.name}: ${e.message}`);
}

/** What an apply did, for people. */
export function report(result: ApplyResult, total: number): string {
  const lines = [
    `Applied ${result.applied} of ${total} change${total === 1 ? "" : "s"} to agent ${escapeLine(result.agentId)}.`,
  ];
  const recovered = new Set(result.recovered);
  const failed = result.results.filter((r) => r.status === "failed" && !recovered.has(r));
  if (failed.length > 0) {
    lines.push(`Failed (${failed.length}):`);
    for (const r of failed)
      if (r.status === "failed") lines.push(`  ✗ ${describeChange(r)}: ${errorLine(r.error)}`);
  }
  if (result.recovered.length > 0) {
    lines.push(`In effect although the request reported an error (its answer was lost):`);
    for (const r of result.recovered)
      if (r.status === "failed") lines.push(`  ~ ${describeChange(r)}: ${errorLine(r.error)}`);
  }
  if (result.notTaken.length > 0) {
    lines.push(`Applied, but not in effect when read back (changed again by someone else?):`);
    for (const r of result.notTaken) lines.push(`  ? ${describeChange(r)}`);
  }
  if (result.verifyError)
    lines.push(`Could not read the result back: ${errorLine(result.verifyError)}`);
  lines.push(
    result.ok
      ? "Every change is in effect."
      : "Not every change is in effect: run plan again to see what is pending.",
  );
  return `${lines.join("\n")}\n`;
}

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  status?: unknown;
  field?: unknown;
  callSid?: unknown;
}

/**
 * An error as JSON: { name, message, code, status?, field?, callSid?, errors?, more? }. A CliError that
 * wraps a typed error (a file's PLAN_STALE, an API error) shows that error's name,
 * code, status and field, with the CLI's message (#19).
 */
function errorJson(value: unknown): Record<string, unknown> {
  const e = value as ErrorLike;
  const cause = (
    value instanceof CliError && value.cause instanceof Error ? value.cause : e
  ) as ErrorLike;
  // #22: a code always: the typed error's own, else the CLI's (FILE_INVALID), else its class's.
  const code = typeof cause.code === "string" && cause.code !== "" ? cause.code : codeOf(value);
  return {
    name: String(cause.name ?? "Error"),
    message: String(e.message ?? value),
    code,
    ...(typeof cause.status === "number" ? { status: cause.status } : {}),
    ...(typeof cause.field === "string" ? { field: cause.field } : {}),
    // A call placed, then not followed to its end (CALL_WAIT_*): a script needs its SID.
    ...(typeof cause.callSid === "string" ? { callSid: cause.callSid } : {}),
    ...(cause instanceof InvalidInputError ? { errors: cause.errors, more: cause.more } : {}),
  };
}

/** A value as the CLI's JSON output: indented, errors as {@link errorJson}. */
export function toJson(value: unknown): string {
  // The holder's own value, not `v`: JSON.stringify calls an error's toJSON (the
  // SDK's errors have one) before the replacer, so `v` is no longer the Error and a
  // change's error in `apply --json` came out without its `code`.
  function replace(this: Record<string, unknown>, key: string, v: unknown): unknown {
    const own = this[key];
    return own instanceof Error ? errorJson(own) : v;
  }
  return `${JSON.stringify(value, replace, 2)}\n`;
}

/** A failed run as JSON, for --json: stdout always carries one JSON document. */
export function failureJson(e: unknown): string {
  return toJson({ ok: false, error: errorJson(e) });
}

/** #22: one problem as a compiler writes it, so editors jump to it: `file:line: path: message`. */
export function problemLine(file: string, p: InputProblem): string {
  const at = p.line === undefined ? file : `${file}:${p.line}`;
  const path = p.path === "" ? "" : `${p.path}: `;
  return escapeLine(`${at}: ${path}${p.message}`);
}

/**
 * A failed run as text for stderr: `polyai-connectors: message`; #22: an error
 * listing several problems shows each on its own line (`file:line: path: what`),
 * each value escaped on its line.
 */
export function failureText(e: unknown): string {
  const cause = e instanceof CliError ? e.cause : e;
  if (e instanceof CliError && cause instanceof InvalidInputError && cause.errors.length > 1) {
    // aboutFile wrote `${file}: ${cause.message}`: the file is what comes before.
    const file = e.message.endsWith(`: ${cause.message}`)
      ? e.message.slice(0, e.message.length - cause.message.length - 2)
      : "";
    const lines = cause.errors.map((p) => `  ${problemLine(file, p)}`);
    if (cause.more > 0) lines.push(`  and ${cause.more} more`);
    const total = cause.errors.length + cause.more;
    return `polyai-connectors: ${escapeLine(file)}: ${total} problems:\n${lines.join("\n")}\n`;
  }
  if (e instanceof CliError)
    return `polyai-connectors: ${escapeLine(e.message)}${e.code === "USAGE" ? " (see --help)" : ""}\n`;
  return `polyai-connectors: ${e instanceof Error ? errorLine(e) : escapeLine(String(e))}\n`;
}
