// #22: reading a desired-state file with every problem at once, and the `validate`
// command: a file checked offline (no key, no request), for editors and pre-commit
// hooks. A desired state is checked whole (each problem with its path and line); a
// saved plan is checked for integrity (its shape, and that its changes, fingerprint
// and digest follow from its content), not for staleness, which only apply can see.
import { InvalidInputError, type InputProblem } from "../../index.js";
import { collectDesiredState } from "../desired.js";
import { InvalidPlanError } from "../errors.js";
import { checkPlan, countChanges, PLAN_KIND } from "../plan.js";
import { Problems } from "../problems.js";
import { plural } from "../render.js";
import type { CheckedDesiredState } from "../types.js";
import { codeOf } from "./codes.js";
import { escapeLine } from "./escape.js";
import { CliError } from "./errors.js";
import { DUPLICATE_REASON, readJsonDocument, readStreamCapped, STDIN_NAME } from "./files.js";
import { refuseRedacted } from "./keyless.js";
import type { Writer } from "./output.js";
import { problemLine, toJson } from "./report.js";

/** Whether parsed JSON is a saved plan (by its `kind`). */
export function isPlan(data: unknown): boolean {
  return (
    typeof data === "object" && data !== null && (data as { kind?: unknown }).kind === PLAN_KIND
  );
}

/** A file the CLI was given: a saved plan (unchecked), or a desired state checked whole. */
export type ReadFile =
  { kind: "plan"; data: unknown } | { kind: "desired"; desired: CheckedDesiredState };

/**
 * Reads `file`: a saved plan is returned as read; a desired state is checked with
 * every problem at once (keys written twice, then the validator's), each with its
 * line in the file. @throws {InvalidInputError} listing them; a CliError for a file
 * that cannot be read or is not JSON.
 */
export async function readDesiredOrPlan(
  file: string,
  read?: (file: string) => Promise<string>,
): Promise<ReadFile> {
  const { value, scan } = await readJsonDocument(file, read);
  refuseRedacted(file, value);
  if (isPlan(value)) {
    const twice = scan.duplicates[0];
    if (twice)
      throw new CliError(`${file}: ${twice.path}: ${DUPLICATE_REASON(twice.line)}`, "FILE_INVALID");
    return { kind: "plan", data: value };
  }
  const problems = new Problems(scan.lines);
  for (const { path, line } of scan.duplicates)
    problems.add(path, DUPLICATE_REASON(line), "DUPLICATE_KEY", line);
  const desired = collectDesiredState(value, "", problems);
  problems.throwIfAny();
  return { kind: "desired", desired };
}

/** The `validate` command line. */
export interface ValidateCommand {
  name: "validate";
  /** The file, or `-` for standard input (an editor's unsaved buffer, `git show :file`). */
  file: string;
  json: boolean;
}

/** What a file's problems are, as a list: the validator's, or the one failure of reading it. */
function problemsOf(file: string, e: unknown): { errors: readonly InputProblem[]; more: number } {
  if (e instanceof InvalidInputError) return { errors: e.errors, more: e.more };
  if (e instanceof InvalidPlanError)
    return { errors: [{ path: e.field, message: e.reason, code: e.code }], more: 0 };
  if (e instanceof CliError) {
    const message = e.message.startsWith(`${file}: `)
      ? e.message.slice(file.length + 2)
      : e.message;
    return { errors: [{ path: "", message, code: e.code }], more: 0 };
  }
  throw e;
}

/**
 * `validate <file>`: 0 valid, 1 invalid (every problem listed: on stderr as
 * `file:line: path: message`, or with --json as `{ ok, kind, errors, more, error }` on stdout).
 * `validate -` reads standard input, its problems shown as `<stdin>:line`.
 */
export async function runValidate(
  out: Writer,
  err: Writer,
  command: ValidateCommand,
  stdin: AsyncIterable<unknown>,
): Promise<number> {
  const fromStdin = command.file === "-";
  const cmd = fromStdin ? { ...command, file: STDIN_NAME } : command;
  const read = fromStdin ? () => readStreamCapped(stdin) : undefined;
  let kind: "desired-state" | "plan" | null = null;
  let summary = "";
  try {
    const found = await readDesiredOrPlan(cmd.file, read);
    if (found.kind === "plan") {
      kind = "plan";
      const { plan } = checkPlan(found.data);
      summary = `a plan for agent ${plan.agentId} with ${countChanges(plan)} changes, intact (whether it is stale, apply finds out)`;
    } else {
      kind = "desired-state";
      const { agentId, connectors, phoneNumbers } = found.desired;
      summary = `a valid desired state for agent ${agentId}: ${plural(Object.keys(connectors).length, "connector")}, ${plural(Object.keys(phoneNumbers).length, "number")}`;
    }
  } catch (e) {
    const { errors, more } = problemsOf(cmd.file, e);
    const listed = errors.map((p) => ({ ...p, code: p.code ?? codeOf(e) }));
    if (e instanceof InvalidInputError) kind = "desired-state";
    const total = errors.length + more;
    const message = `${cmd.file}: ${plural(total, "problem")}`;
    // #22: `ok: false` carries an `error` with its code, as every other command's failure does.
    const error = { name: (e as Error).name, message, code: codeOf(e) };
    if (cmd.json) out(toJson({ ok: false, kind, errors: listed, more, error }));
    for (const p of listed) err(`${problemLine(cmd.file, p)}\n`);
    if (more > 0) err(`and ${more} more\n`);
    err(`polyai-connectors: ${escapeLine(message)}; nothing was sent\n`);
    return 1;
  }
  if (cmd.json) out(toJson({ ok: true, kind, errors: [], more: 0 }));
  (cmd.json ? err : out)(`${escapeLine(`${cmd.file}: ${summary}`)}\n`);
  return 0;
}
