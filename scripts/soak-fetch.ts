// The soak client's fetch: for each attempt it decides, from a seeded schedule,
// whether to inject a fault, then sends it and counts what came back.
//
// 503s, 429s and resets are queued on the mock. Its queue is global, so one queued
// here may hit another in-flight request, but each is still used exactly once,
// because every queuing is followed by a request. A held attempt is kept back by the
// harness (see soak-landings.ts) until its call has ended. Every request goes out
// without the client's signal, so its landing is known (#20): the client stops
// waiting when its attempt is aborted, the request does not.
import type { MockPolyAI } from "../src/testing/index.js";
import type { Landings } from "./soak-landings.js";
import { Tally } from "./tally.js";

/** The label of an injected hold in {@link FaultyFetch.injected}. */
export const HELD = "held until the call ends";

/** What a {@link FaultyFetch} works with. */
export interface FaultyFetchOptions {
  readonly mock: MockPolyAI;
  readonly landings: Landings;
  /** The fault schedule: a seeded PRNG. */
  readonly random: () => number;
  /** Share of attempts that get a fault, 0 to 1. */
  readonly faultRate: number;
  /** Aborts when the run overstays its deadline; attempts it ends did not time out. */
  readonly deadline: AbortSignal;
}

function connectorOf(url: string): string {
  // /v1/agents/{agentId}/telephony/connectors/{connectorId}
  return decodeURIComponent(new URL(url).pathname.split("/")[6] ?? "");
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

/** A fetch that injects faults into a share of attempts, and what it did. */
export class FaultyFetch {
  /** Attempts sent, by method. */
  readonly attempts = new Tally();
  /** Faults injected, by kind. */
  readonly injected = new Tally();
  /** Attempt outcomes as the client saw them. */
  readonly observed = new Tally();
  readonly problems: string[] = [];
  /** Off for the final checks. */
  injecting = true;

  constructor(private readonly options: FaultyFetchOptions) {}

  /** The client's fetch. */
  readonly fetch: typeof fetch = async (input, init) => {
    if (input instanceof Request) throw new TypeError("soak: the client passes a URL and init");
    const url = String(input);
    const method = init?.method ?? "GET";
    this.attempts.add(method);
    const held = this.injecting && this.inject();
    const { landings, deadline } = this.options;
    const id = connectorOf(url);
    const gate = held ? landings.hold(id) : undefined;
    const sent = (async () => {
      await gate;
      return fetch(url, { ...init, signal: null });
    })();
    landings.track(id, sent);
    const signal = init?.signal;
    const abort = aborted(signal);
    try {
      const response = await Promise.race([sent, abort.promise]);
      this.observed.add(response.ok ? "ok" : String(response.status));
      return response;
    } catch (err) {
      // The client aborts an attempt that ran past timeoutMs with a TimeoutError reason.
      const timedOut = signal?.aborted === true && signal.reason?.name === "TimeoutError";
      this.observed.add(timedOut ? "timed out" : "connection error");
      if (held && !timedOut && !deadline.aborted)
        this.problems.push(`a held ${method} ended without timing out: ${String(err)}`);
      // Nobody reads an answer the client gave up on.
      void sent.then((r) => r.body?.cancel()).catch(() => {});
      throw err;
    } finally {
      abort.off();
    }
  };

  /** Queues a fault on the mock for this attempt, or not; true: hold the attempt back. */
  private inject(): boolean {
    const { random, faultRate, mock } = this.options;
    if (random() >= faultRate) return false;
    const r = random();
    if (r < 0.35) {
      this.injected.add("503");
      mock.failNext({ status: 503 });
    } else if (r < 0.55) {
      const retryAfter = random() < 0.8 ? 0 : 1;
      this.injected.add(`429 (Retry-After ${retryAfter})`);
      mock.failNext({ status: 429, retryAfter });
    } else if (r < 0.8) {
      this.injected.add("reset");
      mock.failNext({ reset: true });
    } else {
      this.injected.add(HELD);
      return true;
    }
    return false;
  }
}
