// npm run soak [-- --seed 7 --updates 3000 --connectors 50 --concurrency 16 --fault-rate 0.3]
// npm run soak -- --no-late-wait   shows the check failing (see "late writes" below)
//
// Thousands of updates against the local mock PolyAI while a seeded schedule
// injects faults into a share of the attempts (503, 429 with a short Retry-After,
// connection resets, answers held back past the client's timeout). Each
// connector's updates run one after another; different connectors run at once.
// At the end every connector on the mock must equal the last update applied to
// it. Exits 1 when that check fails, a call fails with an untyped error, the fault
// share is under 20% or the run overstays its deadline.
import { monitorEventLoopDelay } from "node:perf_hooks";
import { isDeepStrictEqual, parseArgs } from "node:util";
import {
  APIError,
  PolyAIError,
  applyConnectorPatch,
  createPolyAIClient,
  type Connector,
  type ConnectorPatch,
} from "../src/index.js";
import { createMockPolyAI, type SeedConnector } from "../src/testing/index.js";

const { values: args } = parseArgs({
  options: {
    seed: { type: "string", default: "1" },
    updates: { type: "string", default: "3000" },
    connectors: { type: "string", default: "50" },
    concurrency: { type: "string", default: "16" },
    "fault-rate": { type: "string", default: "0.3" },
    "timeout-ms": { type: "string", default: "250" },
    "deadline-s": { type: "string", default: "120" },
    "no-late-wait": { type: "boolean", default: false },
  },
});
const SEED = Number(args.seed);
const UPDATES = Number(args.updates);
const CONNECTORS = Number(args.connectors);
const CONCURRENCY = Number(args.concurrency);
const FAULT_RATE = Number(args["fault-rate"]);
const TIMEOUT_MS = Number(args["timeout-ms"]);
const DEADLINE_MS = Number(args["deadline-s"]) * 1000;
for (const [name, value] of Object.entries({
  SEED,
  UPDATES,
  CONNECTORS,
  CONCURRENCY,
  FAULT_RATE,
  TIMEOUT_MS,
  DEADLINE_MS,
})) {
  if (!Number.isFinite(value) || value < 0)
    throw new Error(`soak: ${name} must be a number of at least 0`);
}
/** How long a held-back answer waits: well past the client's timeout. */
const SLOW_MS = TIMEOUT_MS * 3;
/** A write held back by the mock lands this long after its attempt started, at the latest. */
const LATE_WRITE_MS = SLOW_MS + 250;

/** mulberry32: small, seedable, good enough to pick faults and patches. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const pick = <T>(rng: () => number, items: readonly T[]): T =>
  items[Math.floor(rng() * items.length)] as T;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

class Tally extends Map<string, number> {
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

const seed: (Connector & SeedConnector)[] = Array.from({ length: CONNECTORS }, (_, i) => ({
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

/** The patch `step` of connector `index`: the same for a given seed, whatever the timing. */
function patchFor(index: number, step: number): ConnectorPatch {
  const rng = random(SEED * 1_000_003 + index * 10_007 + step);
  // variantId is unique per step (or cleared), so a read-back tells which patch it shows.
  const patch: ConnectorPatch = { variantId: rng() < 0.1 ? null : `VARIANT-${index}-${step}` };
  if (rng() < 0.6) patch.voiceName = pick(rng, VOICES);
  if (rng() < 0.4) patch.asrLangCode = pick(rng, LANGS);
  return patch;
}

// What happened, counted.
const attempts = new Tally();
const queued = new Tally();
const observed = new Tally();
const outcomes = new Tally();
const failures = new Tally();
const ambiguous = new Tally();
const problems: string[] = [];
let retries = 0;
let rereads = 0;
let latePauses = 0;

const mock = await createMockPolyAI({ apiKey: KEY, connectors: seed });
const faults = random(SEED);
/** Per connector: until when a write of a timed-out attempt may still land on the mock. */
const lateUntil = new Map<string, number>();

function connectorOf(url: string): string {
  // /v1/agents/{agentId}/telephony/connectors/{connectorId}
  return decodeURIComponent(new URL(url).pathname.split("/")[6] ?? "");
}

