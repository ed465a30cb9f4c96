// #23: `poly.outboundCalls.createAndWait`, the one method not generated from the
// spec: it composes two that are (create, then get until the call ends). It never
// places the call twice: the trigger is sent once, and only the reads are repeated.
import type { OutboundCallsResource } from "../generated/resources.js";
import { APIUserAbortError } from "./errors.js";
import { CallWaitError } from "./call-wait-error.js";
import { CallWaitTimeoutError } from "./call-wait-timeout-error.js";
import { CALL_WAIT_DEFAULT_MS, CALL_WAIT_MAX_MS } from "./internal/call-wait.js";
import { checkFunction, checkOptionKeys } from "./internal/option-keys.js";
import { sleep } from "./internal/retry.js";
import type { OutboundCall, OutboundCallRequest, OutboundCallStatus } from "./types.js";
import { checkInteger } from "./internal/validate.js";

/** Options of {@link OutboundCalls.createAndWait}. */
export interface WaitOptions {
  /** Stops at once: during the trigger (the outcome is then unknown) or between and during reads (then {@link CallWaitError}). */
  signal?: AbortSignal | undefined;
  /** Wait before the first read, doubled after each read up to 30 s (or this, if longer). Default 1 000 ms. */
  pollIntervalMs?: number | undefined;
  /**
   * How long to wait for the call to end after it was placed, in milliseconds, before
   * throwing {@link CallWaitTimeoutError} (which carries the `callSid`). Default 1 800 000 (30 min).
   */
  timeoutMs?: number | undefined;
  /** Called once the call was placed, before any read: the place to record its `callSid`. */
  onPlaced?: ((call: OutboundCall) => void) | undefined;
}

/** `poly.outboundCalls`: the generated methods and {@link OutboundCalls.createAndWait}. */
export interface OutboundCalls extends OutboundCallsResource {
  /**
   * Places the call once, then reads its status with backoff until it is `SUCCESS` or
   * `FAILURE`, and returns that last status. The trigger follows `create`'s rules (never
   * retried where the call may have been placed); a failed read does not place it again.
   *
   * @example
   * const final = await poly.outboundCalls.createAndWait(
   *   "PROJECT-58RP822I",
   *   { toNumber: "+442079460000", environment: "live" },
   *   { timeoutMs: 10 * 60_000, onPlaced: (call) => console.error(call.callSid) },
   * );
   * if (final.status === "FAILURE") console.error(final.reason);
   * @throws {CallWaitTimeoutError} when the call had not ended within `timeoutMs`.
   * @throws {CallWaitError} when the call was placed and then a read failed, `signal`
   *   aborted or `onPlaced` threw (its `cause`): it carries the `callSid`.
   * @throws {APIUserAbortError} when `signal` aborts before the call is sent.
   */
  createAndWait(
    agentId: string,
    body: OutboundCallRequest,
    options?: WaitOptions,
  ): Promise<OutboundCallStatus>;
}

const WAIT_KEYS = Object.keys({
  signal: true,
  pollIntervalMs: true,
  timeoutMs: true,
  onPlaced: true,
} satisfies Record<keyof WaitOptions, true>);
const FINAL: ReadonlySet<string> = new Set(["SUCCESS", "FAILURE"]);
const MAX_POLL_MS = 30_000;

interface Waiting {
  readonly signal: AbortSignal | undefined;
  readonly onPlaced: ((call: OutboundCall) => void) | undefined;
  readonly pollIntervalMs: number;
  readonly timeoutMs: number;
}

/** The options, checked before the call is placed (a typo must not place it). */
function checkWaitOptions(value: unknown): Waiting {
  const options = checkOptionKeys(value, WAIT_KEYS);
  const onPlaced = options["onPlaced"];
  checkFunction(onPlaced, "options.onPlaced");
  return {
    signal: options["signal"] as AbortSignal | undefined,
    onPlaced: onPlaced as Waiting["onPlaced"],
    pollIntervalMs:
      checkInteger(options["pollIntervalMs"], "options.pollIntervalMs", 1, 600_000) ?? 1_000,
    timeoutMs:
      checkInteger(options["timeoutMs"], "options.timeoutMs", 1, CALL_WAIT_MAX_MS) ??
      CALL_WAIT_DEFAULT_MS,
  };
}

/** One signal for the whole wait: the caller's abort, or the end of `timeoutMs`. */
function waitSignal(caller: AbortSignal | undefined, timeoutMs: number) {
  const timeout = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    timeout.abort(new DOMException(`waited ${timeoutMs} ms`, "TimeoutError"));
  }, timeoutMs);
  return {
    signal: caller ? eitherSignal(caller, timeout) : timeout.signal,
    timedOut: () => timedOut,
    end: () => {
      clearTimeout(timer);
      timeout.abort(); // the wait is over; without AbortSignal.any this lets go of the caller's
    },
  };
}

/**
 * #23: AbortSignal.any holds the caller's signal without a listener of ours, as the
 * transport does: many waits sharing one signal (a campaign) must not add one each
 * (Node warns past 10). A runtime without it gets the listener.
 */
function eitherSignal(caller: AbortSignal, timeout: AbortController): AbortSignal {
  if (typeof AbortSignal.any === "function") return AbortSignal.any([caller, timeout.signal]);
  const onAbort = () => timeout.abort(caller.reason);
  if (caller.aborted) onAbort();
  else caller.addEventListener("abort", onAbort, { once: true });
  timeout.signal.addEventListener("abort", () => caller.removeEventListener("abort", onAbort));
  return timeout.signal;
}

/** `poly.outboundCalls` with createAndWait beside the generated methods. @internal */
export function withCreateAndWait(calls: OutboundCallsResource): OutboundCalls {
  async function createAndWait(
    agentId: string,
    body: OutboundCallRequest,
    options?: WaitOptions,
  ): Promise<OutboundCallStatus> {
    const { signal, onPlaced, pollIntervalMs, timeoutMs } = checkWaitOptions(options);
    // Once: create never retries where the call may have been placed, and nothing here repeats it.
    const placed = await calls.create(agentId, body, signal ? { signal } : undefined);
    const query = { environment: body.environment };
    let last: OutboundCallStatus = { callSid: placed.callSid, status: placed.status, reason: "" };
    const wait = waitSignal(signal, timeoutMs);
    try {
      onPlaced?.(placed);
      let delay = pollIntervalMs;
      while (!FINAL.has(last.status)) {
        await sleep(delay, wait.signal);
        last = await calls.get(agentId, placed.callSid, query, { signal: wait.signal });
        delay = Math.min(delay * 2, Math.max(MAX_POLL_MS, pollIntervalMs));
      }
      return last;
    } catch (err) {
      if (wait.timedOut()) throw new CallWaitTimeoutError(last, timeoutMs);
      // #23: the call was placed; whatever stopped the wait must not read like a refusal of it.
      // The caller's abort during a pause; one during a read is an APIUserAbortError already.
      const abort = signal?.aborted && !(err instanceof APIUserAbortError);
      throw new CallWaitError(last, abort ? new APIUserAbortError({ cause: signal?.reason }) : err);
    } finally {
      wait.end();
    }
  }
  return Object.freeze({ ...calls, createAndWait });
}
