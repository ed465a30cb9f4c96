#!/usr/bin/env node
// `polyai-connectors`: phone lines as code from a shell or CI. `plan` shows what
// differs (exit 2 when something does), `apply` makes it so (after a confirmation,
// or --yes), `export` writes down what an agent has now. The key comes from
// POLYAI_API_KEY only and is never printed.
import { readFile, writeFile } from "node:fs/promises";
import { createInterface } from "node:readline/promises";
import { parseArgs } from "node:util";
import {
  APIError,
  createPolyAIClient,
  InvalidInputError,
  PolyAIError,
  type ClientEnv,
  type PolyAIClient,
  type Region,
} from "../index.js";
import { checkPlan, countChanges, PLAN_KIND, plan } from "./plan.js";
import { apply, CLIENT_ENVS } from "./apply.js";
import { keyRedactor } from "../redact.js";
import { validateDesiredState } from "./desired.js";
import { InvalidPlanError, PlanStaleError, UnknownConnectorError } from "./errors.js";
import { exportState } from "./export.js";
import { renderPlan } from "./render.js";
import type { ApplyResult, ChangeResult, Plan } from "./types.js";

const USAGE = `Usage:
  polyai-connectors plan <desired.json> [--json] [--out plan.json]
  polyai-connectors apply <desired.json | plan.json> [--yes] [--json]
  polyai-connectors export --agent PROJECT-ID [--out desired.json]

Phone lines as code for PolyAI: a JSON file says which voice, language and variant
each connector has and which connector each phone number routes to. Only what the
file names is managed; connectors are never created or deleted.

  plan     show what would change (reads only)
  apply    make the changes; shows the plan first and asks on a terminal
  export   print the desired state of everything the agent has now

Options:
  --region REGION     us, eu, uk or studio (default: POLYAI_REGION, then us)
  --base-url URL      another API host (a proxy, a local mock); not with --region
  --json              plan: print the plan as JSON; apply: print the result as JSON
  --out FILE          plan: also save the plan, to apply later; export: write to FILE
  --yes, -y           apply without asking (required when stdin is not a terminal)
  --chunk-size N      apply: connector updates per batch request (default 100)
  --concurrency N     apply: requests in flight at once (default 8)
  --client-env ENV    apply: the environment numbers it imports serve: sandbox,
                      pre-release or live (default live)
  --help, -h          show this help

Environment:
  POLYAI_API_KEY      the API key (required; never printed)
  POLYAI_REGION       the default region

Exit codes:
  plan     0 no changes, 2 changes pending, 1 error
  apply    0 every change in effect, 1 otherwise (or not confirmed: nothing written)
  export   0 done, 1 error
`;

/** The --client-env flag, one of the API's environments. */
function clientEnvFlag(value: string): ClientEnv {
  if (CLIENT_ENVS.includes(value)) return value as ClientEnv;
  throw new CliError(
    `--client-env ${JSON.stringify(value)} is not an environment; expected ${CLIENT_ENVS.join(", ")}`,
    true,
  );
}

/** A failure to report as one line and exit 1; `usage` adds a pointer to --help. */
class CliError extends Error {
  constructor(
    message: string,
    readonly usage = false,
  ) {
    super(message);
  }
}

/** Everything printed goes through here: the key never leaves, even if an error quoted it. */
function redactor(): (text: string) => string {
  const key = process.env["POLYAI_API_KEY"];
  // The client's redactor: every spelling an encoder gives the key, not only the key.
  return key && key.length >= 8 ? keyRedactor(key) : (text) => text;
}
const redact = redactor();
const out = (text: string) => void process.stdout.write(redact(text));
const err = (text: string) => void process.stderr.write(redact(text));

/** Where a JSON.parse error points, as line and column. */
function whereInJson(text: string, error: Error): string {
  const at = /position (\d+)/.exec(error.message);
  const reason = error.message
    .replace(/ in JSON at position \d+.*$/, "")
    .replace(/^JSON\.parse: /, "");
  if (!at) return reason;
  const pos = Number(at[1]);
  const before = text.slice(0, pos).split("\n");
  return `${reason} (line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1})`;
}

