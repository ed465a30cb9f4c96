// A local PolyAI on node:http for tests. Each request goes: record → latency →
// injected fault → auth → route → validate against the spec → store → answer,
// and every answer is itself checked against the spec before it is sent.
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerOptions,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import {
  announcedLength,
  BodyBudget,
  closeGently,
  expectsContinue,
  readBody,
  type BodyRead,
} from "./body.js";
import { answerClientError } from "./client-error.js";
import { ApiFault, CORRELATION, defaultErrorCode, envelope, JSON_TYPE } from "./envelope.js";
import { KEY_CHARS, MIN_KEY_LENGTH } from "../client.js";
import {
  checkOptionKeys,
  faultMatches,
  toFaults,
  type FailNextOptions,
  type Fault,
} from "./faults.js";
import { handlers } from "./handlers.js";
import { DEFAULT_MAX_BODY_BYTES, MAX_BODY_LIMIT } from "./limits.js";
import { heldBytes, recordRequest } from "./recorded.js";
import { RequestLog, type RecordedRequest } from "./request-log.js";
import { OutboundBook, type MockOutboundCall, type MockOutboundOptions } from "./outbound.js";
import { matchRoute } from "./routes.js";
import {
  ConnectorStore,
  type MockConnector,
  type MockPhoneNumber,
  type SeedConnector,
  type SeedPhoneNumber,
} from "./store.js";
import type { OperationId } from "../../generated/operations.js";
import {
  checkResponse,
  specIndex,
  type OperationSpec,
  type Problem,
  type SpecIndex,
} from "./validate.js";

/**
 * Options of {@link createMockPolyAI}.
 *
 * @example
 * const mock = await createMockPolyAI({
 *   apiKey: "test-key",
 *   connectors: [{ ...connector, phoneNumbers: ["+14155550123"] }],
 *   phoneNumbers: [{ number: "+14155550124", agentId: connector.projectId }], // not routed
 *   allowedProjects: ["PROJECT-58RP822I", "PROJECT-STAGING"],
 *   unavailableVoices: ["en-GB-Studio-B"],
 * });
 */
