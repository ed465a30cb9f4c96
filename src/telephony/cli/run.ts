// `polyai-connectors` as a function: runCli(argv, io) runs one command line against
// the streams and environment it is given and resolves with the exit code. The bin
// (../cli.ts) is a thin wrapper over it with the process's own; tests call it in
// process. The key comes from the environment only and never leaves (output.ts).
import { createInterface } from "node:readline/promises";
import {
  createPolyAIClient,
  InvalidInputError,
  type PolyAIClient,
  type Region,
} from "../../index.js";
import { apply, APPLY_LIMITS } from "../apply.js";
import { validateDesiredState } from "../desired.js";
import { InvalidPlanError, PlanStaleError, UnknownConnectorError } from "../errors.js";
import { exportState } from "../export.js";
import { checkPlan, countChanges, PLAN_KIND, plan, planWithin } from "../plan.js";
import { renderPlan, summarizePlan } from "../render.js";
import type { ApplyResult, OmittedValue, Plan } from "../types.js";
import { limiter } from "../util.js";
import { runCall, runDial, type SignalSource } from "./dial-command.js";
import { escapeLine } from "./escape.js";
import { CliError, UsageError } from "./errors.js";
import { checkOutFile, readJsonFile, writeOutFile } from "./files.js";
import { cleanText, redactorFor, writer, type OutStream, type Writer } from "./output.js";
import { refuseRedacted, withoutKey } from "./keyless.js";
import { errorLine, failureJson, report, toJson } from "./report.js";
import { parseCommand, USAGE, wantsJson, type Command, type Connection } from "./usage.js";

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
  /** #23: where Ctrl-C comes from, to stop a campaign between calls (the bin passes the process). */
  readonly signals?: SignalSource | undefined;
  /** #23: the first pause between status reads with --wait (default the library's); a test shortens it. */
  readonly pollIntervalMs?: number | undefined;
}

interface Run {
  readonly signals?: SignalSource | undefined;
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
    if (
      e instanceof InvalidInputError ||
      e instanceof InvalidPlanError ||
      e instanceof UnknownConnectorError
    )
      throw new CliError(`${file}: ${e.message}`, "FILE_INVALID", { cause: e });
    if (e instanceof PlanStaleError)
      throw new CliError(`${file}: ${e.message} (${e.code})`, e.code, { cause: e });
    throw e;
  }
}

function isPlan(data: unknown): boolean {
  return (
    typeof data === "object" && data !== null && (data as { kind?: unknown }).kind === PLAN_KIND
  );
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

async function runPlan(run: Run, cmd: Extract<Command, { name: "plan" }>): Promise<number> {
  const poly = connect(cmd.connection, run.io);
  if (cmd.out !== undefined) await checkOutFile(cmd.out, cmd.file);
  const data = await readJsonFile(cmd.file);
  refuseRedacted(cmd.file, data);
  if (isPlan(data))
    throw new CliError(
      `${cmd.file}: this is a saved plan; plan takes a desired-state file (apply takes either)`,
      "FILE_INVALID",
    );
  const desired = await aboutFile(cmd.file, () => validateDesiredState(data));
  const p = await aboutFile(cmd.file, () => plan(poly, desired));
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
    run.err(`${summarizePlan(p)}\n`); // #12: the human text goes to stderr
  } else {
    run.out(`${renderPlan(p)}\n`);
    if (cmd.out !== undefined && countChanges(p) > 0)
      run.out(
        `\nSaved the plan to ${cmd.out}; apply it with: polyai-connectors apply ${cmd.out}\n`,
      );
  }
  return countChanges(p) > 0 ? 2 : 0;
}

