// #23: the local PolyAI's outbound calls. One book serves both operations: a trigger
// adds a call, a status read finds it and moves it on. The pace is counted in status
// reads by default, not in wall-clock time, and expiry follows an injectable clock,
// so a test decides every outcome without waiting; `stepMs` adds a pace in time, on
// that clock, for a demo or a dashboard that watches calls without reading them.
import type { components } from "../../generated/openapi.js";
import { ApiFault } from "./envelope.js";
import { checkOptionKeys } from "./faults.js";
import type { ConnectorStore } from "./store.js";

type Schemas = components["schemas"];
type ClientEnv = Schemas["ClientEnv"];
type CallState = Schemas["OutboundCallState"];

/** How a call to one number ends, for {@link MockOutboundOptions.outcomes}. */
export interface MockCallOutcome {
  /** `SUCCESS` (the default for every number) or `FAILURE`. */
  readonly status: "SUCCESS" | "FAILURE";
  /** The status answer's `reason` once the call ended; default `""` for a success, `"failed"` for a failure. */
  readonly reason?: string | undefined;
}

/**
 * How the local PolyAI places calls (`outbound` of `createMockPolyAI`).
 *
 * @example
 * let now = 0;
 * const mock = await createMockPolyAI({
 *   connectors: [seed],
 *   outbound: {
 *     notConfigured: ["pre-release"],
 *     outcomes: { "+442079460001": { status: "FAILURE", reason: "busy" } },
 *     readsPerStep: 2,
 *     retentionMs: 1_000,
 *     clock: () => now,
 *   },
 * });
 */
export interface MockOutboundOptions {
  /**
   * Environments whose outbound calling is not set up: a trigger or a status read in
   * one answers 400 `OUTBOUND_CALLS_NOT_CONFIGURED`. Default: none, every environment is set up.
   */
  readonly notConfigured?: readonly ClientEnv[] | undefined;
  /** How the calls to a number end, by `toNumber` as sent. Default: `SUCCESS` for every number. */
  readonly outcomes?: Readonly<Record<string, MockCallOutcome>> | undefined;
  /**
   * The pace, in status reads: a call is `QUEUED` when placed and moves one step
   * (`CALLING`, then its outcome) every `readsPerStep` reads of its status. Default 1:
   * the first read shows `CALLING`, the second the outcome.
   */
  readonly readsPerStep?: number | undefined;
  /**
   * A pace in time as well, in milliseconds of `clock`: a call also moves one step
   * every `stepMs` after it was placed, read or not (`mock.outboundCalls` shows it).
   * Default: none, the pace is in reads only, so a test never depends on how fast
   * the machine is.
   */
  readonly stepMs?: number | undefined;
  /**
   * How long a status is kept after the call ended, in milliseconds of `clock`; then
   * it is answered 404 `OUTBOUND_CALLS_NOT_FOUND`, as for a SID never issued. Default
   * 7,200,000 (PolyAI's "about 2 hours").
   */
  readonly retentionMs?: number | undefined;
  /** The clock of `retentionMs`, in milliseconds. Default `Date.now`; a test passes its own. */
  readonly clock?: (() => number) | undefined;
}

/** A call the local PolyAI placed, as `mock.outboundCalls` lists it. */
export interface MockOutboundCall {
  readonly callSid: string;
  readonly agentId: string;
  readonly toNumber: string;
  readonly countryCode: string | undefined;
  readonly environment: ClientEnv;
  readonly variantId: string | undefined;
  readonly encryption: string | undefined;
  readonly metadata: Readonly<Record<string, string>>;
  /** Where the call is now, as the status read last answered. */
  readonly status: CallState;
  readonly reason: string;
}

interface Entry {
  readonly call: Omit<MockOutboundCall, "status" | "reason">;
  readonly outcome: MockCallOutcome;
  reads: number;
  /** When the call was placed, by the book's clock. */
  readonly placedAt: number;
  /** When a read first saw the call's outcome, by the book's clock. */
  endedAt: number | undefined;
}

const OPTION_KEYS = Object.keys({
  notConfigured: true,
  outcomes: true,
  readsPerStep: true,
  stepMs: true,
  retentionMs: true,
  clock: true,
} satisfies Record<keyof MockOutboundOptions, true>);
const ENVIRONMENTS: readonly string[] = ["sandbox", "pre-release", "live"];
const DEFAULT_RETENTION_MS = 2 * 60 * 60 * 1000;

function fail(message: string): never {
  throw new TypeError(`createMockPolyAI: outbound.${message}`);
}