export interface MockPolyAIOptions {
  /** The only `x-api-key` the mock accepts; anything else answers 401. Default `"test-key"`. */
  readonly apiKey?: string | undefined;
  /**
   * Initial state. Each connector is served under its `agentId` (default: its
   * `projectId`), and its `phoneNumbers` become that agent's numbers, routed to it.
   * Only `connectorId` and `voiceName` are required; see {@link SeedConnector} for
   * the defaults of the rest.
   *
   * The mock serves only the agents named here, in `phoneNumbers` or in
   * `allowedProjects`: a request for any other agent answers 403
   * USER_ACCESS_FORBIDDEN ("The API key has no access to project X"), as PolyAI
   * answers for a project the key cannot reach, rather than an empty list.
   */
  readonly connectors?: readonly SeedConnector[] | undefined;
  /**
   * More initial phone numbers, added after the connectors' own: numbers that
   * route to no connector (as after an import), or whose `projectId`, `accountId`
   * or `clientEnv` differ from their connector's. See {@link SeedPhoneNumber} for
   * the defaults. A number may be seeded once, here or on a connector. Default: none.
   */
  readonly phoneNumbers?: readonly SeedPhoneNumber[] | undefined;
  /** Port to listen on; default 0 (a free port, see {@link MockPolyAI.url}). */
  readonly port?: number | undefined;
  /** Address to listen on; default `127.0.0.1`. */
  readonly host?: string | undefined;
  /**
   * Projects the API key can reach. Moving a connector (`projectId` in a patch)
   * needs access to its current and its new project: otherwise 403
   * USER_ACCESS_FORBIDDEN (a failure result in a batch). Default: every
   * `projectId` in the seed.
   *
   * Since an agent ID is a project ID, the mock also serves every agent listed
   * here, with no connectors or numbers until the test adds some: the way to
   * start an agent empty (for an import, say).
   */
  readonly allowedProjects?: readonly string[] | undefined;
  /**
   * Voice names the mock's TTS probe rejects although they are well formed and of a
   * known family. Without this, the probe accepts every voice whose family is in
   * {@link KNOWN_VOICE_FAMILIES} and rejects the rest with 400
   * CONNECTORS_VALIDATION_FAILED naming `voiceName`.
   */
  readonly unavailableVoices?: readonly string[] | undefined;
  /**
   * Called when the mock catches itself sending an answer the spec does not allow
   * (a bug in the mock). The mock answers 500 instead and {@link MockPolyAI.close}
   * rejects with the error. Default: throw it asynchronously, so the test run
   * fails even if nobody awaits `close()`.
   */
  readonly onSpecViolation?: ((error: MockSpecViolationError) => void) | undefined;
  /**
   * The largest request body the mock reads, in bytes; default 1 MiB (1,048,576),
   * far above what the SDK sends (a batch of 100 updates or 500 IDs is under
   * 130 KB even with 256-character IDs). A larger body is answered 413
   * PAYLOAD_TOO_LARGE in PolyAI's envelope as soon as it passes the limit (at once
   * when its Content-Length says so), and the connection is closed: the mock never
   * holds more than this much of one body. Raise it to send bigger batches. 0
   * refuses every request with a body (413) and answers those without one. At most
   * 536,870,888 on 64-bit Node: the longest string a body could be decoded into.
   *
   * @example
   * const mock = await createMockPolyAI({ maxBodyBytes: 16 * 1024 * 1024 }); // 200k IDs in one batch
   */
  readonly maxBodyBytes?: number | undefined;
  /**
   * How many requests {@link MockPolyAI.requests} keeps: the most recent ones, the
   * older forgotten; default 1,000. Their bodies count too: together at most
   * 64 MiB, the oldest going first past it (the newest request is always kept).
   * {@link MockPolyAI.requestCount} counts every request all the same. 0 keeps none.
   *
   * @example
   * const mock = await createMockPolyAI({ maxRecordedRequests: 10 });
   */
  readonly maxRecordedRequests?: number | undefined;
  /**
   * The most the mock holds of all the bodies it is reading at once, in bytes;
   * default 64 MiB, or {@link maxBodyBytes} when that is larger (it cannot be
   * less). A body that would pass it is answered 503 in PolyAI's envelope with
   * `Retry-After: 1` and `Connection: close`: many clients sending large bodies
   * slowly cannot make the mock hold more than this. Bodies without the right key
   * are never held, so they do not count.
   *
   * @example
   * const mock = await createMockPolyAI({ maxBodyBytes: 16 * 1024 * 1024, maxBodyBytesInFlight: 256 * 1024 * 1024 });
   */
  readonly maxBodyBytesInFlight?: number | undefined;
  /**
   * How long a client may take to send a whole request (headers and body), in ms;
   * default 60,000 (node's own is 300,000). Past it the mock answers 408
   * REQUEST_TIMEOUT in PolyAI's envelope and closes the connection, giving back what
   * the body held of {@link maxBodyBytesInFlight}. 0 waits for ever. The time is
   * checked every quarter of it (at most every 30 s), so an answer may come that much later.
   *
   * @example
   * const mock = await createMockPolyAI({ requestTimeoutMs: 5_000 });
   */
  readonly requestTimeoutMs?: number | undefined;
  /**
   * #23: how outbound calls go: environments without outbound calling, per-number
   * outcomes, the pace (in status reads) and how long a status is kept. Default:
   * every environment set up, every call ends in `SUCCESS` at its second status read.
   */
  readonly outbound?: MockOutboundOptions | undefined;
}

/**
 * A running mock. Start one per test and close it when the test ends.
 *
 * @example
 * const mock = await createMockPolyAI({ apiKey: "test-key", connectors: [seed] });
 * try {
 *   const res = await fetch(`${mock.url}/v1/agents/PROJECT-58RP822I/telephony/connectors`, {
 *     headers: { "x-api-key": "test-key" },
 *   });
 *   // …
 * } finally {
 *   await mock.close();
 * }
 */