// The client's fetch: decides for each attempt whether to queue a fault on the
// mock, then sends the attempt and records what came back. The mock's fault queue
// is global, so a fault queued here may hit another in-flight request; each is
// still used exactly once, because every queuing is followed by a request.
let injecting = true;
const faultyFetch: typeof fetch = async (input, init) => {
  const url = String(input instanceof Request ? input.url : input);
  const method = init?.method ?? "GET";
  attempts.add(method);
  if (injecting && faults() < FAULT_RATE) {
    const r = faults();
    if (r < 0.35) {
      queued.add("503");
      mock.failNext({ status: 503 });
    } else if (r < 0.55) {
      const retryAfter = faults() < 0.8 ? 0 : 1;
      queued.add(`429 (Retry-After ${retryAfter})`);
      mock.failNext({ status: 429, retryAfter });
    } else if (r < 0.8) {
      queued.add("reset");
      mock.failNext({ reset: true });
    } else {
      queued.add(`held ${SLOW_MS} ms`);
      mock.failNext({ delayMs: SLOW_MS });
    }
  }
  const started = Date.now();
  try {
    const response = await fetch(input, init);
    observed.add(response.ok ? "ok" : String(response.status));
    return response;
  } catch (err) {
    // The client aborts an attempt that ran past timeoutMs with a TimeoutError reason.
    const timedOut = init?.signal?.aborted === true && init.signal.reason?.name === "TimeoutError";
    observed.add(timedOut ? "timed out" : "connection error");
    // The mock applies a held-back write after the client gave up on it.
    if (timedOut && method === "PATCH") lateUntil.set(connectorOf(url), started + LATE_WRITE_MS);
    throw err;
  }
};

const deadline = new AbortController();
const deadlineTimer = setTimeout(() => deadline.abort(new Error("soak deadline")), DEADLINE_MS);
const poly = createPolyAIClient({
  apiKey: KEY,
  baseUrl: mock.url,
  fetch: faultyFetch,
  timeoutMs: TIMEOUT_MS,
  backoff: { initialMs: 5, maxMs: 40 },
  onRetry: () => {
    retries += 1;
  },
});

// At most CONCURRENCY calls in flight, across all chains.
let free = CONCURRENCY;
const waiting: (() => void)[] = [];
async function slot<T>(run: () => Promise<T>): Promise<T> {
  if (free > 0) free -= 1;
  else await new Promise<void>((resolve) => waiting.push(resolve));
  try {
    return await run();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else free += 1;
  }
}

async function settle(connectorId: string): Promise<void> {
  if (args["no-late-wait"]) return;
  const until = lateUntil.get(connectorId) ?? 0;
  if (until > Date.now()) {
    latePauses += 1;
    await sleep(until - Date.now());
  }
}

/** Reads a connector, retrying as long as it takes (within the deadline). */
async function reread(connectorId: string): Promise<Connector> {
  for (;;) {
    rereads += 1;
    try {
      return await slot(() =>
        poly.connectors.get(AGENT, connectorId, { maxRetries: 10, signal: deadline.signal }),
      );
    } catch (err) {
      if (deadline.signal.aborted || !(err instanceof PolyAIError)) throw err;
      await settle(connectorId);
    }
  }
}