/**
 * The first key written twice in one object of a JSON text, with where it is: JSON.parse
 * keeps the last silently, so a number pasted twice with two routes would plan as one.
 */
function duplicateKey(text: string): { path: string; line: number } | undefined {
  const stack: { keys: Set<string>; path: string; array: number | undefined }[] = [];
  let pendingKey: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      const value = JSON.parse(text.slice(i, j + 1)) as string;
      const top = stack.at(-1);
      const isKey = /^\s*:/.test(text.slice(j + 1, j + 40));
      if (top && top.array === undefined && isKey) {
        const path = top.path ? `${top.path}.${value}` : value;
        if (top.keys.has(value)) return { path, line: text.slice(0, i).split("\n").length };
        top.keys.add(value);
        pendingKey = value;
      }
      i = j;
    } else if (ch === "{" || ch === "[") {
      const top = stack.at(-1);
      const name = top?.array !== undefined ? `[${top.array}]` : (pendingKey ?? "");
      const path = top?.path
        ? name.startsWith("[")
          ? `${top.path}${name}`
          : `${top.path}.${name}`
        : name;
      stack.push({ keys: new Set(), path, array: ch === "[" ? 0 : undefined });
      pendingKey = undefined;
    } else if (ch === "}" || ch === "]") {
      stack.pop();
    } else if (ch === ",") {
      const top = stack.at(-1);
      if (top && top.array !== undefined) top.array++;
    }
  }
  return undefined;
}

async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new CliError(
      `${file}: cannot read it: ${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : (e as Error).message}`,
    );
  }
  text = text.replace(/^\uFEFF/, "");
  if (text.trim() === "") throw new CliError(`${file}: the file is empty; expected a JSON object`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text) as unknown;
  } catch (e) {
    throw new CliError(`${file}: not valid JSON: ${whereInJson(text, e as Error)}`);
  }
  const twice = duplicateKey(text);
  if (twice)
    throw new CliError(
      `${file}: ${twice.path}: is written twice (again on line ${twice.line}); JSON keeps only the last, so say it once`,
    );
  return parsed;
}

/** Runs `fn`; an error about the file's content is reported as `file: path: what is wrong`. */
async function aboutFile<T>(file: string, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (
      e instanceof InvalidInputError ||
      e instanceof InvalidPlanError ||
      e instanceof UnknownConnectorError
    )
      throw new CliError(`${file}: ${e.message}`);
    if (e instanceof PlanStaleError) throw new CliError(`${file}: ${e.message} (${e.code})`);
    throw e;
  }
}

function isPlan(data: unknown): boolean {
  return (
    typeof data === "object" && data !== null && (data as { kind?: unknown }).kind === PLAN_KIND
  );
}

interface Flags {
  region: string | undefined;
  baseUrl: string | undefined;
}

function client(flags: Flags): PolyAIClient {
  const key = process.env["POLYAI_API_KEY"];
  if (key === undefined || key === "")
    throw new CliError(
      "POLYAI_API_KEY is not set: put your PolyAI API key in that environment variable (the CLI reads the key from the environment only, so it stays out of shell history and process lists)",
    );
  if (flags.region !== undefined && flags.baseUrl !== undefined)
    throw new CliError("pass either --region or --base-url, not both", true);
  try {
    return createPolyAIClient({
      apiKey: key,
      region: flags.region as Region | undefined,
      baseUrl: flags.baseUrl,
    });
  } catch (e) {
    if (!(e instanceof InvalidInputError)) throw e;
    const names: Record<string, string> = {
      apiKey: "POLYAI_API_KEY",
      baseUrl: "--base-url",
      region: "--region",
    };
    throw new CliError(`${names[e.field] ?? e.field}: ${e.reason}`);
  }
}

function positiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9][0-9]*$/.test(value))
    throw new CliError(
      `${flag}: expected a whole number of at least 1, got ${JSON.stringify(value)}`,
      true,
    );
  return Number(value);
}

function describeChange(r: ChangeResult): string {
  if (r.kind === "connector")
    return `connector ${r.connectorId} (${Object.keys(r.change.patch).join(", ")})`;
  return r.change.action === "import"
    ? `number ${r.number} (import, route to ${r.change.to})`
    : `number ${r.number} (route to ${r.change.to})`;
}