export interface MockPolyAI {
  /** Base URL without a trailing slash, for example `http://127.0.0.1:53127`. */
  readonly url: string;
  /** The API key the mock accepts. */
  readonly apiKey: string;
  /**
   * The most recent requests, oldest first (a copy): at most
   * {@link MockPolyAIOptions.maxRecordedRequests} (default 1,000), fewer when their
   * bodies pass 64 MiB together. Every request is recorded, whatever its answer.
   *
   * @example
   * expect(mock.requests.at(-1)).toMatchObject({ method: "PATCH", body: { voiceName: "en-GB-Neural2-A" } });
   */
  readonly requests: readonly RecordedRequest[];
  /**
   * How many requests the mock received since it started or since {@link reset},
   * including those {@link requests} no longer holds and those whose client went
   * away before the whole body came (recorded without a body). A request node's
   * HTTP parser refuses before its headers are whole (over 16 KB, two
   * Content-Lengths) is answered in the envelope but not counted.
   *
   * @example
   * expect(mock.requestCount).toBe(3); // even with maxRecordedRequests: 1
   */
  readonly requestCount: number;
  /**
   * The current connectors of every agent, as deep copies, in seed order: each as
   * the API shows it plus the `agentId` it is served under (see {@link MockConnector}).
   *
   * @example
   * expect(mock.connectors[0]).toMatchObject({ connectorId: "CONN-main", agentId: "PROJECT-58RP822I" });
   */
  readonly connectors: MockConnector[];
  /**
   * The current phone numbers of every agent, as deep copies: each as the API
   * shows it (no `connectorId` while it routes nowhere) plus the `agentId` it is
   * served under. Seeded numbers first, then imported ones; a released number is gone.
   *
   * @example
   * await poly.phoneNumbers.importOne("PROJECT-58RP822I", "+14155550124");
   * await poly.phoneNumbers.reassign("PROJECT-58RP822I", "+14155550124", "CONN-7d2f9a");
   * expect(mock.phoneNumbers).toContainEqual({
   *   number: "+14155550124", agentId: "PROJECT-58RP822I", projectId: "PROJECT-58RP822I",
   *   accountId: "ws-fd112d8f", clientEnv: "live", connectorId: "CONN-7d2f9a",
   * });
   */
  readonly phoneNumbers: MockPhoneNumber[];
  /**
   * #23: every outbound call placed, oldest first, as deep copies: the number,
   * environment, variant and metadata sent, and the status its last read showed. A
   * trigger refused (400, 404, an injected fault answered before it was handled)
   * places none; a fault with `processed: true` answers after the call was placed.
   *
   * @example
   * await poly.outboundCalls.create(AGENT, { toNumber: "+442079460000", environment: "live" });
   * expect(mock.outboundCalls).toMatchObject([{ toNumber: "+442079460000", status: "QUEUED" }]);
   */
  readonly outboundCalls: MockOutboundCall[];
  /**
   * Queues a fault. Without `operation`, `method` or `path` it takes the next
   * request, whatever it is; with them it waits for the first request that
   * matches, and the others pass untouched. A request takes the first queued
   * fault that matches it, in the order they were queued. See {@link FailNextOptions}.
   *
   * @example
   * await poly.connectors.get(AGENT, "CONN-main");  // passes
   * mock.failNext({ operation: "batchUpdateConnectors", status: 503 });
   * await poly.connectors.list(AGENT);              // passes: not the aimed operation
   * await poly.connectors.batchUpdate(AGENT, items); // 503 (retried unless maxRetries: 0)
   * @throws {TypeError} when the options contradict each other, are out of range,
   *   or name an operation the spec does not have.
   */
  failNext(fault?: FailNextOptions): void;
  /** Adds `ms` of latency before every later answer; 0 turns it off. */
  delay(ms: number): void;
  /**
   * Forgets recorded requests, queued faults (aimed ones still waiting included)
   * and latency. Connectors and phone numbers are kept.
   */
  reset(): void;
  /**
   * Stops the server and destroys every open connection, so a test ends at once.
   * Rejects with the first {@link MockSpecViolationError} if the mock ever broke the spec.
   */
  close(): Promise<void>;
}

/** The mock sent (or was about to send) an answer that does not match the spec: a bug in the mock. */
export class MockSpecViolationError extends Error {
  override name = "MockSpecViolationError";
}

interface Answer {
  readonly op: OperationSpec | undefined;
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

function decodeParam(name: string, raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new ApiFault(
      400,
      "CONNECTORS_VALIDATION_FAILED",
      `${name}: ${JSON.stringify(raw)} is not valid percent-encoding`,
    );
  }
}

