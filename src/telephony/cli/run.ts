// `polyai-connectors` as a function: runCli(argv, io) runs one command line against
// the streams and environment it is given and resolves with the exit code. The bin
// (../cli.ts) is a thin wrapper over it with the process's own; tests call it in
// process. The key comes from the environment only and never leaves (output.ts).
import {
  createPolyAIClient,
  InvalidInputError,
  type PolyAIClient,
  type Region,
} from "../../index.js";
import { apply, APPLY_LIMITS } from "../apply.js";
import { InvalidPlanError, PlanStaleError, UnknownConnectorError } from "../errors.js";
import { exportState } from "../export.js";
import { checkPlan, countChanges, plan, planWithin } from "../plan.js";
import { planNotes } from "../plan-notes.js";
import { plural, renderPlan, summarizePlan } from "../render.js";
import type { ApplyResult, OmittedValue, Plan } from "../types.js";
import { limiter } from "../util.js";
import { planPaint } from "./colour.js";
import { confirm, type Terminal } from "./confirm.js";
import { runCall, runDial } from "./dial-command.js";
import { escapeLine } from "./escape.js";
import { CliError, UsageError } from "./errors.js";
import { checkOverwrite, schemaBase, schemaFor, schemaRef } from "./export-file.js";
import { checkOutFile, MAX_FILE_BYTES, readJsonFile, writeOutFile } from "./files.js";
import {
  cleanText,
  redactorFor,
  writeProblem,
  writer,
  type OutStream,
  type Writer,
} from "./output.js";
import { refuseRedacted, withoutKey } from "./keyless.js";
import { runRead } from "./read-commands.js";
import { errorLine, failureJson, failureText, report, toJson, warned } from "./report.js";
import { targetsIn } from "./targets.js";
import {
  commandOf,
  parseCommand,
  USAGE,
  wantsJson,
  type Command,
  type Connection,
} from "./usage.js";
import { readDesiredOrPlan, runValidate } from "./validate-command.js";

/** What one run of the CLI reads from and writes to. */
export interface CliIO {
  readonly stdout: OutStream;
  readonly stderr: OutStream;
  /** Where a confirmation is read from; asked only when it is a terminal. */
  readonly stdin: NodeJS.ReadableStream & { readonly isTTY?: boolean | undefined };
  /** POLYAI_API_KEY and POLYAI_REGION (POLYAI_LOG is the client's: the process's own). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The package version, for --version. */
  readonly version: () => string;
  /** The fetch the client sends with (default: the global one); a test counts requests with it. */
  readonly fetch?: typeof fetch | undefined;
  /** #22: the working directory, which export's `$schema` is relative to on stdout (default: the process's). */
  readonly cwd?: string | undefined;
  /** #22, #23: where SIGINT and SIGTERM come from, to stop a run (the bin passes the process). */
  readonly signals?: SignalSource | undefined;
  /**
   * #22: a write to stdout or stderr failed (not a closed pipe) after runCli resolved;
   * the bin makes the exit code 1.
   */
  readonly onLateWriteFailure?: (() => void) | undefined;
  /** #23: the first pause between status reads with --wait (default the library's); a test shortens it. */
  readonly pollIntervalMs?: number | undefined;
}

/** The process, as far as stopping a run goes (#22, #23). */
export interface SignalSource {
  once(event: StopSignal, listener: () => void): unknown;
  off(event: StopSignal, listener: () => void): unknown;
}

/** Ctrl-C, and what docker, Kubernetes and CI runners send (#23). */
export type StopSignal = "SIGINT" | "SIGTERM";

interface Run {
  /** #22, #23: aborted by the first SIGINT or SIGTERM; every request of the run takes it. */
  readonly signal: AbortSignal;
  readonly pollIntervalMs?: number | undefined;
  readonly out: Writer;
  readonly err: Writer;
  readonly io: CliIO;
  /** Text as written to a file: the same cleaning as the streams (#2, #7). */
  readonly clean: (text: string) => string;
  /** Whether a text holds the key, in any spelling the client redacts. */
  readonly holdsKey: (text: string) => boolean;
}

/**
 * Runs `fn`; an error about the file's content is reported as `file: path: what is
 * wrong`, and keeps the typed error as its cause (its name and code, for --json).
 */
async function aboutFile<T>(file: string, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof InvalidInputError)
      throw new CliError(`${file}: ${e.message}`, "INVALID_INPUT", { cause: e });
    if (e instanceof InvalidPlanError || e instanceof UnknownConnectorError)
      throw new CliError(`${file}: ${e.message}`, "FILE_INVALID", { cause: e });
    if (e instanceof PlanStaleError)
      throw new CliError(`${file}: ${e.message} (${e.code})`, e.code, { cause: e });
    throw e;
  }
}

