// createPolyAIClient: options are checked once, here, so that a bad base URL or
// key fails at start-up rather than on the first live call.
import createClient, { type Client } from "openapi-fetch";
import { defaultRegion, regions } from "../generated/operations.js";
import type { paths } from "../generated/openapi.js";
import type { Resources } from "../generated/resources.js";
import { createCall, createResources } from "./internal/call.js";
import { withCreateAndWait, type OutboundCalls } from "./outbound-calls.js";
import { checkFunction, checkOptionKeys } from "./internal/option-keys.js";
import { InvalidInputError } from "./errors.js";
import { redactInputError } from "./internal/redact.js";
import { checkApiKey, keyRing, keySource } from "./internal/api-key.js";
import type { Logger, RetryEvent } from "./logger.js";
import type { ApiKeyProvider, BackoffOptions } from "./options.js";
import { createTransport } from "./internal/transport.js";
import { checkHeaders, checkRetrySettings, describeType, quote } from "./internal/validate.js";

/** A PolyAI region. Each has its own host; API keys are provisioned to one region. */
export type Region = keyof typeof regions;

/** Options of {@link createPolyAIClient}. Every one is optional. */
export interface ClientOptions {
  /**
   * API key sent as `x-api-key`. Defaults to the `POLYAI_API_KEY` environment variable.
   * A function is a key provider: it is asked before every attempt (a vault or secret
   * manager that rotates keys), and every key it returns stays redacted everywhere.
   */
  apiKey?: string | ApiKeyProvider | undefined;
  /** Region whose host to call. Defaults to `POLYAI_REGION`, then `"us"`. */
  region?: Region | undefined;
  /**
   * Another base URL, such as a proxy or `createMockPolyAI().url`. Must be https,
   * except for loopback hosts (127.0.0.1, ::1, localhost). Takes precedence over
   * `POLYAI_REGION`; passing both `region` and `baseUrl` is an error.
   */
  baseUrl?: string | undefined;
  /** The `fetch` to use. Defaults to `globalThis.fetch`. */
  fetch?: typeof globalThis.fetch | undefined;
  /** Extra headers sent with every request. */
  headers?: Record<string, string> | undefined;
  /** Retries after the first attempt for transient failures. Default 2. */
  maxRetries?: number | undefined;
  /** Time limit of each attempt, in milliseconds. Default 30 000. */
  timeoutMs?: number | undefined;
  /** Backoff between retries. Default: 500 ms doubling, at most 8 s, with jitter. */
  backoff?: BackoffOptions | undefined;
  /** Largest response body accepted, in bytes. Default 10 MiB. */
  maxResponseBytes?: number | undefined;
  /** Called before each retry with what failed and how long the client will wait. */
  onRetry?: ((event: RetryEvent) => void) | undefined;
  /**
   * Receives a debug line per attempt and answer, an info line per call and a warning
   * per retry; the API key is redacted. Default: from `POLYAI_LOG` (`debug`, `info`,
   * `warn`, `off`) to the console's stderr (`console.error`, `console.warn`), else none.
   */
  logger?: Logger | undefined;
}

/**
 * A PolyAI API client. Create one with {@link createPolyAIClient} and reuse it. It has
 * one property per resource of the spec (`connectors`), each with one method per
 * operation.
 */
export interface PolyAIClient extends Omit<Resources, "outboundCalls"> {
  /** Outbound calls: see {@link OutboundCalls} (the generated methods and `createAndWait`). */
  readonly outboundCalls: OutboundCalls;
  /**
   * The typed openapi-fetch client underneath, for anything the methods above do
   * not cover. It shares the key, retries and timeouts, but returns
   * `{ data, error, response }` instead of throwing.
   */
  readonly raw: Client<paths>;
  /** The base URL requests go to. */
  readonly baseUrl: string;
  /** The region, or undefined when a custom `baseUrl` was given. */
  readonly region: Region | undefined;
}

