// The command line: the usage text, and argv checked whole before any file is read
// or any request sent (#8): every flag, its value, its range and its command, as a
// usage error naming the flag. argv is read here, not by node:util's parseArgs, so
// every message is ours (#11, #19: `--yes=1`, `--concurrency -1`, a flag given twice).
import { InvalidInputError, type ClientEnv } from "../../index.js";
import { APPLY_LIMITS, CLIENT_ENVS } from "../apply.js";
import { checkAgentId, checkConnectorId, checkPhoneNumber } from "../desired.js";
import { UsageError } from "./errors.js";
import { MAX_FILE_BYTES } from "./files.js";
import type { PlanTargets } from "../types.js";
import { parseTargets } from "./targets.js";
import type { ValidateCommand } from "./validate-command.js";

import { DIAL_LIMITS } from "../campaign-run.js";
import {
  DIAL_EXIT_CODES,
  DIAL_FLAGS,
  DIAL_USAGE_LINES,
  DIAL_USAGE_OPTIONS,
  parseDialCommand,
  type CallCommand,
  type DialCommand,
} from "./dial-usage.js";

/** What --help prints. */
export const USAGE = `Usage:
  polyai-connectors plan <desired.json> [--full] [--json] [--out plan.json] [--target T]...
  polyai-connectors apply <desired.json | plan.json> [--yes] [--full] [--json] [--target T]...
  polyai-connectors export --agent PROJECT-ID [--out desired.json [--force]] [--json]
  polyai-connectors validate <desired.json | plan.json | -> [--json]
  polyai-connectors connectors list --agent PROJECT-ID [--json]
  polyai-connectors numbers list --agent PROJECT-ID [--connector ID] [--json]
  polyai-connectors lookup +E164 --agent PROJECT-ID [--json]
${DIAL_USAGE_LINES}

Phone lines as code for PolyAI: a JSON file says which voice, language and variant
each connector has and which connector each phone number routes to. Only what the
file names is managed; connectors are never created or deleted. dial and call
place outbound calls; a campaign's journal makes sure no number is rung twice.

  plan     show what would change (reads only)
  apply    make the changes; shows the plan first and asks on a terminal
  export   print the desired state of everything the agent has now
  validate check a file offline, every problem at once (no key, no request);
           a plan file is checked for integrity, not for staleness
  connectors list, numbers list, lookup
           read only: the agent's connectors (with how many numbers each has),
           its numbers and their connectors, the connector serving a number.
           A table on a terminal; piped, one line per row, cells separated by
           a tab, no header, an empty cell as -
  dial     place a campaign's calls, each row once (a journal makes re-runs safe)
  call     place one outbound call

Options:
  --region REGION     us, eu, uk or studio (default: POLYAI_REGION, then us)
  --base-url URL      another API host (a proxy, a local mock); not with --region
  --json              stdout carries one JSON document: plan: the plan; apply: the
                      result; export: the state and its warnings; validate: { ok,
                      kind, errors: [{ path, message, code, line }], error? }; the
                      read commands: { "ok": true, "connectors" | "phoneNumbers" |
                      "connector": … } with every field; a failure:
                      { "ok": false, "error": { name, message, code } }. Text goes
                      to stderr
  --out FILE          plan: also save the plan, to apply later; export: write to FILE
                      (never the input file; written whole or not at all; a FIFO
                      or device, /dev/stdout, is written in place)
  --full              plan, apply: list every number changed and every warning (by
                      default each route shows its first 3 numbers and how many
                      more, and warnings alike are one line)
  --agent ID          export, connectors list, numbers list, lookup, dial, call: the agent
  --connector ID      numbers list: only the numbers routed to that connector
  --force             export --out: replace an existing file without asking (on a
                      terminal export asks; otherwise it refuses without --force)
  --yes, -y           apply without asking (required when stdin is not a terminal)
  --chunk-size N      apply: connector updates per batch request, 1 to ${APPLY_LIMITS.chunkSize.max}
                      (default ${APPLY_LIMITS.chunkSize.fallback})
  --concurrency N     apply: requests in flight, 1 to ${APPLY_LIMITS.concurrency.max} (default ${APPLY_LIMITS.concurrency.fallback});
                      dial: rows in progress, 1 to ${DIAL_LIMITS.concurrency.max} (default ${DIAL_LIMITS.concurrency.fallback})
  --client-env ENV    plan, apply: the environment imported numbers serve:
                      ${CLIENT_ENVS.join(", ")} (default: the clientEnv of the
                      connector each is routed to); a saved plan keeps its own
  --target T          plan, apply: only this entry of the file: connector:ID (its
                      settings) or number:+E164 (its route); may be repeated. A
                      target the file does not hold is a usage error
${DIAL_USAGE_OPTIONS}
  --version           print the version
  --help, -h          show this help
  --                  ends the options (a file whose name starts with -)

A flag of another command, or a flag given twice (but --target), is refused. Files read are at
most ${MAX_FILE_BYTES / 1024 / 1024} MiB.

Environment:
  POLYAI_API_KEY      the API key (required; never printed or written)
  POLYAI_REGION       the default region
  POLYAI_LOG          debug, info or warn: the client's log lines, on stderr
  NO_COLOR            set: no colour, ever (the plan's markers are coloured on a
                      terminal only); FORCE_COLOR=1 colours output that is not a
                      terminal, FORCE_COLOR=0 turns colour off

Exit codes:
  plan     0 no changes, 2 changes pending, 1 error
  apply    0 every change in effect, 1 otherwise (or not confirmed: nothing written)
  export   0 done, 1 error
  validate 0 valid, 1 invalid (each problem on stderr as file:line: path: what),
           2 usage error
  connectors list, numbers list
           0 listed (an empty list too), 1 error (with --connector, a
           connector the agent does not have)
  lookup   0 found, 1 error or not found (no such number, or it routes nowhere)
${DIAL_EXIT_CODES}
  any other usage error exits 1
`;