/** The JSON body of a request to `op`, checked against the spec; throws the 400 to send. */
function parseBody(op: OperationSpec, contentType: string | undefined, text: string): unknown {
  const spec = op.body;
  if (!spec) return undefined;
  const invalid = (field: string, message: string) =>
    new ApiFault(400, op.validationCode, `${field}: ${message}`);
  if (text === "") {
    if (spec.required) throw invalid("body", "is required: send a JSON object");
    return undefined;
  }
  const type = (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (type !== "application/json" && !type.endsWith("+json")) {
    throw invalid(
      "body",
      `must be sent as application/json, got ${type === "" ? "no Content-Type" : JSON.stringify(type)}`,
    );
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw invalid("body", `is not valid JSON (${(err as Error).message})`);
  }
  const problem = spec.check(body);
  if (problem) throw invalidValue(problem, op);
  return body;
}

/** The 400 for a value that fails the spec, with the code the spec gives its schema, else the operation's. */
function invalidValue(problem: Problem, op: OperationSpec): ApiFault {
  return new ApiFault(
    400,
    problem.code ?? op.validationCode,
    `${problem.field}: ${problem.message}`,
  );
}

/** The query parameters of a request to `op`, checked against the spec; throws the 400 to send. */
function parseQuery(op: OperationSpec, target: string): ReadonlyMap<string, string> {
  const search = new URLSearchParams(
    target.includes("?") ? target.slice(target.indexOf("?") + 1) : "",
  );
  const out = new Map<string, string>();
  for (const [name, value] of search) {
    const param = op.query.get(name);
    if (!param) {
      const known = [...op.query.keys()];
      throw new ApiFault(
        400,
        op.validationCode,
        `${name}: unknown query parameter${known.length ? `; known are ${known.join(", ")}` : ""}`,
      );
    }
    if (out.has(name)) throw new ApiFault(400, op.validationCode, `${name}: given more than once`);
    const problem = param.check(value);
    if (problem) throw invalidValue(problem, op);
    out.set(name, value);
  }
  for (const [name, param] of op.query)
    if (param.required && !out.has(name))
      throw new ApiFault(400, op.validationCode, `${name}: is required`);
  return out;
}

// Keyed by the option type, so an option added there but not here fails to compile.
const MOCK_OPTION_KEYS = Object.keys({
  apiKey: true,
  connectors: true,
  phoneNumbers: true,
  port: true,
  host: true,
  allowedProjects: true,
  unavailableVoices: true,
  onSpecViolation: true,
  maxBodyBytes: true,
  maxRecordedRequests: true,
  maxBodyBytesInFlight: true,
  requestTimeoutMs: true,
  outbound: true,
} satisfies Record<keyof MockPolyAIOptions, true>);

/** The default of {@link MockPolyAIOptions.maxRecordedRequests}. */
const DEFAULT_RECORDED_REQUESTS = 1000;
/** The default of {@link MockPolyAIOptions.requestTimeoutMs}. */
const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
/** The default of {@link MockPolyAIOptions.maxBodyBytesInFlight}, unless maxBodyBytes is larger. */
const DEFAULT_BODY_BYTES_IN_FLIGHT = 64 * 1024 * 1024;

/** `value` as a message shows it: JSON, but NaN and ±Infinity by name (#20: JSON says null). */
function shown(value: unknown): string {
  return typeof value === "number" ? String(value) : JSON.stringify(value);
}

/** An integer option from `min` to `max`, or `fallback` when not given; else a TypeError naming it. */
function integerOption(
  name: string,
  value: unknown,
  min: number,
  max: number,
  fallback: number,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max)
    throw new TypeError(
      `createMockPolyAI: ${name} must be an integer from ${min} to ${max}, got ${shown(value)}`,
    );
  return value;
}

/**
 * The server's timeouts for a request timeout of `ms` (0: none). #20: a client stalled
 * mid-body held its part of maxBodyBytesInFlight for node's 300 s. node reports a
 * timeout through clientError, so it is answered in the envelope.
 */
function timeouts(ms: number): ServerOptions {
  if (ms === 0) return { requestTimeout: 0 };
  return {
    requestTimeout: ms,
    headersTimeout: Math.min(60_000, ms), // node's default, never above the request's
    connectionsCheckingInterval: Math.min(30_000, Math.max(10, Math.floor(ms / 4))),
  };
}

class Mock implements MockPolyAI {
  // Private fields: a spread, JSON.stringify or an inspect without custom
  // inspectors (a test runner's diff) cannot see them.
  readonly #apiKey: string;
  readonly #options: MockPolyAIOptions;
  url = "";
  private readonly index: SpecIndex = specIndex();
  private readonly store: ConnectorStore;
  private readonly calls: OutboundBook;
  private readonly server: Server;
  private readonly log: RequestLog<RecordedRequest>;
  private readonly maxBodyBytes: number;
  private readonly inFlight: BodyBudget;
  private faults: Fault[] = [];
  private latencyMs = 0;
  private readonly sleeping = new Map<NodeJS.Timeout, (done: boolean) => void>();
  private readonly violations: MockSpecViolationError[] = [];
  private closing: Promise<void> | undefined;

