// #23: `createAndWait` placed the call, but it did not end within the caller's
// `timeoutMs`. A CallWaitError (the call was placed, then not followed to its end)
// with its own code, as the timeout is the one ending a caller plans for.
import { CallWaitError } from "./call-wait-error.js";
import type { OutboundCallStatus } from "./types.js";

/**
 * `poly.outboundCalls.createAndWait` placed the call, but it had not reached
 * `SUCCESS` or `FAILURE` within `timeoutMs`. The call was placed and may still be
 * going on: follow it with `poly.outboundCalls.get(agentId, err.callSid, { environment })`;
 * never place it again. A {@link CallWaitError}.
 *
 * @example
 * try {
 *   await poly.outboundCalls.createAndWait(agentId, call, { timeoutMs: 60_000 });
 * } catch (err) {
 *   if (err instanceof CallWaitTimeoutError) console.error(`still ${err.lastStatus.status}: ${err.callSid}`);
 * }
 */
export class CallWaitTimeoutError extends CallWaitError {
  override name = "CallWaitTimeoutError";
  /** Always `"CALL_WAIT_TIMEOUT"`. */
  override readonly code = "CALL_WAIT_TIMEOUT";

  constructor(lastStatus: OutboundCallStatus, timeoutMs: number) {
    super(
      lastStatus,
      undefined,
      `had not ended after ${timeoutMs} ms (timeoutMs); its last status was ${lastStatus.status}`,
    );
  }
}