/** The client, from the environment's key and the flags; checked before any file is read (#8). */
function connect(connection: Connection, io: CliIO): PolyAIClient {
  const { env } = io;
  const key = env["POLYAI_API_KEY"];
  if (key === undefined || key === "")
    throw new CliError(
      "POLYAI_API_KEY is not set: put your PolyAI API key in that environment variable (the CLI reads the key from the environment only, so it stays out of shell history and process lists)",
      "MISSING_API_KEY",
    );
  const fromEnv = env["POLYAI_REGION"] === "" ? undefined : env["POLYAI_REGION"];
  const region = connection.baseUrl === undefined ? (connection.region ?? fromEnv) : undefined;
  try {
    return createPolyAIClient({
      apiKey: key,
      region: region as Region | undefined,
      baseUrl: connection.baseUrl,
      fetch: io.fetch,
      // #22: an agent's lists come in one answer (not paginated): 100,000 numbers are
      // 13 MB, over the library's 10 MiB guard. The CLI takes what it takes in a file.
      maxResponseBytes: MAX_FILE_BYTES,
    });
  } catch (e) {
    if (!(e instanceof InvalidInputError)) throw e;
    const names: Record<string, string> = {
      apiKey: "POLYAI_API_KEY",
      baseUrl: "--base-url",
      region: connection.region === undefined ? "POLYAI_REGION" : "--region",
    };
    const name = names[e.field] ?? e.field;
    if (name.startsWith("--")) throw new UsageError(`${name}: ${e.reason}`);
    throw new CliError(`${name}: ${e.reason}`, "INVALID_ENVIRONMENT", { cause: e });
  }
}

/** #22: the plan for people, grouped (every number with --full), its markers coloured on a terminal. */
function showPlan(run: Run, to: Writer, p: Plan, full: boolean): void {
  to.painted(`${renderPlan(p, { full })}\n`, planPaint(to.isTTY, run.io.env));
}

async function runPlan(run: Run, cmd: Extract<Command, { name: "plan" }>): Promise<number> {
  const poly = connect(cmd.connection, run.io);
  if (cmd.out !== undefined) await checkOutFile(cmd.out, cmd.file);
  const read = await aboutFile(cmd.file, () => readDesiredOrPlan(cmd.file));
  if (read.kind === "plan")
    throw new CliError(
      `${cmd.file}: this is a saved plan; plan takes a desired-state file (apply takes either)`,
      "FILE_INVALID",
    );
  const { desired } = read;
  const targets = cmd.targets && targetsIn(desired, cmd.targets);
  const p = await aboutFile(cmd.file, () =>
    plan(poly, desired, { targets, clientEnv: cmd.clientEnv, signal: run.signal }),
  );
  if (cmd.out !== undefined) {
    const text = toJson(p);
    // #19: redacted, such a plan would not match its digest: it could never be applied.
    if (run.holdsKey(text))
      throw new CliError(
        `--out ${cmd.out}: not written: the plan holds the API key (a value the server returned holds it), and saved with the key redacted it could not be applied; apply the desired-state file itself`,
        "KEY_IN_PLAN",
      );
    await writeOutFile(cmd.out, run.clean(text));
  }
  if (cmd.json) {
    run.out(toJson(p));
    run.err(`${[summarizePlan(p), ...planNotes(p)].join("\n")}\n`); // #12: the human text goes to stderr
  } else {
    showPlan(run, run.out, p, cmd.full);
    if (cmd.out !== undefined && countChanges(p) > 0)
      run.out(
        `\nSaved the plan to ${cmd.out}; apply it with: polyai-connectors apply ${cmd.out}\n`,
      );
  }
  return countChanges(p) > 0 ? 2 : 0;
}

/** The terminal a confirmation is asked on: stdin, and stderr (stdout stays the output). */
const terminalOf = (io: CliIO): Terminal => ({
  input: io.stdin,
  output: io.stderr as NodeJS.WritableStream,
});

function progress(err: Writer, total: number) {
  if (!err.isTTY || total < 20) return undefined;
  let shown = -1;
  return ({ done }: { done: number }) => {
    const percent = Math.floor((done / total) * 100);
    if (percent === shown && done !== total) return;
    shown = percent;
    err.progress(`Applying: ${done}/${total} (${percent}%)${done === total ? "\n" : ""}`);
  };
}