/** Where the API is: a region, or another host. */
export interface Connection {
  region: string | undefined;
  baseUrl: string | undefined;
}

/** #22: a read command, checked. */
export type ReadCommand =
  | { name: "connectors"; agent: string; json: boolean; connection: Connection }
  | {
      name: "numbers";
      agent: string;
      connector: string | undefined;
      json: boolean;
      connection: Connection;
    }
  | { name: "lookup"; agent: string; number: string; json: boolean; connection: Connection };

/** A command line, checked. */
export type Command =
  | ReadCommand
  | { name: "help" }
  | { name: "version" }
  | {
      name: "plan";
      file: string;
      json: boolean;
      full: boolean;
      out: string | undefined;
      connection: Connection;
      targets: PlanTargets | undefined;
      clientEnv: ClientEnv | undefined;
    }
  | {
      name: "apply";
      file: string;
      json: boolean;
      full: boolean;
      yes: boolean;
      targets: PlanTargets | undefined;
      chunkSize: number | undefined;
      concurrency: number | undefined;
      clientEnv: ClientEnv | undefined;
      connection: Connection;
    }
  | {
      name: "export";
      agent: string;
      json: boolean;
      force: boolean;
      out: string | undefined;
      connection: Connection;
    }
  | ValidateCommand
  | ((DialCommand | CallCommand) & { connection: Connection });

type Flag = "string" | "boolean";

/** #22: the read commands. */
const READ_COMMANDS = ["connectors", "numbers", "lookup"];

/** Every flag, its kind, and the commands it belongs to (#19: a flag of another command is refused). */
const FLAGS: Record<string, { type: Flag; short?: string; for?: readonly string[] }> = {
  region: { type: "string", for: ["plan", "apply", "export", ...READ_COMMANDS, "dial", "call"] },
  "base-url": {
    type: "string",
    for: ["plan", "apply", "export", ...READ_COMMANDS, "dial", "call"],
  },
  json: { type: "boolean" },
  full: { type: "boolean", for: ["plan", "apply"] },
  out: { type: "string", for: ["plan", "export"] },
  yes: { type: "boolean", short: "y", for: ["apply"] },
  force: { type: "boolean", for: ["export"] },
  agent: { type: "string", for: ["export", ...READ_COMMANDS, "dial", "call"] },
  connector: { type: "string", for: ["numbers"] },
  "chunk-size": { type: "string", for: ["apply"] },
  concurrency: { type: "string", for: ["apply", "dial"] },
  ...DIAL_FLAGS,
  "client-env": { type: "string", for: ["plan", "apply"] },
  target: { type: "string", for: ["plan", "apply"] },
  version: { type: "boolean" },
  help: { type: "boolean", short: "h" },
};

const SHORT: Record<string, string> = { y: "yes", h: "help" };

/** Flags whose value is a number: `--concurrency -1` is a value out of range, not a missing one. */
const NUMERIC = new Set(["chunk-size", "concurrency", "rate"]);

/**
 * #19: an unknown option is echoed only when it looks like a flag name; anything
 * else may be a pasted secret (`--pk_live/…`), so it is not repeated.
 */
const FLAG_NAME = /^--?[A-Za-z][A-Za-z0-9-]{0,39}$/;