function describeFailure(err: unknown): string {
  if (err instanceof APIError) return `${err.name} ${err.status}`;
  if (err instanceof PolyAIError) return err.name;
  return `untyped ${(err as Error)?.name ?? typeof err}`;
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
    const patch = patchFor(index, step);
    const next = applyConnectorPatch(expected, patch);
    try {
      const returned = await slot(() =>
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
      // A call that failed may still have been applied (its last attempt timed out
      // after the mock took it). Read back and accept either state.
      await settle(id);
      const now = await reread(id);
      if (isDeepStrictEqual(now, expected) && isDeepStrictEqual(now, next))
        ambiguous.add("indistinguishable");
      else if (isDeepStrictEqual(now, expected)) ambiguous.add("not applied");
      else if (isDeepStrictEqual(now, next)) {
        ambiguous.add("applied anyway");
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
let aborted = false;
try {
  finals = await Promise.all(
    Array.from({ length: CONNECTORS }, (_, i) =>
      chain(i, Math.floor(UPDATES / CONNECTORS) + (i < UPDATES % CONNECTORS ? 1 : 0)),
    ),
  );
} catch (err) {
  aborted = true;
  problems.push(
    `run stopped: ${deadline.signal.aborted ? `deadline of ${DEADLINE_MS / 1000} s passed` : String(err)}`,
  );
}
const elapsed = (performance.now() - started) / 1000;
clearTimeout(deadlineTimer);
lag.disable();
injecting = false;

// Let any held-back write land, then compare the mock's own state with what each chain expects.
await sleep(Math.max(0, ...[...lateUntil.values()].map((t) => t - Date.now())));
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
const listed = aborted
  ? []
  : await poly.connectors.list(AGENT, { maxRetries: 0, timeoutMs: 5_000 }).catch((err: unknown) => {
      problems.push(`final list failed (a fault left queued?): ${String(err)}`);
      return [];
    });
if (
  !aborted &&
  !isDeepStrictEqual(
    listed,
    mock.connectors.map(({ agentId: _, ...c }) => c),
  )
)
  problems.push("final list differs from the mock's state");
const received = mock.requests.length;
await mock.close();

const sent = attempts.total();
const injected = queued.total();
const share = sent === 0 ? 0 : injected / sent;
if (share < 0.2)
  problems.push(
    `faults hit only ${(share * 100).toFixed(1)}% of attempts; the soak needs at least 20%`,
  );

const line = (label: string, value: string | number) =>
  console.log(`  ${label.padEnd(30)} ${value}`);
console.log(
  `soak: seed ${SEED}, ${UPDATES} updates over ${CONNECTORS} connectors, ${CONCURRENCY} calls at once, timeout ${TIMEOUT_MS} ms, fault rate ${FAULT_RATE}`,
);
line(
  "time",
  `${elapsed.toFixed(1)} s (event loop delay p99 ${(lag.percentile(99) / 1e6).toFixed(0)} ms, max ${(lag.max / 1e6).toFixed(0)} ms)`,
);
line("requests sent (attempts)", `${sent} (${attempts.show()}); the mock received ${received}`);
line("faults injected", `${injected} = ${(share * 100).toFixed(1)}% of attempts: ${queued.show()}`);
line("attempt outcomes seen", observed.show());
const held = [...queued.entries()]
  .filter(([kind]) => kind.startsWith("held"))
  .reduce((n, [, v]) => n + v, 0);
line(
  "timeouts not injected",
  `${Math.max(0, (observed.get("timed out") ?? 0) - held)} (answers slowed by a busy machine)`,
);
line("retries (onRetry)", retries);
line(
  "update calls",
  `${outcomes.get("succeeded") ?? 0} succeeded, ${outcomes.get("failed") ?? 0} failed`,
);
line("failed calls by error", failures.show());
line("failed calls, read back", `${ambiguous.show()} (${rereads} reads)`);
line("pauses for late writes", args["no-late-wait"] ? "off (--no-late-wait)" : latePauses);
line("connectors as expected", `${matching} of ${CONNECTORS}`);
console.log(`
  How "expected" is kept: each connector's updates run in order, so the last one
  applied is well defined. A call that succeeded moves the expectation to
  applyConnectorPatch(previous, patch) and must return exactly that. A call that
  failed may or may not have reached the mock (a 503 or a reset did not; an
  attempt that timed out did, later), so the connector is read back and either the
  old or the new state is accepted and kept. The mock applies a held-back write
  after the client has given up on it, so after a timed-out PATCH the chain waits
  ${LATE_WRITE_MS} ms before its next update of that connector; without the wait
  the late write could overwrite a newer one.`);
if (problems.length > 0) {
  console.log(`\nsoak: FAILED, ${problems.length} problem(s):`);
  for (const p of problems.slice(0, 20)) console.log(`  - ${p}`);
  if (problems.length > 20) console.log(`  … and ${problems.length - 20} more`);
  process.exitCode = 1;
} else {
  console.log("\nsoak: OK, every connector's final state equals the last update applied to it");
}
