// The fault soak, as a function: `npm run soak` (scripts/soak.ts) prints its report,
// test/soak.test.ts runs it in-process and asserts on it.
//
// Updates against the local mock PolyAI while a seeded schedule injects faults into
// a share of the attempts (503, 429 with a short Retry-After, connection resets,
// answers held back past the client's timeout: soak-fetch.ts). Each connector's
// updates run one after another; different connectors run at once. At the end every
// connector on the mock must equal the last update applied to it.
import { monitorEventLoopDelay } from "node:perf_hooks";
import { isDeepStrictEqual } from "node:util";
import {
  APIError,
  PolyAIError,
  applyConnectorPatch,
  createPolyAIClient,
  type Connector,
  type PolyAIClient,
} from "../src/index.js";
import { createMockPolyAI, type MockPolyAI } from "../src/testing/index.js";
import { AGENT, KEY, patchFor, seedConnectors } from "./soak-data.js";
import { FaultyFetch } from "./soak-fetch.js";
import { Landings } from "./soak-landings.js";
import { mulberry32 } from "./seeded-random.js";
import { Tally } from "./tally.js";

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
  /** Share of attempts that got a fault, 0 to 1 (a run needs at least 0.2). */
  readonly faultShare: number;
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

function describeFailure(err: unknown): string {
  if (err instanceof APIError) return `${err.name} ${err.status}`;
  if (err instanceof PolyAIError) return err.name;
  return `untyped ${(err as Error)?.name ?? typeof err}`;
}

/** The chains of updates of one soak, and what they saw. */
class Chains {
  readonly outcomes = new Tally();
  readonly failures = new Tally();
  readonly readBack = new Tally();
  readonly problems: string[] = [];
  rereads = 0;
  latePauses = 0;
  #free: number;
  readonly #waiting: (() => void)[] = [];

  constructor(
    private readonly options: SoakOptions,
    private readonly poly: PolyAIClient,
    private readonly landings: Landings,
    private readonly deadline: AbortSignal,
  ) {
    this.#free = options.concurrency;
  }

  /** Runs one call of connector `id` (at most `concurrency` at once), then lets the writes it held back go. */
  async call<T>(id: string, run: () => Promise<T>): Promise<T> {
    if (this.#free > 0) this.#free -= 1;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    try {
      return await run();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#free += 1;
      if (this.options.lateWait) this.landings.release(id);
    }
  }

  /** Before anything else touches the connector: every write sent for it has landed. */
  async settle(connectorId: string): Promise<void> {
    if (this.options.lateWait && (await this.landings.landed(connectorId))) this.latePauses += 1;
  }

  /** Reads a connector, retrying as long as it takes (within the deadline). */
  async reread(connectorId: string): Promise<Connector> {
    for (;;) {
      this.rereads += 1;
      try {
        return await this.call(connectorId, () =>
          this.poly.connectors.get(AGENT, connectorId, { maxRetries: 10, signal: this.deadline }),
        );
      } catch (err) {
        if (this.deadline.aborted || !(err instanceof PolyAIError)) throw err;
        await this.settle(connectorId);
      }
    }
  }

  /** One connector's updates, in order. Returns what the connector must look like at the end. */
  async chain(start: Connector, index: number, steps: number): Promise<Connector> {
    let expected = start;
    const id = start.connectorId;
    for (let step = 0; step < steps; step++) {
      await this.settle(id);
      const patch = patchFor(this.options.seed, index, step);
      const next = applyConnectorPatch(expected, patch);
      try {
        const returned = await this.call(id, () =>
          this.poly.connectors.update(AGENT, id, patch, { signal: this.deadline }),
        );
        this.outcomes.add("succeeded");
        if (!isDeepStrictEqual(returned, next))
          this.problems.push(
            `${id} step ${step}: update returned ${JSON.stringify(returned)}, expected ${JSON.stringify(next)}`,
          );
        expected = next;
      } catch (err) {
        if (this.deadline.aborted) throw err;
        expected = await this.afterFailure(id, step, err, expected, next);
      }
    }
    return expected;
  }

