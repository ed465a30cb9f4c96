// The fault soak, as a function: `npm run soak` (scripts/soak.ts) prints its report,
// test/soak.test.ts runs it in-process and asserts on it.
//
// Updates against the local mock PolyAI while a seeded schedule injects faults into
// a share of the attempts (503, 429 with a short Retry-After, connection resets,
// answers held back past the client's timeout). Each connector's updates run one
// after another; different connectors run at once. At the end every connector on
// the mock must equal the last update applied to it.
import { monitorEventLoopDelay } from "node:perf_hooks";
import { isDeepStrictEqual } from "node:util";
import {
  APIError,
  PolyAIError,
  applyConnectorPatch,
  createPolyAIClient,
  type Connector,
  type ConnectorPatch,
} from "../src/index.js";
import { createMockPolyAI, type SeedConnector } from "../src/testing/index.js";
import { mulberry32 as random } from "./seeded-random.js";
import { Landings } from "./soak-landings.js";

/** How a soak runs. */
export interface SoakOptions {
  readonly seed: number;
  readonly updates: number;
  readonly connectors: number;
  /** At most this many calls in flight, across all connectors. */
  readonly concurrency: number;
  /** Share of attempts that get a fault, 0 to 1. */
  readonly faultRate: number;
  /** The client's per-attempt timeout. */
  readonly timeoutMs: number;
  /** A hang guard: the run stops and fails after this long. */
  readonly deadlineMs: number;
  /**
   * false: a chain does not wait for its held writes, which land at the end of the
   * run instead, over newer updates. Shows the final check failing.
   */
  readonly lateWait: boolean;
}

/** Counts by kind. */
export class Tally extends Map<string, number> {
  add(key: string, n = 1): void {
    this.set(key, (this.get(key) ?? 0) + n);
  }
  total(): number {
    return [...this.values()].reduce((a, b) => a + b, 0);
  }
  show(): string {
    return this.size === 0
      ? "none"
      : [...this.entries()]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([k, v]) => `${k} ${v}`)
          .join(", ");
  }
}

/** What a soak saw; `problems` is empty when it passed. */
export interface SoakReport {
  readonly options: SoakOptions;
  readonly seconds: number;
  /** Event loop delay, ms. */
  readonly lag: { readonly p99: number; readonly max: number };
  /** Attempts sent, by method. */
  readonly attempts: Tally;
  readonly received: number;
  /** Faults injected, by kind. */
  readonly injected: Tally;
  /** Attempt outcomes as the client's fetch saw them. */
  readonly observed: Tally;
  readonly retries: number;
  /** Update calls: succeeded, failed. */
  readonly outcomes: Tally;
  readonly failures: Tally;
  /** Failed calls, read back: applied anyway, not applied, indistinguishable. */
  readonly readBack: Tally;
  readonly rereads: number;
  /** Times a chain waited for a write the client had given up on to land. */
  readonly latePauses: number;
  /** Connectors whose final state on the mock is the last update applied to them. */
  readonly matching: number;
  readonly problems: readonly string[];
}

/** The label of an injected hold in {@link SoakReport.injected}. */
export const HELD = "held until the call ends";

const KEY = "sk-soak-test-key";
const AGENT = "PROJECT-SOAK";
const VOICES = [
  "en-GB-Neural2-A",
  "en-US-Wavenet-B",
  "de-DE-Standard-C",
  "fr-FR-Chirp3-HD-Achernar",
  "es-US-Polyglot-1",
  "ja-JP-Neural2-B",
  "cmn-CN-Wavenet-A",
  "en-AU-Studio-O",
];
const LANGS = ["en-GB", "en-US", "de-DE", "fr-FR", "es-US", "ja-JP", "cmn-Hans-CN"];

const pick = <T>(rng: () => number, items: readonly T[]): T =>
  items[Math.floor(rng() * items.length)] as T;

function seedConnectors(count: number): (Connector & SeedConnector)[] {
  return Array.from({ length: count }, (_, i) => ({
    connectorId: `CONN-soak-${String(i).padStart(3, "0")}`,
    name: `Soak line ${i}`,
    accountId: "ws-soak",
    projectId: AGENT,
    clientEnv: "sandbox",
    variantId: "",
    asrLangCode: "en-GB",
    ttsLangCode: "en-GB",
    voiceName: "en-GB-Neural2-A",
    disableHandoff: false,
  }));
}

/** The patch `step` of connector `index`: the same for a given seed, whatever the timing. */
function patchFor(seed: number, index: number, step: number): ConnectorPatch {
  const rng = random(seed * 1_000_003 + index * 10_007 + step);
  // variantId is unique per step (or cleared), so a read-back tells which patch it shows.
  const patch: ConnectorPatch = { variantId: rng() < 0.1 ? null : `VARIANT-${index}-${step}` };
  if (rng() < 0.6) patch.voiceName = pick(rng, VOICES);
  if (rng() < 0.4) patch.asrLangCode = pick(rng, LANGS);
  return patch;
}