// Keyed by ClientOptions, so adding an option without listing it here fails to compile.
const OPTION_KEYS = Object.keys({
  apiKey: true,
  region: true,
  baseUrl: true,
  fetch: true,
  headers: true,
  maxRetries: true,
  timeoutMs: true,
  backoff: true,
  maxResponseBytes: true,
  onRetry: true,
  logger: true,
} satisfies Record<keyof ClientOptions, true>);
const LOOPBACK = new Set(["127.0.0.1", "[::1]", "localhost"]);

function env(name: string): string | undefined {
  // Read without importing node:process, so the core runs wherever fetch does. A
  // runtime may refuse the read (Deno without --allow-env): then it is not set.
  let value: string | undefined;
  try {
    value = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process
      ?.env?.[name];
  } catch {
    return undefined;
  }
  return value === "" ? undefined : value;
}

export { KEY_CHARS, MIN_KEY_LENGTH } from "./internal/api-key.js";

const LEVELS = ["debug", "info", "warn"] as const;

/** The console's stderr, at the level `POLYAI_LOG` names; undefined for `off` or unset. */
function envLogger(): Logger | undefined {
  const level = env("POLYAI_LOG")?.toLowerCase();
  if (level === undefined || level === "off") return undefined;
  const at = LEVELS.indexOf(level as (typeof LEVELS)[number]);
  if (at === -1)
    throw new InvalidInputError(
      "POLYAI_LOG",
      `${quote(level)} is not a log level; expected one of ${[...LEVELS, "off"].join(", ")}`,
    );
  const logger: Logger = {};
  // #19: a library never writes to stdout, where a program's output goes (`plan
  // --json`, `export > file`). In Node console.debug and console.info write to
  // stdout, so every level goes to stderr: console.error, console.warn for warnings.
  for (const name of LEVELS.slice(at))
    logger[name] = (message) => (name === "warn" ? console.warn(message) : console.error(message));
  return logger;
}

function checkBaseUrl(value: unknown): string {
  if (typeof value !== "string")
    throw new InvalidInputError("baseUrl", `expected a URL string, got ${describeType(value)}`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // Not echoed: a string that fails to parse may hold a password, or be a pasted key.
    throw new InvalidInputError("baseUrl", "is not an absolute URL (expected https://host[/path])");
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && LOOPBACK.has(url.hostname))) {
    throw new InvalidInputError(
      "baseUrl",
      `must use https (plain http is allowed only for 127.0.0.1, ::1 and localhost), got ${url.protocol}//${url.host}`,
    );
  }
  if (url.username || url.password)
    throw new InvalidInputError("baseUrl", "must not contain credentials; pass apiKey instead");
  if (url.search || url.hash)
    throw new InvalidInputError("baseUrl", "must not have a query or fragment");
  // Every path of the API starts with /v1; a base URL that has it already would
  // send every call to /v1/v1/… (issue 14). Other proxy prefixes are fine.
  if (url.pathname.split("/").includes("v1"))
    throw new InvalidInputError(
      "baseUrl",
      `must not include /v1: the client adds /v1/agents/… itself; pass ${url.origin}${url.pathname.replace(/\/v1(?=\/|$).*$/, "")}`,
    );
  return url.href.replace(/\/+$/, "");
}

/**
 * The raw client, with the middleware registered on it kept in view: a call goes
 * around openapi-fetch only while there is none, so middleware always sees every call.
 */
function watchMiddleware(client: Client<paths>): { client: Client<paths>; middleware: unknown[] } {
  const middleware: unknown[] = [];
  const { use, eject } = client;
  client.use = (...added) => {
    use(...added); // throws on an invalid middleware before anything is recorded
    middleware.push(...added.filter(Boolean));
  };
  client.eject = (...removed) => {
    eject(...removed);
    for (const m of removed) {
      const i = middleware.indexOf(m);
      if (i !== -1) middleware.splice(i, 1);
    }
  };
  return { client, middleware };
}

function checkRegion(value: unknown, field: string): Region {
  if (typeof value === "string" && Object.hasOwn(regions, value)) return value as Region;
  throw new InvalidInputError(
    field,
    `${typeof value === "string" ? quote(value) : describeType(value)} is not a region; expected one of ${Object.keys(regions).join(", ")}`,
  );
}