  /**
   * A call that failed may still have been applied (an attempt that timed out was
   * sent anyway, and lands once released): read back and accept either state.
   */
  private async afterFailure(
    id: string,
    step: number,
    err: unknown,
    expected: Connector,
    next: Connector,
  ): Promise<Connector> {
    this.outcomes.add("failed");
    this.failures.add(describeFailure(err));
    if (!(err instanceof PolyAIError))
      this.problems.push(`${id} step ${step}: untyped error ${String(err)}`);
    await this.settle(id);
    const now = await this.reread(id);
    const old = isDeepStrictEqual(now, expected);
    const applied = isDeepStrictEqual(now, next);
    if (old && applied) this.readBack.add("indistinguishable");
    else if (old) this.readBack.add("not applied");
    else if (applied) this.readBack.add("applied anyway");
    else
      this.problems.push(
        `${id} step ${step}: after a failed update the connector is neither the old nor the new state: ${JSON.stringify(now)}`,
      );
    return now;
  }
}

function checkOptions(options: SoakOptions): void {
  for (const [name, value] of Object.entries(options)) {
    if (typeof value === "number" && (!Number.isFinite(value) || value < 0))
      throw new TypeError(`soak: ${name} must be a number of at least 0`);
  }
}

/** Compares the mock's own state, and a plain list of it, with what each chain expects. */
async function finalCheck(
  mock: MockPolyAI,
  poly: PolyAIClient,
  finals: readonly Connector[],
  problems: string[],
): Promise<number> {
  const state = mock.connectors.map(({ agentId: _, ...c }) => c);
  const onMock = new Map(state.map((c) => [c.connectorId, c]));
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
  try {
    const listed = await poly.connectors.list(AGENT, { maxRetries: 0, timeoutMs: 30_000 });
    if (!isDeepStrictEqual(listed, state))
      problems.push("final list differs from the mock's state");
  } catch (err) {
    problems.push(`final list failed (a fault left queued?): ${String(err)}`);
  }
  return matching;
}

/** Runs a soak against a fresh local PolyAI; never throws for what it finds (see `problems`). */
export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  checkOptions(options);
  const seed = seedConnectors(options.connectors);
  const mock = await createMockPolyAI({ apiKey: KEY, connectors: seed });
  const landings = new Landings();
  const deadline = new AbortController();
  const faulty = new FaultyFetch({
    mock,
    landings,
    random: mulberry32(options.seed),
    faultRate: options.faultRate,
    deadline: deadline.signal,
  });
  let retries = 0;
  const poly = createPolyAIClient({
    apiKey: KEY,
    baseUrl: mock.url,
    fetch: faulty.fetch,
    timeoutMs: options.timeoutMs,
    backoff: { initialMs: 5, maxMs: 40 },
    onRetry: () => {
      retries += 1;
    },
  });
  const chains = new Chains(options, poly, landings, deadline.signal);
  const problems: string[] = [];

  const deadlineTimer = setTimeout(
    () => deadline.abort(new Error("soak deadline")),
    options.deadlineMs,
  );
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const started = performance.now();
  const { updates, connectors } = options;
  let finals: Connector[] | undefined;
  try {
    finals = await Promise.all(
      seed.map(({ agentId: _, phoneNumbers: __, ...start }, i) =>
        chains.chain(
          start,
          i,
          Math.floor(updates / connectors) + (i < updates % connectors ? 1 : 0),
        ),
      ),
    );
  } catch (err) {
    problems.push(
      `run stopped: ${deadline.signal.aborted ? `deadline of ${options.deadlineMs / 1000} s passed` : String(err)}`,
    );
  }
  const seconds = (performance.now() - started) / 1000;
  clearTimeout(deadlineTimer);
  lag.disable();
  faulty.injecting = false;

  // Let every held write land (with lateWait off, only now), then check.
  landings.releaseAll();
  await landings.allLanded();
  const matching = finals ? await finalCheck(mock, poly, finals, problems) : 0;
  const received = mock.requestCount; // the log keeps only the last 1,000 (#20)
  await mock.close();

  const faultShare =
    faulty.attempts.total() === 0 ? 0 : faulty.injected.total() / faulty.attempts.total();
  if (faultShare < 0.2)
    problems.push(
      `faults hit only ${(faultShare * 100).toFixed(1)}% of attempts; the soak needs at least 20%`,
    );
  return {
    options,
    seconds,
    lag: { p99: lag.percentile(99) / 1e6, max: lag.max / 1e6 },
    attempts: faulty.attempts,
    received,
    injected: faulty.injected,
    faultShare,
    observed: faulty.observed,
    retries,
    outcomes: chains.outcomes,
    failures: chains.failures,
    readBack: chains.readBack,
    rereads: chains.rereads,
    latePauses: chains.latePauses,
    matching,
    problems: [...faulty.problems, ...chains.problems, ...problems],
  };
}