  constructor(options: MockPolyAIOptions) {
    checkOptionKeys(options, MOCK_OPTION_KEYS, "createMockPolyAI");
    const { apiKey = "test-key", port, host } = options;
    // The client refuses such keys, so a mock that accepted one could never be called.
    if (typeof apiKey !== "string" || !KEY_CHARS.test(apiKey) || apiKey.length < MIN_KEY_LENGTH)
      throw new TypeError(
        "createMockPolyAI: apiKey must be a string of at least 8 visible ASCII characters, as the client requires",
      );
    integerOption("port", port, 0, 65535, 0);
    this.maxBodyBytes = integerOption(
      "maxBodyBytes",
      options.maxBodyBytes,
      0,
      MAX_BODY_LIMIT,
      DEFAULT_MAX_BODY_BYTES,
    );
    this.inFlight = new BodyBudget(
      integerOption(
        "maxBodyBytesInFlight",
        options.maxBodyBytesInFlight,
        this.maxBodyBytes,
        Number.MAX_SAFE_INTEGER,
        Math.max(DEFAULT_BODY_BYTES_IN_FLIGHT, this.maxBodyBytes),
      ),
    );
    const timeout = integerOption(
      "requestTimeoutMs",
      options.requestTimeoutMs,
      0,
      2 ** 31 - 1,
      DEFAULT_REQUEST_TIMEOUT_MS,
    );
    this.server = createServer(timeouts(timeout), (req, res) => void this.handle(req, res))
      // #20: send `100 Continue` only for a body the mock will read; otherwise the
      // refusal goes out at once and the client never sends the body.
      .on("checkContinue", (req: IncomingMessage, res: ServerResponse) => {
        if (!this.refusesBody(req)) res.writeContinue();
        void this.handle(req, res);
      })
      .on("clientError", answerClientError);
    this.log = new RequestLog(
      integerOption(
        "maxRecordedRequests",
        options.maxRecordedRequests,
        0,
        Number.MAX_SAFE_INTEGER,
        DEFAULT_RECORDED_REQUESTS,
      ),
    );
    for (const [name, list] of Object.entries({
      allowedProjects: options.allowedProjects,
      unavailableVoices: options.unavailableVoices,
    })) {
      if (list !== undefined && (!Array.isArray(list) || !list.every((v) => typeof v === "string")))
        throw new TypeError(
          `createMockPolyAI: ${name} must be an array of strings, got ${JSON.stringify(list)}`,
        );
    }
    if (options.onSpecViolation !== undefined && typeof options.onSpecViolation !== "function")
      throw new TypeError("createMockPolyAI: onSpecViolation must be a function");
    if (host !== undefined && (typeof host !== "string" || host === ""))
      throw new TypeError(
        `createMockPolyAI: host must be a non-empty string, got ${JSON.stringify(host)}`,
      );
    this.#options = options;
    this.#apiKey = apiKey;
    this.store = new ConnectorStore(
      options.connectors ?? [],
      {
        allowedProjects: options.allowedProjects,
        unavailableVoices: options.unavailableVoices,
      },
      options.phoneNumbers ?? [],
    );
    this.calls = new OutboundBook(options.outbound);
  }

  // The key stays readable as `mock.apiKey`, but printing or serialising the mock
  // must not show it, as for every object of this package.
  toJSON(): { url: string } {
    return { url: this.url };
  }

  [inspect.custom](): string {
    return `MockPolyAI { url: ${JSON.stringify(this.url)} }`;
  }

  get apiKey(): string {
    return this.#apiKey;
  }

  get requests(): readonly RecordedRequest[] {
    return this.log.list();
  }

  get requestCount(): number {
    return this.log.total;
  }

  get connectors(): MockConnector[] {
    return this.store.all();
  }

  get phoneNumbers(): MockPhoneNumber[] {
    return this.store.allNumbers();
  }

  get outboundCalls(): MockOutboundCall[] {
    return this.calls.all();
  }

