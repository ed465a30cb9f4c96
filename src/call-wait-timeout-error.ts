// #23: `createAndWait` placed the call, but it did not end within the caller's
// `timeoutMs`. Its own module, as CallOutcomeUnknownError has: only that method throws it.
import { PolyAIError } from "./errors.js";
import type { OutboundCallStatus } from "./types.js";

/**
 * `poly.outboundCalls.createAndWait` placed the call, but it had not reached
 * `SUCCESS` or `FAILURE` within `timeoutMs`. The call was placed and may still be
 * going on: follow it with `poly.outboundCalls.get(agentId, err.callSid, { environment })`;
 * never place it again.
 *
 * @example
 * try {
 *   await poly.outboundCalls.createAndWait(agentId, call, { timeoutMs: 60_000 });
 * } catch (err) {
 *   if (err instanceof CallWaitTimeoutError) console.error(`still ${err.lastStatus.status}: ${err.callSid}`);
 * }
 */
export class CallWaitTimeoutError extends PolyAIError {
  override name = "CallWaitTimeoutError";
  /** Always `"CALL_WAIT_TIMEOUT"`. */
  readonly code = "CALL_WAIT_TIMEOUT";
  /** The SID of the call that was placed. */
  readonly callSid: string;
  /** The last status read (or the trigger's answer, when none was read). */
  readonly lastStatus: OutboundCallStatus;

  constructor(lastStatus: OutboundCallStatus, timeoutMs: number) {
    super(
      `the call was placed (callSid ${lastStatus.callSid}) but had not ended after ${timeoutMs} ms (timeoutMs); its last status was ${lastStatus.status}. Do not place it again: follow it with outboundCalls.get`,
    );
    this.callSid = lastStatus.callSid;
    this.lastStatus = lastStatus;
  }
}
