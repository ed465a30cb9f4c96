#!/usr/bin/env node
// `polyai-connectors-mock`: the test mock as a process, for trying the SDK (or
// curl, or another language's client) against a local PolyAI by hand.
import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { escapeLine } from "../telephony/cli/escape.js";
import { scanJson } from "../telephony/cli/json-text.js";
import { packageVersion } from "../telephony/cli/version.js";
import { isPlainObject } from "../internal/validate.js";
import { integerFlag } from "./flags.js";
import { DEFAULT_MAX_BODY_BYTES, MAX_BODY_LIMIT } from "./limits.js";
import { createMockPolyAI, type MockPolyAIOptions } from "./mock.js";
import type { SeedConnector, SeedPhoneNumber } from "./store.js";

const USAGE = `Usage: polyai-connectors-mock [--port 4010] [--host 127.0.0.1] [--api-key KEY] [--seed seed.json]
                              [--max-body-bytes N] [--max-body-bytes-in-flight N]
                              [--request-timeout-ms N] [--version]

Serves PolyAI's telephony endpoints (connectors, phone numbers and outbound calls)
from memory. It keeps no log of the requests it answers (nothing could read it
from outside).

  --port     port to listen on (default 4010; 0 picks a free one)
  --host     address to listen on (default 127.0.0.1)
  --api-key  the x-api-key the mock accepts (default test-key); the banner shows
             the default, never a key given here
  --max-body-bytes
             the largest request body read, in bytes, from 0 to ${MAX_BODY_LIMIT}
             (default 1048576); a larger one is answered 413 PAYLOAD_TOO_LARGE and
             its connection closed; 0 refuses every request with a body
  --max-body-bytes-in-flight
             the most held of all bodies being read at once, in bytes (default
             67108864, or --max-body-bytes when larger; not less than it); a body
             that would pass it is answered 503 with Retry-After and its connection
             closed
  --request-timeout-ms
             how long a client may take to send a whole request (default 60000;
             0 waits for ever); past it, 408 REQUEST_TIMEOUT and the connection closed
  --seed     JSON file: an array of connectors, or
             { "connectors": [...], "phoneNumbers": [...], "allowedProjects": [...],
               "unavailableVoices": [...] };
             a connector needs only "connectorId" and "voiceName" (the rest default:
             name = connectorId, projectId = agentId or PROJECT-LOCAL, accountId
             ws-local, clientEnv live, variantId "", languages from the voice,
             disableHandoff false), and may carry "agentId" (default: its projectId)
             and "phoneNumbers" (numbers routed to it);
             top-level "phoneNumbers" are objects { "number", "agentId", and optionally
             "connectorId", "projectId", "accountId", "clientEnv" }: numbers routed
             nowhere unless "connectorId" is given.
             Only agents named in the seed (connectors, phoneNumbers, allowedProjects)
             are served; any other answers 403 USER_ACCESS_FORBIDDEN.
`;

/** A mistake in the command line itself: the only kind of error followed by the usage. */
class UsageError extends Error {
  override name = "UsageError";
}

/** The key the mock accepts when --api-key is not given; the only one the banner prints. */
const DEFAULT_KEY = "test-key";

const isListenError = (err: unknown): err is NodeJS.ErrnoException =>
  ["listen", "getaddrinfo"].includes((err as NodeJS.ErrnoException | undefined)?.syscall ?? "");

/** What to do about each listen failure (#20: not the seed's description). */
const LISTEN_HINTS: Record<string, (host: string, port: number) => string> = {
  EADDRINUSE: (host, port) =>
    `port ${port} is taken on ${host}: stop what holds it, or --port 0 picks a free one`,
  EADDRNOTAVAIL: (host) =>
    `--host ${host} is not an address of this machine: try 127.0.0.1, or 0.0.0.0 for all of them`,
  EACCES: (_, port) =>
    `this user may not listen on port ${port}: use one from 1024 up, or --port 0 for a free one`,
  ENOTFOUND: (host) => `--host ${host} is not a name this machine can resolve`,
};

