// The command line: the usage text, and argv checked whole before any file is read
// or any request sent (#8): every flag, its value and its range, as a usage error
// naming the flag. Node's own parser messages are not shown (#11).
import { parseArgs } from "node:util";
import { InvalidInputError, type ClientEnv } from "../../index.js";
import { APPLY_LIMITS, CLIENT_ENVS } from "../apply.js";
import { checkAgentId } from "../desired.js";

/** What --help prints. */
export const USAGE = `Usage:
  polyai-connectors plan <desired.json> [--json] [--out plan.json]
  polyai-connectors apply <desired.json | plan.json> [--yes] [--json]
  polyai-connectors export --agent PROJECT-ID [--out desired.json] [--json]

Phone lines as code for PolyAI: a JSON file says which voice, language and variant
each connector has and which connector each phone number routes to. Only what the
file names is managed; connectors are never created or deleted.

  plan     show what would change (reads only)
  apply    make the changes; shows the plan first and asks on a terminal
  export   print the desired state of everything the agent has now

Options:
  --region REGION     us, eu, uk or studio (default: POLYAI_REGION, then us)
  --base-url URL      another API host (a proxy, a local mock); not with --region
  --json              stdout carries one JSON document: plan: the plan; apply: the
                      result; export: the state and its warnings. Text goes to stderr
  --out FILE          plan: also save the plan, to apply later; export: write to FILE
                      (never the input file; written whole or not at all)
  --yes, -y           apply without asking (required when stdin is not a terminal)
  --chunk-size N      apply: connector updates per batch request, 1 to ${APPLY_LIMITS.chunkSize.max}
                      (default ${APPLY_LIMITS.chunkSize.fallback})
  --concurrency N     apply: requests in flight, 1 to ${APPLY_LIMITS.concurrency.max} (default ${APPLY_LIMITS.concurrency.fallback})
  --client-env ENV    apply: the environment numbers it imports serve:
                      ${CLIENT_ENVS.join(", ")} (default live)
  --version           print the version
  --help, -h          show this help

Environment:
  POLYAI_API_KEY      the API key (required; never printed or written)
  POLYAI_REGION       the default region
  POLYAI_LOG          debug, info or warn: the client's log lines, on stderr

Exit codes:
  plan     0 no changes, 2 changes pending, 1 error
  apply    0 every change in effect, 1 otherwise (or not confirmed: nothing written)
  export   0 done, 1 error
  a usage error exits 1
`;

/** A failure to report as one line and exit 1; `usage` adds a pointer to --help. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly usage = false,
  ) {
    super(message);
  }
}

/** Where the API is: a region, or another host. */
export interface Connection {
  region: string | undefined;
  baseUrl: string | undefined;
}

/** A command line, checked. */
export type Command =
  | { name: "help" }
  | { name: "version" }
  | { name: "plan"; file: string; json: boolean; out: string | undefined; connection: Connection }
  | {
      name: "apply";
      file: string;
      json: boolean;
      yes: boolean;
      chunkSize: number | undefined;
      concurrency: number | undefined;
      clientEnv: ClientEnv | undefined;
      connection: Connection;
    }
  | {
      name: "export";
      agent: string;
      json: boolean;
      out: string | undefined;
      connection: Connection;
    };

const OPTIONS = {
  region: { type: "string" },
  "base-url": { type: "string" },
  json: { type: "boolean", default: false },
  out: { type: "string" },
  yes: { type: "boolean", short: "y", default: false },
  agent: { type: "string" },
  "chunk-size": { type: "string" },
  concurrency: { type: "string" },
  "client-env": { type: "string" },
  version: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const;

/** The argument Node's parser refused, as the user typed it (without any `=value`). */
function offending(argv: readonly string[], error: Error): string {
  const named = /'(-[^']*)'/.exec(error.message)?.[1];
  if (named !== undefined) return named.replace(/[= ].*$/, "");
  return argv.find((a) => a.startsWith("-")) ?? "";
}

function parse(argv: readonly string[]) {
  try {
    return parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: OPTIONS });
  } catch (e) {
    const code = (e as { code?: string }).code;
    const flag = offending(argv, e as Error);
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION")
      throw new CliError(`unknown option ${flag}`, true);
    if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE")
      throw new CliError(
        flag.startsWith("--") && OPTIONS[flag.slice(2) as keyof typeof OPTIONS]?.type === "boolean"
          ? `${flag} takes no value`
          : `${flag} needs a value`,
        true,
      );
    throw new CliError((e as Error).message, true);
  }
}

function wholeNumber(
  value: string | undefined,
  flag: string,
  range: { min: number; max: number },
): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[0-9]+$/.test(value) || Number(value) < range.min || Number(value) > range.max)
    throw new CliError(
      `${flag}: expected a whole number from ${range.min} to ${range.max}, got ${JSON.stringify(value)}`,
      true,
    );
  return Number(value);
}

function clientEnv(value: string | undefined): ClientEnv | undefined {
  if (value === undefined || CLIENT_ENVS.includes(value)) return value as ClientEnv | undefined;
  throw new CliError(
    `--client-env ${JSON.stringify(value)} is not an environment; expected ${CLIENT_ENVS.join(", ")}`,
    true,
  );
}

function agent(value: string | undefined): string {
  if (value === undefined) throw new CliError("export needs --agent PROJECT-ID", true);
  try {
    return checkAgentId(value, "--agent");
  } catch (e) {
    if (e instanceof InvalidInputError) throw new CliError(`--agent: ${e.reason}`, true);
    throw e;
  }
}

/** `argv` checked whole: a usage error names the flag or argument, before anything is read. */
export function parseCommand(argv: readonly string[]): Command {
  const { values, positionals } = parse(argv);
  if (values.help) return { name: "help" };
  if (values.version) return { name: "version" };
  const [command, file, ...rest] = positionals;
  if (command === undefined) throw new CliError("no command given", true);
  if (rest.length > 0) throw new CliError(`unexpected argument ${JSON.stringify(rest[0])}`, true);
  if (values.region !== undefined && values["base-url"] !== undefined)
    throw new CliError("pass either --region or --base-url, not both", true);
  const connection: Connection = { region: values.region, baseUrl: values["base-url"] };
  // Every value is checked whatever the command, so a typo is never silently ignored.
  const chunkSize = wholeNumber(values["chunk-size"], "--chunk-size", APPLY_LIMITS.chunkSize);
  const concurrency = wholeNumber(values.concurrency, "--concurrency", APPLY_LIMITS.concurrency);
  const env = clientEnv(values["client-env"]);
  const { json, out } = values;
  switch (command) {
    case "plan":
      if (file === undefined) throw new CliError("plan needs a desired-state file", true);
      return { name: "plan", file, json, out, connection };
    case "apply":
      if (file === undefined) throw new CliError("apply needs a desired-state or plan file", true);
      if (out !== undefined)
        throw new CliError("--out is for plan and export; plan --out saves a plan to apply", true);
      return {
        name: "apply",
        file,
        json,
        yes: values.yes,
        chunkSize,
        concurrency,
        clientEnv: env,
        connection,
      };
    case "export":
      if (file !== undefined)
        throw new CliError(`unexpected argument ${JSON.stringify(file)}`, true);
      return { name: "export", agent: agent(values.agent), json, out, connection };
    default:
      throw new CliError(
        `unknown command ${JSON.stringify(command)}; expected plan, apply or export`,
        true,
      );
  }
}