/**
 * Creates a client for PolyAI's connector API.
 *
 * @example
 * const poly = createPolyAIClient({ apiKey: process.env.POLYAI_API_KEY, region: "eu" });
 * const connector = await poly.connectors.update("PROJECT-58RP822I", "CONN-7d2f9a", {
 *   voiceName: "en-GB-Neural2-A",
 * });
 * @throws {InvalidInputError} for a missing key, unknown region, non-https base URL,
 *   or out-of-range retry settings.
 */
export function createPolyAIClient(options: ClientOptions = {}): PolyAIClient {
  checkOptionKeys(options, OPTION_KEYS, "a client option");
  const given = options.apiKey === undefined ? env("POLYAI_API_KEY") : options.apiKey;
  const apiKey = typeof given === "function" ? given : checkApiKey(given);
  // The client's one redactor, of every key it sends: the transport, the call path
  // and this function share it.
  const ring = keyRing();
  const key = keySource(apiKey, ring);
  try {
    return build(options, key, ring.redact);
  } catch (err) {
    // A caller can swap two values (POLYAI_REGION set to the key): the message
    // quoting the bad value must not show the key either.
    throw redactInputError(err, ring.redact);
  }
}

function build(
  options: ClientOptions,
  key: () => string | Promise<string>,
  redact: (text: string) => string,
): PolyAIClient {
  if (options.region !== undefined && options.baseUrl !== undefined) {
    throw new InvalidInputError("baseUrl", "pass either region or baseUrl, not both");
  }
  let region: Region | undefined;
  let baseUrl: string;
  if (options.baseUrl !== undefined) {
    baseUrl = checkBaseUrl(options.baseUrl);
  } else {
    const fromEnv = env("POLYAI_REGION");
    region =
      options.region !== undefined
        ? checkRegion(options.region, "region")
        : fromEnv !== undefined
          ? checkRegion(fromEnv, "POLYAI_REGION")
          : defaultRegion;
    baseUrl = regions[region];
  }
  const fetchImpl = options.fetch === undefined ? globalThis.fetch : options.fetch;
  if (typeof fetchImpl !== "function")
    throw new InvalidInputError(
      "fetch",
      "no fetch implementation: pass { fetch } on runtimes without a global fetch",
    );
  const retry = checkRetrySettings(options, "options");
  checkFunction(options.onRetry, "onRetry");
  if (options.logger !== undefined) {
    if (options.logger === null || typeof options.logger !== "object")
      throw new InvalidInputError(
        "logger",
        `expected an object with debug/info/warn methods, got ${describeType(options.logger)}`,
      );
    for (const level of LEVELS) checkFunction(options.logger[level], `logger.${level}`);
  }
  const headers =
    options.headers === undefined ? undefined : checkHeaders(options.headers, "headers");

  const transport = createTransport({
    key,
    redact,
    fetch: fetchImpl,
    maxRetries: retry.maxRetries ?? 2,
    timeoutMs: retry.timeoutMs ?? 30_000,
    backoff: retry.backoff ?? {},
    maxResponseBytes: retry.maxResponseBytes ?? 10 * 1024 * 1024,
    onRetry: options.onRetry,
    logger: options.logger === undefined ? envLogger() : options.logger,
  });
  const raw = watchMiddleware(
    createClient<paths>({
      baseUrl,
      fetch: (request: Request) => transport(request),
      ...(headers ? { headers } : {}),
    }),
  );
  const summary = { baseUrl, region };
  const call = createCall(
    raw.client,
    transport,
    redact,
    () => resources,
    { baseUrl, headers },
    () => raw.middleware.length > 0,
  );
  const resources: Resources = createResources(call);
  return Object.freeze({
    ...resources,
    outboundCalls: withCreateAndWait(resources.outboundCalls),
    raw: raw.client,
    baseUrl,
    region,
    toJSON: () => summary,
    [Symbol.for("nodejs.util.inspect.custom")]: () => `PolyAIClient ${JSON.stringify(summary)}`,
  });
}