function unknownOption(arg: string): UsageError {
  const name = arg.replace(/=.*$/s, "");
  return new UsageError(
    FLAG_NAME.test(name)
      ? `unknown option ${name}`
      : "an unknown option was given (not shown: it does not look like an option name)",
  );
}

interface Parsed {
  values: Map<string, string | true>;
  positionals: string[];
  /** #22: every value of the one flag that may repeat, --target. */
  targets: string[];
}

/** #22: the only flag that may be given more than once. */
const REPEATABLE = "target";

/** argv read by hand: every message is ours, `--` ends the options, a flag given twice is refused. */
function parse(argv: readonly string[]): Parsed {
  const values = new Map<string, string | true>();
  const positionals: string[] = [];
  const targets: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const written = eq === -1 ? arg : arg.slice(0, eq);
    const name = arg.startsWith("--") ? written.slice(2) : SHORT[written.slice(1)];
    const flag = name === undefined || !Object.hasOwn(FLAGS, name) ? undefined : FLAGS[name];
    if (name === undefined || flag === undefined) throw unknownOption(arg);
    const shown = `--${name}`;
    if (values.has(name) && name !== REPEATABLE) throw new UsageError(`${shown} given twice`);
    if (flag.type === "boolean") {
      if (eq !== -1) throw new UsageError(`${shown} takes no value`);
      values.set(name, true);
      continue;
    }
    let value = eq === -1 ? argv[i + 1] : arg.slice(eq + 1);
    if (eq === -1) {
      const negative = value !== undefined && NUMERIC.has(name) && /^-[0-9.]/.test(value);
      if (value === undefined || (value.startsWith("-") && value !== "-" && !negative))
        value = undefined;
      else i++;
    }
    if (value === undefined || value === "") throw new UsageError(`${shown} needs a value`);
    values.set(name, value);
    if (name === REPEATABLE) targets.push(value);
  }
  return { values, positionals, targets };
}

/**
 * #22: the command argv names, as far as it can be told without checking it whole
 * (a flag's value is skipped): `validate` exits 2 on a usage error, since its 1
 * means "the file is invalid".
 */
export function commandOf(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--") return argv[i + 1];
    if (!arg.startsWith("-") || arg === "-") return arg;
    const name = arg.startsWith("--") ? arg.slice(2) : SHORT[arg.slice(1)];
    if (name !== undefined && !arg.includes("=") && FLAGS[name]?.type === "string") i++;
  }
  return undefined;
}

/** Whether argv asks for --json (before any `--`): a failure is then printed as JSON too. */
export function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf("--");
  return (end === -1 ? argv : argv.slice(0, end)).includes("--json");
}

/** #19: a flag's value, quoted when it looks like one; else not repeated (a key pasted in the wrong place). */
function shown(value: string, looksLike: RegExp): string {
  return looksLike.test(value) ? JSON.stringify(value) : "(a value not shown)";
}

function wholeNumber(
  value: string | undefined,
  flag: string,
  range: { min: number; max: number },
): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[0-9]+$/.test(value) || Number(value) < range.min || Number(value) > range.max)
    throw new UsageError(
      `${flag}: expected a whole number from ${range.min} to ${range.max}, got ${shown(value, /^[-+0-9.eE]{1,20}$/)}`,
    );
  return Number(value);
}

function clientEnv(value: string | undefined): ClientEnv | undefined {
  if (value === undefined || CLIENT_ENVS.includes(value)) return value as ClientEnv | undefined;
  throw new UsageError(
    `--client-env ${shown(value, /^[A-Za-z][A-Za-z-]{0,19}$/)} is not an environment; expected ${CLIENT_ENVS.join(", ")}`,
  );
}

/** A value checked with the SDK's own rule, a usage error naming `what` when refused. */
function checked(value: string, what: string, check: (value: string, field: string) => string) {
  try {
    return check(value, what);
  } catch (e) {
    if (e instanceof InvalidInputError) throw new UsageError(`${what}: ${e.reason}`);
    throw e;
  }
}

function agent(command: string, value: string | undefined): string {
  if (value === undefined) throw new UsageError(`${command} needs --agent PROJECT-ID`);
  return checked(value, "--agent", checkAgentId);
}