async function confirm(io: CliIO, question: string): Promise<boolean> {
  const rl = createInterface({ input: io.stdin, output: io.stderr as NodeJS.WritableStream });
  try {
    const answer = await rl.question(question);
    return /^(y|yes)$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

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
  const data = await readJsonFile(cmd.file);
  refuseRedacted(cmd.file, data);
  let p: Plan;
  if (isPlan(data)) p = await aboutFile(cmd.file, () => checkPlan(data).plan);
  else {
    const desired = await aboutFile(cmd.file, () => validateDesiredState(data));
    // #19: --concurrency bounds the planning reads too, not only apply's own requests.
    const slots = cmd.concurrency ?? APPLY_LIMITS.concurrency.fallback;
    p = await aboutFile(cmd.file, () => planWithin(poly, desired, {}, limiter(slots)));
  }
  // With --json, stdout carries only the result; the plan goes to stderr.
  const show = cmd.json ? err : out;
  show(`${renderPlan(p)}\n`);
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
      run.io,
      `\nApply ${total} change${total === 1 ? "" : "s"} to agent ${escapeLine(p.agentId)}? [y/N] `,
    );
    if (!ok) throw new CliError("cancelled. Nothing was written.", "CANCELLED");
  }
  const result = await aboutFile(cmd.file, () =>
    apply(poly, p, {
      chunkSize: cmd.chunkSize,
      concurrency: cmd.concurrency,
      clientEnv: cmd.clientEnv,
      onProgress: progress(err, total),
    }),
  );
  if (cmd.json) out(toJson(result));
  else out(`\n${report(result, total)}`);
  if (cmd.json && !result.ok) err(report(result, total));
  return result.ok ? 0 : 1;
}

/** #5: one line per value the export left out. */
function omittedLine(o: OmittedValue): string {
  return `polyai-connectors: warning: left out ${escapeLine(`${o.path} = ${JSON.stringify(o.value)}: ${o.reason}`)} (a desired state cannot hold it, so it is not managed)\n`;
}

async function runExport(run: Run, cmd: Extract<Command, { name: "export" }>): Promise<number> {
  const poly = connect(cmd.connection, run.io);
  if (cmd.out !== undefined) await checkOutFile(cmd.out, undefined);
  const warnings: OmittedValue[] = [];
  const omit = (o: OmittedValue) => warnings.push(o);
  const state = withoutKey(
    await exportState(poly, cmd.agent, { onOmit: omit }),
    run.holdsKey,
    omit,
  );
  const text = toJson(state);
  if (cmd.out !== undefined) await writeOutFile(cmd.out, run.clean(text));
  for (const w of warnings) run.err(omittedLine(w));
  if (cmd.json) run.out(toJson({ ok: true, desired: state, warnings }));
  else if (cmd.out === undefined) run.out(text);
  if (cmd.out !== undefined)
    run.err(
      `Wrote ${Object.keys(state.connectors).length} connectors and ${Object.keys(state.phoneNumbers).length} numbers of agent ${cmd.agent} to ${cmd.out}\n`,
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
    case "dial":
      return runDial(run, cmd, connect(cmd.connection, run.io));
    case "call":
      return runCall(run, cmd, connect(cmd.connection, run.io));
  }
}

/**
 * Runs one `polyai-connectors` command line and resolves with its exit code: plan
 * 0 (no change) or 2 (changes pending), apply and export 0, and 1 for any error,
 * usage errors included. Never rejects, never exits the process.
 */
export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  const redact = redactorFor(io.env["POLYAI_API_KEY"]);
  const run: Run = {
    out: writer(io.stdout, redact),
    err: writer(io.stderr, redact),
    io,
    signals: io.signals,
    pollIntervalMs: io.pollIntervalMs,
    clean: (text) => cleanText(text, redact),
    holdsKey: (text) => redact(text) !== text,
  };
  try {
    return await dispatch(run, parseCommand(argv));
  } catch (e) {
    // With --json (before any `--`), stdout always carries a JSON document: on failure, the error.
    if (wantsJson(argv)) run.out(failureJson(e));
    if (e instanceof CliError)
      run.err(
        `polyai-connectors: ${escapeLine(e.message)}${e instanceof UsageError ? " (see --help)" : ""}\n`,
      );
    else
      run.err(`polyai-connectors: ${e instanceof Error ? errorLine(e) : escapeLine(String(e))}\n`);
    return 1;
  }
}