async function runApply(run: Run, cmd: Extract<Command, { name: "apply" }>): Promise<number> {
  const { out, err } = run;
  const poly = connect(cmd.connection, run.io);
  const read = await aboutFile(cmd.file, () => readDesiredOrPlan(cmd.file));
  let p: Plan;
  if (read.kind === "plan") {
    if (cmd.targets)
      throw new UsageError("--target: a saved plan keeps the targets it was made with; plan again");
    p = await aboutFile(cmd.file, () => checkPlan(read.data).plan);
    // #22: refused before the plan is shown and a yes asked for, not by apply() after.
    if (cmd.clientEnv !== undefined && cmd.clientEnv !== p.clientEnv)
      throw new UsageError(
        `--client-env: a saved plan keeps the clientEnv it was made with (${p.clientEnv ?? "each number's connector's"}); plan again`,
      );
  } else {
    const { desired } = read;
    const targets = cmd.targets && targetsIn(desired, cmd.targets);
    // #19: --concurrency bounds the planning reads too, not only apply's own requests.
    const slots = cmd.concurrency ?? APPLY_LIMITS.concurrency.fallback;
    const options = { targets, clientEnv: cmd.clientEnv, signal: run.signal };
    p = await aboutFile(cmd.file, () => planWithin(poly, desired, options, limiter(slots)));
  }
  // With --json, stdout carries only the result; the plan goes to stderr.
  const show = cmd.json ? err : out;
  showPlan(run, show, p, cmd.full);
  const total = countChanges(p);
  if (total === 0) {
    show("Nothing to apply.\n");
    const none: ApplyResult = {
      agentId: p.agentId,
      ok: true,
      results: [],
      applied: 0,
      failed: 0,
      notTaken: [],
      recovered: [],
    };
    if (cmd.json) out(toJson(none));
    return 0;
  }
  if (!cmd.yes) {
    if (!run.io.stdin.isTTY) {
      throw new CliError(
        "refusing to apply without --yes: stdin is not a terminal, so no one can confirm. Nothing was written.",
        "CONFIRMATION_REQUIRED",
      );
    }
    const ok = await confirm(
      terminalOf(run.io),
      `\nApply ${total} change${total === 1 ? "" : "s"}${warned(p)} to agent ${escapeLine(p.agentId)}? [y/N] `,
      run.signal,
    );
    if (!ok) throw new CliError("cancelled. Nothing was written.", "CANCELLED");
  }
  const result = await aboutFile(cmd.file, () =>
    apply(poly, p, {
      chunkSize: cmd.chunkSize,
      concurrency: cmd.concurrency,
      clientEnv: cmd.clientEnv,
      onProgress: progress(err, total),
      // #22: a write the signal cuts short is reported failed (APIUserAbortError), with those applied.
      signal: run.signal,
    }),
  );
  if (cmd.json) out(toJson(result));
  else out(`\n${report(result, total)}`);
  if (cmd.json && !result.ok) err(report(result, total));
  return result.ok ? 0 : 1;
}

const NOT_MANAGED = "(a desired state cannot hold it, so it is not managed)";

/** #5: one line per value the export left out. */
function omittedLine(o: OmittedValue): string {
  return `polyai-connectors: warning: left out ${escapeLine(`${o.path} = ${JSON.stringify(o.value)}: ${o.reason}`)} ${NOT_MANAGED}\n`;
}

/** #22: a value left out, for --json: `path`, `code`, `message` as a plan's warnings, and its value and reason. */
function omittedJson(o: OmittedValue) {
  const message = `left out: ${o.reason} ${NOT_MANAGED}`;
  return { path: o.path, code: "VALUE_OMITTED", message, value: o.value, reason: o.reason };
}

async function runExport(run: Run, cmd: Extract<Command, { name: "export" }>): Promise<number> {
  const poly = connect(cmd.connection, run.io);
  if (cmd.out !== undefined) {
    await checkOutFile(cmd.out, undefined);
    const ask = (question: string) => confirm(terminalOf(run.io), run.clean(question), run.signal);
    await checkOverwrite(cmd.out, cmd.force, run.io.stdin.isTTY ? ask : undefined);
  }
  const warnings: OmittedValue[] = [];
  const omit = (o: OmittedValue) => warnings.push(o);
  const exported = withoutKey(
    await exportState(poly, cmd.agent, { onOmit: omit, signal: run.signal }),
    run.holdsKey,
    omit,
  );
  const base = await schemaBase(cmd.out, run.io.cwd ?? process.cwd());
  const schema = schemaFor(base, import.meta.url);
  // #22: `$schema` first, so an editor completes and checks the file at once.
  const state = schema === undefined ? exported : { $schema: schemaRef(schema, base), ...exported };
  const text = toJson(state);
  if (cmd.out !== undefined) await writeOutFile(cmd.out, run.clean(text));
  for (const w of warnings) run.err(omittedLine(w));
  if (cmd.json) run.out(toJson({ ok: true, desired: state, warnings: warnings.map(omittedJson) }));
  else if (cmd.out === undefined) run.out(text);
  if (cmd.out !== undefined)
    run.err(
      `Wrote ${plural(Object.keys(state.connectors).length, "connector")} and ${plural(Object.keys(state.phoneNumbers).length, "number")} of agent ${cmd.agent} to ${cmd.out}\n`,
    );
  return 0;
}