/** #22: `connectors list`, `numbers list`, `lookup +E164`, checked whole. */
function readCommand(
  command: string,
  operand: string | undefined,
  values: Parsed["values"],
  json: boolean,
  connection: Connection,
): ReadCommand {
  const text = (name: string) => values.get(name) as string | undefined;
  if (command === "lookup") {
    if (operand === undefined) throw new UsageError("lookup needs a phone number (+E164)");
    const number = checked(operand, "lookup", checkPhoneNumber);
    return { name: "lookup", agent: agent(command, text("agent")), number, json, connection };
  }
  if (operand !== "list")
    throw new UsageError(
      `${command} takes the subcommand list${operand === undefined ? "" : `, not ${JSON.stringify(operand)}`}`,
    );
  const id = agent(`${command} list`, text("agent"));
  if (command === "connectors") return { name: "connectors", agent: id, json, connection };
  const only = text("connector");
  const connector = only === undefined ? undefined : checked(only, "--connector", checkConnectorId);
  return { name: "numbers", agent: id, connector, json, connection };
}

/** `a, b and c` (or `or`). */
function listed(words: readonly string[], and = "and"): string {
  return words.length < 2
    ? words.join("")
    : `${words.slice(0, -1).join(", ")} ${and} ${words.at(-1)}`;
}

/** #22: a command as it is typed: `connectors list`, `numbers list`. */
const typed = (command: string): string =>
  command === "connectors" || command === "numbers" ? `${command} list` : command;

/** #19: a flag of another command is refused, not ignored (`plan --yes` does not apply). */
function checkFlagsOf(command: string, values: Parsed["values"]): void {
  for (const name of values.keys()) {
    const only = FLAGS[name]?.for;
    if (only === undefined || only.includes(command)) continue;
    const hint = name === "out" ? "; plan --out saves a plan to apply" : "";
    throw new UsageError(
      `--${name} is for ${listed(only.map(typed))}, not ${typed(command)}${hint}`,
    );
  }
}

const COMMANDS = ["plan", "apply", "export", "validate", ...READ_COMMANDS, "dial", "call"];

/** `argv` checked whole: a usage error names the flag or argument, before anything is read. */
export function parseCommand(argv: readonly string[]): Command {
  const { values, positionals, targets: targetArgs } = parse(argv);
  const text = (name: string) => values.get(name) as string | undefined;
  if (values.has("help")) return { name: "help" };
  if (values.has("version")) return { name: "version" };
  const [command, file, ...rest] = positionals;
  if (command === undefined) throw new UsageError("no command given");
  if (!COMMANDS.includes(command))
    throw new UsageError(
      `${/^[A-Za-z][A-Za-z0-9-]{0,39}$/.test(command) ? `unknown command ${JSON.stringify(command)}` : "an unknown command was given"}; expected ${listed(COMMANDS, "or")}`,
    );
  checkFlagsOf(command, values);
  if (rest.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(rest[0])}`);
  if (values.has("region") && values.has("base-url"))
    throw new UsageError("pass either --region or --base-url, not both");
  const connection: Connection = { region: text("region"), baseUrl: text("base-url") };
  const json = values.has("json");
  const out = text("out");
  if (READ_COMMANDS.includes(command)) return readCommand(command, file, values, json, connection);
  switch (command) {
    case "plan":
      if (file === undefined) throw new UsageError("plan needs a desired-state file");
      return {
        name: "plan",
        file,
        json,
        full: values.has("full"),
        out,
        connection,
        targets: parseTargets(targetArgs),
        clientEnv: clientEnv(text("client-env")),
      };
    case "apply":
      if (file === undefined) throw new UsageError("apply needs a desired-state or plan file");
      return {
        name: "apply",
        file,
        json,
        full: values.has("full"),
        yes: values.has("yes"),
        targets: parseTargets(targetArgs),
        chunkSize: wholeNumber(text("chunk-size"), "--chunk-size", APPLY_LIMITS.chunkSize),
        concurrency: wholeNumber(text("concurrency"), "--concurrency", APPLY_LIMITS.concurrency),
        clientEnv: clientEnv(text("client-env")),
        connection,
      };
    case "validate":
      if (file === undefined) throw new UsageError("validate needs a desired-state or plan file");
      return { name: "validate", file, json };
    case "dial":
    case "call": {
      const slots = wholeNumber(text("concurrency"), "--concurrency", DIAL_LIMITS.concurrency);
      return { ...parseDialCommand(command, file, values, slots), connection };
    }
    default:
      if (file !== undefined) throw new UsageError(`unexpected argument ${JSON.stringify(file)}`);
      // #22: a flag that would do nothing is refused, not ignored (as a flag of another command is).
      if (values.has("force") && out === undefined)
        throw new UsageError("--force replaces an existing --out file: give --out FILE too");
      return {
        name: "export",
        agent: agent("export", text("agent")),
        json,
        force: values.has("force"),
        out,
        connection,
      };
  }
}