function connectorOf(url: string): string {
  // /v1/agents/{agentId}/telephony/connectors/{connectorId}
  return decodeURIComponent(new URL(url).pathname.split("/")[6] ?? "");
}

function describeFailure(err: unknown): string {
  if (err instanceof APIError) return `${err.name} ${err.status}`;
  if (err instanceof PolyAIError) return err.name;
  return `untyped ${(err as Error)?.name ?? typeof err}`;
}

/** Rejects with the signal's reason when it aborts; `off` stops listening. */
function aborted(signal: AbortSignal | null | undefined) {
  let off = () => {};
  const promise = new Promise<never>((_, reject) => {
    if (!signal) return;
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    off = () => signal.removeEventListener("abort", onAbort);
  });
  return { promise, off };
}

function checkOptions(options: SoakOptions): void {
  for (const [name, value] of Object.entries(options)) {
    if (typeof value === "number" && (!Number.isFinite(value) || value < 0))
      throw new TypeError(`soak: ${name} must be a number of at least 0`);
  }
}

/** Runs a soak against a fresh local PolyAI; never throws for what it finds (see `problems`). */
export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  checkOptions(options);
  const { seed: SEED, connectors: CONNECTORS, updates: UPDATES } = options;
  const attempts = new Tally();
  const injected = new Tally();
  const observed = new Tally();
  const outcomes = new Tally();
  const failures = new Tally();
  const readBack = new Tally();
  const problems: string[] = [];
  let retries = 0;
  let rereads = 0;
  let latePauses = 0;

  const seed = seedConnectors(CONNECTORS);
  const mock = await createMockPolyAI({ apiKey: KEY, connectors: seed });
  const faults = random(SEED);
  const landings = new Landings();
  const deadline = new AbortController();

  // The client's fetch: decides for each attempt whether to inject a fault, then sends
  // it and records what came back. 503s, 429s and resets are queued on the mock; the
  // mock's queue is global, so one queued here may hit another in-flight request, but
  // each is still used exactly once, because every queuing is followed by a request.
  // A held attempt is kept back by the harness until its call has ended. Requests go
  // out without the client's signal, so that each one's landing is known: the client
  // stops waiting when its attempt is aborted, the request does not.
  let injecting = true;
  const faultyFetch: typeof fetch = async (input, init) => {
    if (input instanceof Request) throw new TypeError("soak: the client passes a URL and init");
    const url = String(input);
    const method = init?.method ?? "GET";
    attempts.add(method);
    let held = false;
    if (injecting && faults() < options.faultRate) {
      const r = faults();
      if (r < 0.35) {
        injected.add("503");
        mock.failNext({ status: 503 });
      } else if (r < 0.55) {
        const retryAfter = faults() < 0.8 ? 0 : 1;
        injected.add(`429 (Retry-After ${retryAfter})`);
        mock.failNext({ status: 429, retryAfter });
      } else if (r < 0.8) {
        injected.add("reset");
        mock.failNext({ reset: true });
      } else {
        injected.add(HELD);
        held = true;
      }
    }
    const id = connectorOf(url);
    const gate = held ? landings.hold(id) : undefined;
    const sent = (async () => {
      await gate;
      return fetch(url, { ...init, signal: null });
    })();
    landings.track(id, sent);
    const abort = aborted(init?.signal);
    try {
      const response = await Promise.race([sent, abort.promise]);
      observed.add(response.ok ? "ok" : String(response.status));
      return response;
    } catch (err) {
      const signal = init?.signal;
      // The client aborts an attempt that ran past timeoutMs with a TimeoutError reason.
      const timedOut = signal?.aborted === true && signal.reason?.name === "TimeoutError";
      observed.add(timedOut ? "timed out" : "connection error");
      if (held && !timedOut && !deadline.signal.aborted)
        problems.push(`a held ${method} ended without timing out: ${String(err)}`);
      // Nobody reads an answer the client gave up on.
      void sent.then((r) => r.body?.cancel()).catch(() => {});
      throw err;
    } finally {
      abort.off();
    }
  };

  const deadlineTimer = setTimeout(
    () => deadline.abort(new Error("soak deadline")),
    options.deadlineMs,
  );
  const poly = createPolyAIClient({
    apiKey: KEY,
    baseUrl: mock.url,
    fetch: faultyFetch,
    timeoutMs: options.timeoutMs,
    backoff: { initialMs: 5, maxMs: 40 },
    onRetry: () => {
      retries += 1;
    },
  });

  // At most `concurrency` calls in flight, across all chains.
  let free = options.concurrency;
  const waiting: (() => void)[] = [];
  /** Runs one call of connector `id`, then lets the writes it held back go. */
  async function call<T>(id: string, run: () => Promise<T>): Promise<T> {
    if (free > 0) free -= 1;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await run();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else free += 1;
      if (options.lateWait) landings.release(id);
    }
  }

  /** Before anything else touches the connector: every write sent for it has landed. */
  async function settle(connectorId: string): Promise<void> {
    if (options.lateWait && (await landings.landed(connectorId))) latePauses += 1;
  }

  /** Reads a connector, retrying as long as it takes (within the deadline). */
  async function reread(connectorId: string): Promise<Connector> {
    for (;;) {
      rereads += 1;
      try {
        return await call(connectorId, () =>
          poly.connectors.get(AGENT, connectorId, { maxRetries: 10, signal: deadline.signal }),
        );
      } catch (err) {
        if (deadline.signal.aborted || !(err instanceof PolyAIError)) throw err;
        await settle(connectorId);
      }
    }
  }

  /** One connector's updates, in order. Returns what the connector must look like at the end. */
  async function chain(index: number, steps: number): Promise<Connector> {
    const start = seed[index];
    if (!start) throw new Error(`no seed connector ${index}`);
    const { agentId: _, phoneNumbers: __, ...initial } = start;
    let expected: Connector = initial;
    const id = expected.connectorId;
    for (let step = 0; step < steps; step++) {
      await settle(id);
      const patch = patchFor(SEED, index, step);
      const next = applyConnectorPatch(expected, patch);
      try {
        const returned = await call(id, () =>
          poly.connectors.update(AGENT, id, patch, { signal: deadline.signal }),
        );
        outcomes.add("succeeded");
        if (!isDeepStrictEqual(returned, next))
          problems.push(
            `${id} step ${step}: update returned ${JSON.stringify(returned)}, expected ${JSON.stringify(next)}`,
          );
        expected = next;
      } catch (err) {
        if (deadline.signal.aborted) throw err;
        outcomes.add("failed");
        failures.add(describeFailure(err));
        if (!(err instanceof PolyAIError))
          problems.push(`${id} step ${step}: untyped error ${String(err)}`);
        // A call that failed may still have been applied (an attempt that timed out
        // was sent anyway, and lands once released). Read back and accept either state.
        await settle(id);
        const now = await reread(id);
        if (isDeepStrictEqual(now, expected) && isDeepStrictEqual(now, next))
          readBack.add("indistinguishable");
        else if (isDeepStrictEqual(now, expected)) readBack.add("not applied");
        else if (isDeepStrictEqual(now, next)) {
          readBack.add("applied anyway");
          expected = next;
        } else {
          problems.push(
            `${id} step ${step}: after a failed update the connector is neither the old nor the new state: ${JSON.stringify(now)}`,
          );
          expected = now;
        }
      }
    }
    return expected;
  }

  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const started = performance.now();
  let finals: Connector[] = [];
  let stopped = false;
  try {
    finals = await Promise.all(
      Array.from({ length: CONNECTORS }, (_, i) =>
        chain(i, Math.floor(UPDATES / CONNECTORS) + (i < UPDATES % CONNECTORS ? 1 : 0)),
      ),
    );
  } catch (err) {
    stopped = true;
    problems.push(
      `run stopped: ${deadline.signal.aborted ? `deadline of ${options.deadlineMs / 1000} s passed` : String(err)}`,
    );
  }
  const seconds = (performance.now() - started) / 1000;
  clearTimeout(deadlineTimer);
  lag.disable();
  injecting = false;

  // Let every held write land (with lateWait off, only now), then compare the
  // mock's own state with what each chain expects.
  landings.releaseAll();
  await landings.allLanded();
  const onMock = new Map(mock.connectors.map(({ agentId: _, ...c }) => [c.connectorId, c]));
  let matching = 0;
  for (const expected of finals) {
    const actual = onMock.get(expected.connectorId);
    if (isDeepStrictEqual(actual, expected)) matching += 1;
    else
      problems.push(
        `${expected.connectorId}: final state ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`,
      );
  }
  // With every queued fault used, a plain read sees the same state without a retry.
  const listed = stopped
    ? []
    : await poly.connectors
        .list(AGENT, { maxRetries: 0, timeoutMs: 30_000 })
        .catch((err: unknown) => {
          problems.push(`final list failed (a fault left queued?): ${String(err)}`);
          return [];
        });
  if (
    !stopped &&
    !isDeepStrictEqual(
      listed,
      mock.connectors.map(({ agentId: _, ...c }) => c),
    )
  )
    problems.push("final list differs from the mock's state");
  const received = mock.requests.length;
  await mock.close();

  const sent = attempts.total();
  const share = sent === 0 ? 0 : injected.total() / sent;
  if (share < 0.2)
    problems.push(
      `faults hit only ${(share * 100).toFixed(1)}% of attempts; the soak needs at least 20%`,
    );
  return {
    options,
    seconds,
    lag: { p99: lag.percentile(99) / 1e6, max: lag.max / 1e6 },
    attempts,
    received,
    injected,
    observed,
    retries,
    outcomes,
    failures,
    readBack,
    rereads,
    latePauses,
    matching,
    problems,
  };
}