/** The options, checked when the mock is created, so a typo fails at the line that wrote it. */
function checkOptions(options: MockOutboundOptions) {
  checkOptionKeys(options, OPTION_KEYS, "createMockPolyAI: outbound");
  const { notConfigured = [], outcomes = {}, readsPerStep = 1, stepMs } = options;
  const { retentionMs = DEFAULT_RETENTION_MS, clock = Date.now } = options;
  if (!Array.isArray(notConfigured) || !notConfigured.every((e) => ENVIRONMENTS.includes(e)))
    fail(`notConfigured must list environments of ${ENVIRONMENTS.join(", ")}`);
  if (typeof outcomes !== "object" || outcomes === null) fail("outcomes must be an object");
  for (const [number, outcome] of Object.entries(outcomes))
    if (outcome?.status !== "SUCCESS" && outcome?.status !== "FAILURE")
      fail(`outcomes[${JSON.stringify(number)}].status must be "SUCCESS" or "FAILURE"`);
  if (!Number.isInteger(readsPerStep) || readsPerStep < 1)
    fail(`readsPerStep must be a whole number of at least 1, got ${String(readsPerStep)}`);
  if (stepMs !== undefined && !(Number.isInteger(stepMs) && stepMs >= 1))
    fail(`stepMs must be a whole number of at least 1, got ${String(stepMs)}`);
  if (!Number.isInteger(retentionMs) || retentionMs < 0)
    fail(`retentionMs must be a whole number of at least 0, got ${String(retentionMs)}`);
  if (typeof clock !== "function") fail("clock must be a function returning milliseconds");
  // #23 review: a clock of NaN ended every call at once under stepMs, and none expired.
  const now = clock();
  if (typeof now !== "number" || !Number.isFinite(now))
    fail(`clock must return a finite number of milliseconds, returned ${String(now)}`);
  return {
    notConfigured: new Set(notConfigured),
    outcomes,
    readsPerStep,
    stepMs,
    retentionMs,
    clock,
  };
}

/** The outbound calls of one mock. @internal */
export class OutboundBook {
  private readonly options: ReturnType<typeof checkOptions>;
  private readonly calls = new Map<string, Entry>();

  constructor(options: MockOutboundOptions = {}) {
    this.options = checkOptions(options);
  }

  /** Every call placed, oldest first, as its status was last read. */
  all(): MockOutboundCall[] {
    return [...this.calls.values()].map((entry) => ({
      ...structuredClone(entry.call),
      ...this.status(entry),
    }));
  }

  /** Places a call (the body matched the spec); answers its SID and `QUEUED`. */
  place(store: ConnectorStore, agentId: string, body: Schemas["InitiateOutboundCallBody"]) {
    this.configured(body.environment);
    const { variantId, environment } = body;
    // #23: the spec's 404: no connector of the agent in the environment (none to be its
    // default), or, with variantId, none of that variant there.
    const serving = store
      .list(agentId)
      .filter((c) => c.clientEnv === environment)
      .filter((c) => variantId === undefined || c.variantId === variantId);
    if (serving.length === 0) {
      const variant = variantId === undefined ? "" : ` variant ${JSON.stringify(variantId)}`;
      throw new ApiFault(
        404,
        "OUTBOUND_CALLS_NO_CONNECTOR",
        `No connector of ${agentId} serves${variant} in ${JSON.stringify(environment)}`,
      );
    }
    const callSid = `OUT-${globalThis.crypto.randomUUID()}`;
    const { outcomes } = this.options;
    const outcome = Object.hasOwn(outcomes, body.toNumber)
      ? (outcomes[body.toNumber] as MockCallOutcome)
      : { status: "SUCCESS" as const };
    this.calls.set(callSid, {
      call: {
        callSid,
        agentId,
        toNumber: body.toNumber,
        countryCode: body.countryCode,
        environment,
        variantId,
        encryption: body.encryption,
        metadata: { ...body.metadata },
      },
      outcome,
      reads: 0,
      placedAt: this.options.clock(),
      endedAt: undefined,
    });
    return { callSid, status: "QUEUED" as const };
  }

  /** A status read: the call moves on by the pace, or 404 when unknown or expired. */
  read(agentId: string, callSid: string, environment: ClientEnv) {
    this.configured(environment);
    const entry = this.calls.get(callSid);
    const { clock, retentionMs } = this.options;
    const ended = entry && this.endedAt(entry);
    const expired = ended !== undefined && clock() - ended > retentionMs;
    if (
      !entry ||
      entry.call.agentId !== agentId ||
      entry.call.environment !== environment ||
      expired
    )
      throw new ApiFault(
        404,
        "OUTBOUND_CALLS_NOT_FOUND",
        `No status for ${callSid} in ${JSON.stringify(environment)}`,
      );
    entry.reads++;
    const now = this.status(entry);
    if (now.status === entry.outcome.status) entry.endedAt ??= clock();
    return { callSid, ...now };
  }

  /** When the call ended: a read saw it end, or by `stepMs`, two steps after it was placed. */
  private endedAt(entry: Entry): number | undefined {
    const { stepMs, clock } = this.options;
    const byTime = stepMs === undefined ? Infinity : entry.placedAt + 2 * stepMs;
    const ended = Math.min(entry.endedAt ?? Infinity, byTime);
    return ended <= clock() ? ended : undefined;
  }

  private status(entry: Entry): { status: CallState; reason: string } {
    const { readsPerStep, stepMs, clock } = this.options;
    const byTime = stepMs === undefined ? 0 : Math.floor((clock() - entry.placedAt) / stepMs);
    const step = Math.max(Math.floor(entry.reads / readsPerStep), byTime);
    if (step === 0) return { status: "QUEUED", reason: "" };
    if (step === 1) return { status: "CALLING", reason: "" };
    const { status, reason } = entry.outcome;
    return { status, reason: reason ?? (status === "FAILURE" ? "failed" : "") };
  }

  private configured(environment: ClientEnv): void {
    if (this.options.notConfigured.has(environment))
      throw new ApiFault(
        400,
        "OUTBOUND_CALLS_NOT_CONFIGURED",
        `environment: outbound calling is not configured for ${JSON.stringify(environment)}`,
      );
  }
}
