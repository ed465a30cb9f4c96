// #23: the command lines of `dial` and `call`, checked whole before any file is read
// or any call placed (the rules of usage.ts: a usage error names the flag).
import { InvalidInputError, type ClientEnv } from "../../index.js";
import { suggestKey } from "../../internal/keys.js";
import { checkAgentId } from "../desired.js";
import { DIAL_LIMITS } from "../campaign-run.js";
import { CALL_ENVIRONMENTS as CALL_ENVS } from "../dial.js";
import { MAX_RATE } from "../pace.js";
import { UsageError } from "./errors.js";

/** What `dial` and `call` take, for the usage text. */
export const DIAL_USAGE_LINES = `  polyai-connectors dial <rows.csv | rows.jsonl> --agent PROJECT-ID --env ENV --journal FILE
                    [--concurrency N] [--rate N/s] [--wait [--wait-timeout T]]
                    [--allow-duplicates] [--json]
  polyai-connectors call <+E164> --agent PROJECT-ID --env ENV [--wait [--wait-timeout T]] [--json]`;

export const DIAL_USAGE_OPTIONS = `  --env ENV           dial, call: the environment that places the calls: ${CALL_ENVS.join(", ")}
  --journal FILE      dial: what happened to each row (JSON lines); run again with the
                      same journal to resume: a row placed, or whose outcome is
                      unknown, is never dialled again
  --rate N/s          dial: triggers per second at most (N/s or N/min; default no bound)
  --wait              dial, call: poll each call until it ends (SUCCESS or FAILURE)
  --wait-timeout T    dial, call: with --wait, stop waiting for a call after T (N s,
                      N min or N h; default 30 min); the call goes on, exit 1
  --allow-duplicates  dial: let two rows ring the same number (refused by default)`;

export const DIAL_EXIT_CODES = `  dial     0 every row placed (with --wait: and ended), 1 otherwise
  call     0 placed (with --wait: ended in SUCCESS), 1 otherwise`;

/** The flags only dial and call take (agent and concurrency are declared in usage.ts). */
export const DIAL_FLAGS = {
  env: { type: "string", for: ["dial", "call"] },
  journal: { type: "string", for: ["dial"] },
  rate: { type: "string", for: ["dial"] },
  wait: { type: "boolean", for: ["dial", "call"] },
  "wait-timeout": { type: "string", for: ["dial", "call"] },
  "allow-duplicates": { type: "boolean", for: ["dial"] },
} as const;

type Env = ClientEnv;

/** `dial`, checked. */
export interface DialCommand {
  name: "dial";
  file: string;
  agent: string;
  env: Env;
  journal: string;
  concurrency: number | undefined;
  ratePerSecond: number | undefined;
  wait: boolean;
  /** --wait-timeout in milliseconds; undefined: the library's default. */
  waitTimeoutMs: number | undefined;
  allowDuplicates: boolean;
  json: boolean;
}

/** `call`, checked. */
export interface CallCommand {
  name: "call";
  toNumber: string;
  agent: string;
  env: Env;
  wait: boolean;
  /** --wait-timeout in milliseconds; undefined: the library's default. */
  waitTimeoutMs: number | undefined;
  json: boolean;
}

function agentOf(value: string | undefined, command: string): string {
  if (value === undefined) throw new UsageError(`${command} needs --agent PROJECT-ID`);
  try {
    return checkAgentId(value, "--agent");
  } catch (e) {
    if (e instanceof InvalidInputError) throw new UsageError(`--agent: ${e.reason}`);
    throw e;
  }
}

function envOf(value: string | undefined, command: string): Env {
  if (value === undefined) throw new UsageError(`${command} needs --env (${CALL_ENVS.join(", ")})`);
  if (CALL_ENVS.includes(value)) return value as Env;
  // Short and plain (`live1` too), so never a pasted key: shown, to see what was typed.
  const shown = /^[A-Za-z][A-Za-z0-9_-]{0,19}$/.test(value)
    ? JSON.stringify(value)
    : "(a value not shown)";
  throw new UsageError(
    `--env ${shown} is not an environment${suggestKey(value, CALL_ENVS, "expected one of")}`,
  );
}

/** `--rate`: `N`, `N/s` or `N/min`, as triggers per second. */
function rateOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^([0-9]{1,9}(?:\.[0-9]{1,9})?)(?:\/(s|min))?$/.exec(value);
  const perSecond = m ? Number(m[1]) / (m[2] === "min" ? 60 : 1) : NaN;
  if (!(perSecond > 0 && perSecond <= MAX_RATE))
    throw new UsageError(
      `--rate: expected calls per second above 0 and at most ${MAX_RATE}, as N, N/s or N/min (10/s, 30/min), got ${/^[-+0-9.\/a-z]{1,20}$/.test(value) ? JSON.stringify(value) : "(a value not shown)"}`,
    );
  return perSecond;
}

const UNIT_MS: Readonly<Record<string, number>> = { s: 1_000, min: 60_000, h: 3_600_000 };

/** `--wait-timeout`: `N` (seconds), `Ns`, `Nmin` or `Nh`, as milliseconds; only with --wait. */
function waitTimeoutOf(value: string | undefined, wait: boolean): number | undefined {
  if (value === undefined) return undefined;
  if (!wait) throw new UsageError("--wait-timeout is only for --wait");
  const m = /^([0-9]{1,7})(s|min|h)?$/.exec(value);
  const ms = m ? Number(m[1]) * (UNIT_MS[m[2] ?? "s"] as number) : NaN;
  if (!(ms >= 1_000 && ms <= DIAL_LIMITS.waitTimeoutMs.max))
    throw new UsageError(
      `--wait-timeout: expected a time from 1 s to 24 days, as N (seconds), N s, N min or N h (90s, 30min, 2h), got ${/^[0-9a-z.+-]{1,20}$/.test(value) ? JSON.stringify(value) : "(a value not shown)"}`,
    );
  return ms;
}

/** `dial` or `call` from argv's positionals and flag values (already parsed and checked for their command). */
export function parseDialCommand(
  command: "dial" | "call",
  target: string | undefined,
  values: ReadonlyMap<string, string | true>,
  /** --concurrency, checked by usage.ts's number check against DIAL_LIMITS. */
  concurrency: number | undefined,
): DialCommand | CallCommand {
  const text = (name: string) => values.get(name) as string | undefined;
  const common = {
    agent: agentOf(text("agent"), command),
    env: envOf(text("env"), command),
    wait: values.has("wait"),
    waitTimeoutMs: waitTimeoutOf(text("wait-timeout"), values.has("wait")),
    json: values.has("json"),
  };
  if (command === "call") {
    if (target === undefined) throw new UsageError("call needs the number to call (+E164)");
    return { name: "call", toNumber: target, ...common };
  }
  if (target === undefined) throw new UsageError("dial needs a file of rows (CSV or JSON lines)");
  const journal = text("journal");
  if (journal === undefined)
    throw new UsageError(
      "dial needs --journal FILE: where what happened to each row is kept, so a re-run never rings anyone twice",
    );
  return {
    name: "dial",
    file: target,
    journal,
    concurrency,
    ratePerSecond: rateOf(text("rate")),
    allowDuplicates: values.has("allow-duplicates"),
    ...common,
  };
}