function errorLine(e: Error): string {
  return `${e.name}: ${e.message}`;
}

function report(result: ApplyResult, total: number): string {
  const lines = [
    `Applied ${result.applied} of ${total} change${total === 1 ? "" : "s"} to agent ${result.agentId}.`,
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

/** An apply result as JSON: errors as { name, message, code?, status? }. */
function resultJson(result: ApplyResult): string {
  return JSON.stringify(
    result,
    (_key, value: unknown) => {
      if (!(value instanceof Error)) return value;
      const e = value as Error & { code?: unknown; status?: unknown; field?: unknown };
      return {
        name: e.name,
        message: e.message,
        ...(typeof e.code === "string" ? { code: e.code } : {}),
        ...(typeof e.status === "number" ? { status: e.status } : {}),
        ...(typeof e.field === "string" ? { field: e.field } : {}),
      };
    },
    2,
  );
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(question);
    return /^(y|yes)$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

function progress(total: number): ((p: { done: number; total: number }) => void) | undefined {
  if (!process.stderr.isTTY || total < 20) return undefined;
  let shown = -1;
  return ({ done }) => {
    const percent = Math.floor((done / total) * 100);
    if (percent === shown && done !== total) return;
    shown = percent;
    err(`\rApplying: ${done}/${total} (${percent}%)${done === total ? "\n" : ""}`);
  };
}

async function runPlan(
  file: string,
  flags: Flags,
  json: boolean,
  saveTo: string | undefined,
): Promise<number> {
  const data = await readJson(file);
  if (isPlan(data))
    throw new CliError(
      `${file}: this is a saved plan; plan takes a desired-state file (apply takes either)`,
    );
  const desired = await aboutFile(file, () => validateDesiredState(data));
  const poly = client(flags);
  const p = await aboutFile(file, () => plan(poly, desired));
  if (saveTo !== undefined) await writeFile(saveTo, `${JSON.stringify(p, null, 2)}\n`);
  if (json) out(`${JSON.stringify(p, null, 2)}\n`);
  else {
    out(`${renderPlan(p)}\n`);
    if (saveTo !== undefined && countChanges(p) > 0)
      out(`\nSaved the plan to ${saveTo}; apply it with: polyai-connectors apply ${saveTo}\n`);
  }
  return countChanges(p) > 0 ? 2 : 0;
}

async function runApply(
  file: string,
  flags: Flags,
  options: {
    json: boolean;
    yes: boolean;
    chunkSize?: number;
    concurrency?: number;
    clientEnv?: ClientEnv;
  },
): Promise<number> {
  const data = await readJson(file);
  let p: Plan;
  let poly: PolyAIClient;
  if (isPlan(data)) {
    p = await aboutFile(file, () => checkPlan(data).plan);
    poly = client(flags);
  } else {
    const desired = await aboutFile(file, () => validateDesiredState(data));
    poly = client(flags);
    p = await aboutFile(file, () => plan(poly, desired));
  }
  // With --json, stdout carries only the result; the plan goes to stderr.
  const show = options.json ? err : out;
  show(`${renderPlan(p)}\n`);
  const total = countChanges(p);
  if (total === 0) {
    show("Nothing to apply.\n");
    if (options.json)
      out(
        `${resultJson({ agentId: p.agentId, ok: true, results: [], applied: 0, failed: 0, notTaken: [], recovered: [] })}\n`,
      );
    return 0;
  }
  if (!options.yes) {
    if (!process.stdin.isTTY) {
      err(
        "\nRefusing to apply without --yes: stdin is not a terminal, so no one can confirm. Nothing was written.\n",
      );
      return 1;
    }
    const ok = await confirm(
      `\nApply ${total} change${total === 1 ? "" : "s"} to agent ${p.agentId}? [y/N] `,
    );
    if (!ok) {
      err("Cancelled. Nothing was written.\n");
      return 1;
    }
  }
  const onProgress = progress(total);
  const result = await aboutFile(file, () =>
    apply(poly, p, {
      chunkSize: options.chunkSize,
      concurrency: options.concurrency,
      clientEnv: options.clientEnv,
      onProgress,
    }),
  );
  if (options.json) out(`${resultJson(result)}\n`);
  else out(`\n${report(result, total)}`);
  if (options.json && !result.ok) err(report(result, total));
  return result.ok ? 0 : 1;
}

async function runExport(
  agent: string | undefined,
  flags: Flags,
  saveTo: string | undefined,
): Promise<number> {
  if (agent === undefined) throw new CliError("export needs --agent PROJECT-ID", true);
  const poly = client(flags);
  let state;
  try {
    state = await exportState(poly, agent);
  } catch (e) {
    if (e instanceof InvalidInputError && e.field === "agentId")
      throw new CliError(`--agent: ${e.reason}`);
    throw e;
  }
  const text = `${JSON.stringify(state, null, 2)}\n`;
  if (saveTo === undefined) out(text);
  else {
    await writeFile(saveTo, text);
    err(
      `Wrote ${Object.keys(state.connectors).length} connectors and ${Object.keys(state.phoneNumbers).length} numbers of agent ${agent} to ${saveTo}\n`,
    );
  }
  return 0;
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        region: { type: "string" },
        "base-url": { type: "string" },
        json: { type: "boolean", default: false },
        out: { type: "string" },
        yes: { type: "boolean", short: "y", default: false },
        agent: { type: "string" },
        "chunk-size": { type: "string" },
        concurrency: { type: "string" },
        "client-env": { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (e) {
    throw new CliError((e as Error).message, true);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    out(USAGE);
    return 0;
  }
  const [command, file, ...rest] = positionals;
  const flags: Flags = { region: values.region, baseUrl: values["base-url"] };
  if (command === undefined) throw new CliError("no command given", true);
  if (rest.length > 0) throw new CliError(`unexpected argument ${JSON.stringify(rest[0])}`, true);
  switch (command) {
    case "plan":
      if (file === undefined) throw new CliError("plan needs a desired-state file", true);
      return runPlan(file, flags, values.json, values.out);
    case "apply":
      if (file === undefined) throw new CliError("apply needs a desired-state or plan file", true);
      if (values.out !== undefined)
        throw new CliError("--out is for plan and export; plan --out saves a plan to apply", true);
      return runApply(file, flags, {
        json: values.json,
        yes: values.yes,
        ...(values["chunk-size"] !== undefined
          ? { chunkSize: positiveInt(values["chunk-size"], "--chunk-size") as number }
          : {}),
        ...(values["client-env"] !== undefined
          ? { clientEnv: clientEnvFlag(values["client-env"]) }
          : {}),
        ...(values.concurrency !== undefined
          ? { concurrency: positiveInt(values.concurrency, "--concurrency") as number }
          : {}),
      });
    case "export":
      if (file !== undefined)
        throw new CliError(`unexpected argument ${JSON.stringify(file)}`, true);
      return runExport(values.agent, flags, values.out);
    default:
      throw new CliError(
        `unknown command ${JSON.stringify(command)}; expected plan, apply or export`,
        true,
      );
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    // With --json, stdout always carries a JSON document: on failure, the error.
    if (process.argv.includes("--json")) {
      const { name, message, code, status } = e as {
        name?: unknown;
        message?: unknown;
        code?: unknown;
        status?: unknown;
      };
      const error = {
        name: e instanceof CliError ? "CliError" : String(name ?? "Error"),
        message: String(message ?? e),
        ...(typeof code === "string" ? { code } : {}),
        ...(typeof status === "number" ? { status } : {}),
      };
      out(`${JSON.stringify({ ok: false, error }, null, 2)}\n`);
    }
    if (e instanceof CliError) {
      err(`polyai-connectors: ${e.message}\n`);
      if (e.usage) err("Run polyai-connectors --help for usage.\n");
    } else if (e instanceof APIError || e instanceof PolyAIError) {
      err(`polyai-connectors: ${e.name}: ${e.message}\n`);
    } else {
      err(`polyai-connectors: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}\n`);
    }
    process.exitCode = 1;
  },
);