  async listen(): Promise<void> {
    const { port = 0, host = "127.0.0.1" } = this.#options;
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(port, host, () => {
        this.server.off("error", reject);
        resolve();
      });
    });
    const address = this.server.address() as AddressInfo;
    const shown = address.family === "IPv6" ? `[${address.address}]` : address.address;
    this.url = `http://${shown}:${address.port}`;
  }

  failNext(fault: FailNextOptions = {}): void {
    const faults = toFaults(fault);
    const { operation, path } = faults[0]?.aim ?? {};
    // A path that can never route to the aimed operation would leave the fault
    // waiting forever; say so at the line that queued it.
    if (operation !== undefined && typeof path === "string") {
      const op = this.index.operations.find((o) => o.operationId === operation);
      const routed = op && this.route(op.method, path).op;
      if (routed?.operationId !== operation)
        throw new TypeError(
          `failNext: path ${JSON.stringify(path)} does not route to ${operation}${op ? ` (${op.method} ${op.segments.join("/")})` : ""}, so the fault would never match; give the pathname as sent (IDs percent-encoded), or a RegExp`,
        );
    }
    this.faults.push(...faults);
  }

  /** Removes and returns the first queued fault aimed at this request, if any. */
  private takeFault(method: string, target: string): Fault | undefined {
    if (this.faults.length === 0) return undefined;
    const pathname = target.split("?")[0] ?? "";
    const request = { method, pathname, operation: this.route(method, target).op?.operationId };
    const i = this.faults.findIndex((f) => faultMatches(f, request));
    return i === -1 ? undefined : this.faults.splice(i, 1)[0];
  }

  delay(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0)
      throw new RangeError(`delay: ms must be a finite number of at least 0, got ${String(ms)}`);
    this.latencyMs = ms;
  }

  reset(): void {
    this.log.clear();
    this.faults = [];
    this.latencyMs = 0;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const [timer, wake] of this.sleeping) {
        clearTimeout(timer);
        wake(false);
      }
      this.sleeping.clear();
      await new Promise<void>((resolve) => {
        // The only error close() reports is "not running", which is what we want anyway.
        this.server.close(() => resolve());
        this.server.closeAllConnections();
      });
      const [first] = this.violations;
      if (first) throw first;
    })();
    return this.closing;
  }

  /** Resolves true after `ms`, or false as soon as the mock closes. */
  private sleep(ms: number): Promise<boolean> {
    if (this.closing) return Promise.resolve(false);
    if (ms <= 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.sleeping.delete(timer);
        resolve(true);
      }, ms);
      this.sleeping.set(timer, resolve);
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // A correlation ID the client sent is kept as the answer's and its error_id.
    // PolyAI documents error_id as the request's correlation ID; whether the real
    // API keeps a client-sent one is not documented (see docs/errors-retries-tracing.md).
    const sent = req.headers["x-polyai-correlation-id"];
    const errorId =
      typeof sent === "string" && /^[\x21-\x7E]{1,128}$/.test(sent)
        ? sent
        : globalThis.crypto.randomUUID();
    const method = (req.method ?? "GET").toUpperCase();
    const target = req.url ?? "/";
    // #20: the key is checked before the body is read, so a body without the right
    // key is read off the wire (to keep the connection usable) but never kept.
    const unauthorised = this.authFault(req);
    const read: BodyRead = this.refusesBody(req)
      ? { kind: "too-large" }
      : await readBody(req, this.maxBodyBytes, !unauthorised, this.inFlight);
    const kept = read.kind === "read" && !unauthorised && this.log.keeps;
    const body = kept ? read.text : "";
    // #20: recorded even when its client went away mid-body (requestCount counts
    // every request received), without the part of the body that came.
    this.log.add(recordRequest(method, target, req.headers, body), heldBytes(body));
    // The client went away, or node's parser refused the rest of the request (the
    // server's clientError answers that): there is no one to answer here.
    if (read.kind === "failed") return;
    if (read.kind === "too-large" || read.kind === "busy") {
      this.refuseBody(req, res, method, target, unauthorised ?? this.bodyFault(read), errorId);
      return;
    }
    const text = read.text;
    try {
      if (!(await this.sleep(this.latencyMs))) return;
      const fault = this.takeFault(method, target);
      // #23: a `processed` fault lets the request take effect first (a call placed),
      // then loses, delays or replaces its answer.
      const handled = fault?.processed
        ? this.answer(req, method, target, text, unauthorised, errorId)
        : undefined;
      if (fault) {
        if (!(await this.sleep(fault.delayMs))) return;
        if (fault.reset) {
          req.socket.destroy();
          return;
        }
        if (fault.status !== undefined) {
          const op = this.route(method, target).op;
          this.sendFault(res, op, fault, fault.status, errorId);
          return;
        }
      }
      this.send(
        res,
        handled ?? this.answer(req, method, target, text, unauthorised, errorId),
        errorId,
      );
    } catch (err) {
      this.violation(
        new MockSpecViolationError(
          `mock failed on ${method} ${target}: ${(err as Error).message}`,
          { cause: err },
        ),
      );
      this.sendUnchecked(
        res,
        500,
        {},
        envelope(500, "INTERNAL_SERVER_ERROR", "The mock failed; see the test output", errorId),
        errorId,
      );
    }
  }

  /** Whether `req` carries the key the mock accepts. */
  private hasKey(req: IncomingMessage): boolean {
    return req.headers["x-api-key"] === this.#apiKey;
  }

  /** The 401 for a request without the right key, or undefined when the key is right. */
  private authFault(req: IncomingMessage): ApiFault | undefined {
    if (this.hasKey(req)) return undefined;
    const key = req.headers["x-api-key"];
    return new ApiFault(
      401,
      "AUTH_USER_UNAUTHORISED",
      key === undefined ? "Missing API key: send it in the x-api-key header" : "Invalid API key",
    );
  }

  /**
   * Whether to answer without reading the body at all: its Content-Length is over
   * the limit, or the client waits for `100 Continue` and the key is wrong, so the
   * body need never be sent (#20).
   */
  private refusesBody(req: IncomingMessage): boolean {
    return (
      (announcedLength(req) ?? 0) > this.maxBodyBytes || (expectsContinue(req) && !this.hasKey(req))
    );
  }

  /** Why a body was not read whole: over maxBodyBytes (413), or no room in maxBodyBytesInFlight (503). */
  private bodyFault(read: { readonly kind: "too-large" | "busy" }): ApiFault {
    if (read.kind === "busy")
      return new ApiFault(
        503,
        defaultErrorCode(503),
        `The local PolyAI holds all it may of bodies being read (${this.inFlight.limit} bytes, its maxBodyBytesInFlight option); retry later`,
        { "Retry-After": "1" },
      );
    return new ApiFault(
      413,
      defaultErrorCode(413),
      `body: larger than the ${this.maxBodyBytes} bytes the local PolyAI reads (its maxBodyBytes option)`,
    );
  }

  /**
   * Answers a request whose body was not read whole, at once (before latency and
   * faults) and with `Connection: close`: the rest of the body is never read, so
   * the connection cannot carry another request. A wrong key answers 401.
   */
  private refuseBody(
    req: IncomingMessage,
    res: ServerResponse,
    method: string,
    target: string,
    fault: ApiFault,
    errorId: string,
  ): void {
    closeGently(req, res);
    this.send(
      res,
      {
        op: this.route(method, target).op,
        status: fault.status,
        headers: { ...fault.headers, Connection: "close" },
        body: envelope(fault.status, fault.code, fault.message, errorId),
      },
      errorId,
    );
  }

  private route(method: string, target: string) {
    const match = matchRoute(this.index.operations, method, target.split("?")[0] ?? "");
    return { match, op: match.kind === "operation" ? match.op : undefined };
  }

  private answer(
    req: IncomingMessage,
    method: string,
    target: string,
    text: string,
    // authFault's verdict, taken before the body was read (#20); answered only now,
    // after latency and faults, as it always was.
    unauthorised: ApiFault | undefined,
    errorId: string,
  ): Answer {
    const { match, op } = this.route(method, target);
    try {
      if (unauthorised) throw unauthorised;
      const pathname = target.split("?")[0] ?? "";
      if (match.kind === "not-found")
        throw new ApiFault(404, "NOT_FOUND", `No endpoint at ${pathname}`);
      if (match.kind === "method-not-allowed") {
        const allow = match.allow.join(", ");
        throw new ApiFault(
          405,
          "METHOD_NOT_ALLOWED",
          `${method} is not allowed on ${pathname}; use ${allow}`,
          { Allow: allow },
        );
      }
      const params = new Map<string, string>();
      for (const [name, raw] of match.rawParams) {
        const value = decodeParam(name, raw);
        const problem = match.op.params.get(name)?.(value);
        if (problem) throw invalidValue(problem, match.op);
        params.set(name, value);
      }
      // An agent the mock does not serve is a project the key cannot reach: PolyAI
      // answers 403 for it (every operation documents 403), not an empty list.
      const agentId = params.get("agentId");
      if (agentId !== undefined && !this.store.serves(agentId))
        throw new ApiFault(
          403,
          "USER_ACCESS_FORBIDDEN",
          `The API key has no access to project ${agentId}`,
        );
      const query = parseQuery(match.op, target);
      const body = parseBody(match.op, req.headers["content-type"], text);
      const handler = handlers[match.op.operationId as OperationId];
      // The spec may run ahead of the mock: an operation without state behind it
      // answers as an unimplemented endpoint would, in the API's envelope.
      if (!handler)
        throw new ApiFault(
          501,
          "NOT_IMPLEMENTED",
          `The local PolyAI does not implement ${match.op.operationId} yet`,
        );
      const answer = handler(this.store, { params, query, body }, this.calls);
      return { op, status: match.op.success, headers: {}, body: answer };
    } catch (err) {
      if (!(err instanceof ApiFault)) throw err;
      return {
        op,
        status: err.status,
        headers: err.headers,
        body: envelope(err.status, err.code, err.message, errorId),
      };
    }
  }

  private sendFault(
    res: ServerResponse,
    op: OperationSpec | undefined,
    fault: Fault,
    status: number,
    errorId: string,
  ): void {
    const headers: Record<string, string> =
      fault.retryAfter === undefined ? {} : { "Retry-After": fault.retryAfter };
    if (fault.rawBody) {
      // Deliberately broken answers (HTML from a proxy, truncated JSON) skip the spec check.
      res.writeHead(status, {
        ...headers,
        [CORRELATION]: errorId,
        "Content-Type": fault.rawBody.contentType,
      });
      res.end(fault.rawBody.text);
      return;
    }
    const message = fault.message ?? `Injected fault: ${status}`;
    const body = envelope(status, fault.errorCode ?? defaultErrorCode(status), message, errorId);
    this.send(res, { op, status, headers, body }, errorId);
  }

  private send(res: ServerResponse, answer: Answer, errorId: string): void {
    const headers = { ...answer.headers, [CORRELATION]: errorId, "Content-Type": JSON_TYPE };
    const why = checkResponse(this.index, answer.op, answer.status, headers, answer.body);
    if (why) {
      const where = answer.op ? ` of ${answer.op.operationId}` : "";
      this.violation(
        new MockSpecViolationError(
          `the mock's ${answer.status} answer${where} breaks the spec: ${why}`,
        ),
      );
      this.sendUnchecked(
        res,
        500,
        {},
        envelope(500, "INTERNAL_SERVER_ERROR", `The mock broke the spec: ${why}`, errorId),
        errorId,
      );
      return;
    }
    this.sendUnchecked(res, answer.status, answer.headers, answer.body, errorId);
  }

  private sendUnchecked(
    res: ServerResponse,
    status: number,
    headers: Readonly<Record<string, string>>,
    body: unknown,
    errorId: string,
  ): void {
    if (res.headersSent || res.destroyed) return;
    res.writeHead(status, { ...headers, [CORRELATION]: errorId, "Content-Type": JSON_TYPE });
    res.end(JSON.stringify(body));
  }

  private violation(error: MockSpecViolationError): void {
    this.violations.push(error);
    const report = this.#options.onSpecViolation;
    if (report) report(error);
    else
      setImmediate(() => {
        throw error;
      });
  }
}

