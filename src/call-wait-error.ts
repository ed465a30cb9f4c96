// #23: `createAndWait` placed the call, then stopped following it (a status read
// failed, the caller aborted, `onPlaced` threw, or `timeoutMs` passed: its subclass
// CallWaitTimeoutError). Its own error, so that nothing thrown after placing reads
// like a refusal of the trigger (a NotFoundError for "no connector", an
// InvalidInputError for "nothing sent"), after which one would place the call again.
import { PolyAIError } from "./errors.js";
import type { OutboundCallStatus } from "./types.js";

/**
 * `poly.outboundCalls.createAndWait` placed the call, then stopped following it
 * before it ended: a status read failed (a 404 once the status expired, a revoked
 * key), the caller's `signal` aborted, or `onPlaced` threw; `cause` is that failure.
 * (Past `timeoutMs` it is the subclass {@link CallWaitTimeoutError}.) The call was
 * placed and may still be going on: follow it with
 * `poly.outboundCalls.get(agentId, err.callSid, { environment })`; never place it again.
 *
 * @example
 * try {
 *   await poly.outboundCalls.createAndWait(agentId, call, { signal });
 * } catch (err) {
 *   if (err instanceof CallWaitError) journal.markPlaced(err.callSid, err.cause);
 *   else throw err;
 * }
 */
export class CallWaitError extends PolyAIError {
  override name = "CallWaitError";
  /** `"CALL_WAIT_FAILED"`, or `"CALL_WAIT_TIMEOUT"` for a {@link CallWaitTimeoutError}. */
  readonly code: "CALL_WAIT_FAILED" | "CALL_WAIT_TIMEOUT" = "CALL_WAIT_FAILED";
  /** The SID of the call that was placed. */
  readonly callSid: string;
  /** The last status read (or the trigger's answer, when none was read). */
  readonly lastStatus: OutboundCallStatus;

  /** `why` replaces the cause's message in the error's own (the subclass's reason). */
  constructor(lastStatus: OutboundCallStatus, cause: unknown, why?: string) {
    const reason =
      why ?? `following it failed: ${cause instanceof Error ? cause.message : String(cause)}`;
    super(
      `the call was placed (callSid ${lastStatus.callSid}) but ${reason}. Do not place it again: follow it with outboundCalls.get`,
      cause === undefined ? undefined : { cause },
    );
    this.callSid = lastStatus.callSid;
    this.lastStatus = lastStatus;
  }
}