function dispatch(run: Run, cmd: Command): Promise<number> | number {
  switch (cmd.name) {
    case "help":
      run.out(USAGE);
      return 0;
    case "version":
      run.out(`${run.io.version()}\n`);
      return 0;
    case "plan":
      return runPlan(run, cmd);
    case "apply":
      return runApply(run, cmd);
    case "export":
      return runExport(run, cmd);
    case "validate":
      return runValidate(run.out, run.err, cmd, run.io.stdin);
    case "connectors":
    case "numbers":
    case "lookup":
      return runRead(connect(cmd.connection, run.io), cmd, {
        out: run.out,
        columns: run.io.stdout.columns,
        redact: run.clean,
        signal: run.signal,
      });
    case "dial":
      return runDial(run, cmd, connect(cmd.connection, run.io));
    case "call":
      return runCall(run, cmd, connect(cmd.connection, run.io));
  }
}

/** The commands that send requests: those a signal stops (#22, #23). */
const STOPPABLE: ReadonlySet<Command["name"]> = new Set([
  "plan",
  "apply",
  "export",
  "connectors",
  "numbers",
  "lookup",
  "dial",
  "call",
]);

/**
 * #22, #23: the first SIGINT or SIGTERM aborts `stop`, and both listeners go, so a
 * second signal kills the process the default way. Returns what removes them.
 */
function stopOnSignals(source: SignalSource | undefined, stop: AbortController): () => void {
  if (source === undefined) return () => {};
  const names: readonly StopSignal[] = ["SIGINT", "SIGTERM"];
  const detach = () => names.forEach((name) => source.off(name, first));
  const first = () => {
    detach();
    stop.abort();
  };
  names.forEach((name) => source.once(name, first));
  return detach;
}

/** #22: the run's exit code, a failed write (not a closed pipe) counted: stdout's is 1, stderr's at least 1. */
function withWrites(run: Run, code: number): number {
  if (run.out.failure) return 1;
  return run.err.failure && code === 0 ? 1 : code;
}

/**
 * Runs one `polyai-connectors` command line and resolves with its exit code: plan
 * 0 (no change) or 2 (changes pending), apply, export and validate 0, and 1 for
 * any error, usage errors included but validate's, which exit 2 (#22: its 1 means
 * "the file is invalid"). Never rejects, never exits the process.
 */
export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  const redact = redactorFor(io.env["POLYAI_API_KEY"]);
  let done = false;
  const late = () => {
    if (done) io.onLateWriteFailure?.();
  };
  const err = writer(io.stderr, redact, late);
  const out = writer(io.stdout, redact, (e) => {
    err(`polyai-connectors: could not write the output: ${writeProblem(e)}\n`);
    late();
  });
  const stop = new AbortController();
  const run: Run = {
    out,
    err,
    io,
    signal: stop.signal,
    pollIntervalMs: io.pollIntervalMs,
    clean: (text) => cleanText(text, redact),
    holdsKey: (text) => redact(text) !== text,
  };
  let detach = () => {};
  let code: number;
  try {
    const cmd = parseCommand(argv);
    if (STOPPABLE.has(cmd.name)) detach = stopOnSignals(io.signals, stop);
    code = await dispatch(run, cmd);
  } catch (e) {
    // With --json (before any `--`), stdout always carries a JSON document: on failure, the error.
    if (wantsJson(argv)) run.out(failureJson(e));
    run.err(failureText(e));
    code = e instanceof UsageError && commandOf(argv) === "validate" ? 2 : 1;
  }
  // #22: a file's write error is emitted on the next tick: wait for it, so the code tells.
  // The signal listeners stay until then (#22 review: a SIGTERM in this tick killed a
  // finished run with 143); the bin takes over from there.
  await new Promise((resolve) => setImmediate(resolve));
  detach();
  done = true;
  return withWrites(run, code);
}