/** The server could not listen on --host and --port: the message names both. */
class ListenError extends Error {
  override name = "ListenError";
  readonly hint: string;
  constructor(err: NodeJS.ErrnoException, given: string, port: number) {
    const host = escapeLine(given);
    super(`cannot listen on ${host} port ${port}: ${err.code ?? err.message}`);
    this.hint = LISTEN_HINTS[err.code ?? ""]?.(host, port) ?? "check --host and --port";
  }
}

/** {@link integerFlag}, its RangeError a usage error; undefined for a flag not given. */
function numberFlag(
  flag: string,
  raw: string | undefined,
  min: number,
  max: number,
): number | undefined {
  if (raw === undefined) return undefined;
  try {
    return integerFlag(flag, raw, min, max);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** A problem with the seed file: the only kind of error followed by the pointer to --help's seed description. */
class SeedError extends Error {
  override name = "SeedError";
}

/** The mock's own words for a seed it refuses (store.ts's seedError). */
const STORE_SEED_ERROR = /^createMockPolyAI: invalid seed: /;

type SeedOptions = Pick<
  MockPolyAIOptions,
  "connectors" | "phoneNumbers" | "allowedProjects" | "unavailableVoices"
>;

/** {@link seedOptions} of the file at `path`; every failure a SeedError. */
async function loadSeed(path: string): Promise<SeedOptions> {
  try {
    const text = (await readFile(path, "utf8")).replace(/^\uFEFF/, "");
    // #20: JSON.parse's message quotes the text (a key file passed as the seed,
    // terminal escapes); the scanner names the place and quotes nothing.
    const { syntax } = scanJson(text);
    if (syntax)
      throw new SeedError(
        `${path}: not valid JSON: ${syntax.reason} (line ${syntax.line}, column ${syntax.column})`,
      );
    return seedOptions(path, JSON.parse(text));
  } catch (err) {
    throw err instanceof SeedError ? err : new SeedError((err as Error).message);
  }
}

/** A parsed seed file as mock options; the store checks the connectors themselves. */
function seedOptions(path: string, data: unknown): SeedOptions {
  if (Array.isArray(data)) return { connectors: data as SeedConnector[] };
  if (!isPlainObject(data))
    throw new TypeError(`${path}: expected an array of connectors or an object with "connectors"`);
  const known = ["connectors", "phoneNumbers", "allowedProjects", "unavailableVoices"];
  const unknown = Object.keys(data).filter((k) => !known.includes(k));
  if (unknown.length > 0)
    throw new TypeError(
      `${path}: unknown key(s) ${unknown.join(", ")}; expected ${known.join(", ")}`,
    );
  const list = (key: string): string[] | undefined => {
    const value = data[key];
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || !value.every((v) => typeof v === "string"))
      throw new TypeError(`${path}: ${key} must be an array of strings`);
    return value as string[];
  };
  const allowedProjects = list("allowedProjects");
  const unavailableVoices = list("unavailableVoices");
  return {
    connectors: (data["connectors"] ?? []) as SeedConnector[],
    // The store checks each number and names the field that is wrong.
    ...(data["phoneNumbers"] === undefined
      ? {}
      : { phoneNumbers: data["phoneNumbers"] as SeedPhoneNumber[] }),
    ...(allowedProjects ? { allowedProjects } : {}),
    ...(unavailableVoices ? { unavailableVoices } : {}),
  };
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        port: { type: "string", default: "4010" },
        host: { type: "string", default: "127.0.0.1" },
        // No default here: the banner must know whether the key is the user's.
        "api-key": { type: "string" },
        seed: { type: "string" },
        "max-body-bytes": { type: "string" },
        "max-body-bytes-in-flight": { type: "string" },
        "request-timeout-ms": { type: "string" },
        help: { type: "boolean", short: "h", default: false },
        version: { type: "boolean", default: false },
      },
      strict: true,
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values } = parsed;
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  // Like the polyai-connectors bin's: a bug report can name the version it ran.
  if (values.version) {
    process.stdout.write(`${packageVersion(import.meta.url)}\n`);
    return;
  }
  const port = numberFlag("port", values.port, 0, 65535);
  const maxBodyBytes = numberFlag("max-body-bytes", values["max-body-bytes"], 0, MAX_BODY_LIMIT);
  const maxBodyBytesInFlight = numberFlag(
    "max-body-bytes-in-flight",
    values["max-body-bytes-in-flight"],
    maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    Number.MAX_SAFE_INTEGER,
  );
  const requestTimeoutMs = numberFlag(
    "request-timeout-ms",
    values["request-timeout-ms"],
    0,
    2 ** 31 - 1,
  );
  const seed = values.seed === undefined ? {} : await loadSeed(values.seed);
  const givenKey = values["api-key"];
  const mock = await createMockPolyAI({
    ...seed,
    port,
    host: values.host,
    apiKey: givenKey ?? DEFAULT_KEY,
    maxBodyBytes,
    maxBodyBytesInFlight,
    requestTimeoutMs,
    // #20: nothing can read mock.requests from outside the process, so keep none
    // (a long-lived mock would otherwise hold the last 1,000 bodies for nothing).
    maxRecordedRequests: 0,
    // Keep serving so the session that hit the bug can be inspected; exit 1 at the end.
    onSpecViolation: (err) => process.stderr.write(`${err.message}\n`),
  }).catch((err: unknown) => {
    if (isListenError(err)) throw new ListenError(err, values.host, port ?? 4010);
    if (err instanceof Error && STORE_SEED_ERROR.test(err.message))
      throw new SeedError(err.message);
    throw err;
  });

  const count = mock.connectors.length;
  const numbers = mock.phoneNumbers.length;
  process.stdout.write(
    [
      `PolyAI connectors mock listening on ${mock.url}`,
      // #20: a CI job may pass its real key; only the default is shown.
      givenKey === undefined
        ? `  API key:    ${mock.apiKey}   (send it as the x-api-key header)`
        : "  API key:    the one given by --api-key, not shown (send it as the x-api-key header)",
      `  connectors: ${count}${values.seed === undefined ? " (start with --seed seed.json to load some)" : ` from ${escapeLine(values.seed)}`}`,
      `  numbers:    ${numbers}`,
      `  try:        curl -H 'x-api-key: ${givenKey === undefined ? mock.apiKey : "<your --api-key>"}' ${mock.url}/v1/agents/${encodeURIComponent(mock.connectors[0]?.agentId ?? mock.phoneNumbers[0]?.agentId ?? "PROJECT-58RP822I")}/telephony/connectors`,
      "Press Ctrl-C to stop.",
      "",
    ].join("\n"),
  );

  const stop = (signal: string) => {
    process.stdout.write(`\n${signal}: closing\n`);
    mock.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", () => stop("SIGINT"));
  process.once("SIGTERM", () => stop("SIGTERM"));
}

/** What follows an error: the usage for a command-line mistake, a pointer for a seed or listen problem. */
function afterError(err: unknown): string {
  if (err instanceof UsageError) return `\n${USAGE}`;
  if (err instanceof SeedError) return "(polyai-connectors-mock --help describes the seed file)\n";
  if (err instanceof ListenError) return `(${err.hint})\n`;
  return "";
}

// The usage follows a command-line mistake only. A seed error names its field, and
// repeating the whole usage under it after every fix-and-retry buries that line.
main().catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  // #20: a message may quote the seed's keys and values: no control reaches the terminal.
  process.stderr.write(`polyai-connectors-mock: ${escapeLine(message)}\n${afterError(err)}`);
  process.exit(2);
});