/**
 * Starts a local PolyAI that serves the connector, phone-number and outbound-call
 * endpoints of the spec from memory, on `http://127.0.0.1:<free port>` unless told
 * otherwise.
 *
 * It behaves like PolyAI where PolyAI's behaviour is documented: merge-patch
 * updates with `ttsLangCode` derived from the voice, per-item batch results,
 * PolyAI's error envelope with `error_id` equal to the `X-PolyAI-Correlation-Id`
 * header. Connectors and phone numbers are one state: imported numbers route
 * nowhere until reassigned, `connectors.lookup` follows a reassigned route, and
 * deleting a connector releases every number routed to it at that moment (see
 * {@link MockPolyAI.phoneNumbers}). An agent the mock does not serve answers 403
 * USER_ACCESS_FORBIDDEN (see {@link MockPolyAIOptions.connectors}). Every request
 * and every answer is checked against the bundled OpenAPI spec.
 *
 * @example
 * import { createMockPolyAI } from "polyai-connectors/testing";
 *
 * const mock = await createMockPolyAI({
 *   apiKey: "test-key",
 *   connectors: [{ ...seed, phoneNumbers: ["+442079460000"] }],
 *   phoneNumbers: [{ number: "+442079460003", agentId: seed.projectId }], // not routed yet
 * });
 * mock.failNext({ operation: "batchUpdateConnectors", status: 503 }); // the write fails once
 * // … point the code under test at mock.url …
 * expect(mock.connectors[0]?.voiceName).toBe("en-GB-Neural2-A");
 * expect(mock.phoneNumbers.map((n) => n.number)).toContain("+442079460003");
 * await mock.close();
 * @throws {TypeError} when the seed is not valid connector or phone-number data (the message names the field).
 */
export async function createMockPolyAI(options: MockPolyAIOptions = {}): Promise<MockPolyAI> {
  const mock = new Mock(options);
  await mock.listen();
  return mock;
}
