// #23: the one error of a request that must not take effect twice (placing a call)
// and may have taken effect once. Its own module: errors.ts holds the failure
// families every operation shares, this one only `x-sdk-at-most-once` operations throw.
import { APIError, PolyAIError, type RequestInfo } from "./errors.js";

/**
 * The call may have been placed, and was not retried so as not to ring the number
 * twice: the request was sent and then its answer was lost (a timeout, a reset, the
 * caller's abort), or the server answered 500, 504 or another status after which
 * the call may exist, or a success whose body could not be read. Thrown only by
 * `poly.outboundCalls.create` (and what builds on it), whatever `maxRetries` says.
 * `cause` is the failure underneath. Before placing the call again, find out
 * whether it was: quote `correlationId` to PolyAI support.
 *
 * @example
 * try {
 *   await poly.outboundCalls.create(agentId, { toNumber: "+442079460000", environment: "live" });
 * } catch (err) {
 *   if (err instanceof CallOutcomeUnknownError) journal.markUnknown(err.correlationId);
 *   else throw err;
 * }
 */
export class CallOutcomeUnknownError extends PolyAIError {
  override name = "CallOutcomeUnknownError";
  /** Always `"CALL_OUTCOME_UNKNOWN"`, for code that switches on codes. */
  readonly code = "CALL_OUTCOME_UNKNOWN";
  /** The `X-PolyAI-Correlation-Id` the request carried; quote it to PolyAI to learn what happened. */
  readonly correlationId: string | undefined;
  /** Method and URL of the request. */
  readonly request: RequestInfo | undefined;
  /** The status of the answer, when there was one (500, 504, …; by default the cause's); undefined when none came. */
  readonly status: number | undefined;
  /** How many attempts were sent; only the last may have placed the call. */
  readonly attempts: number;

  constructor(
    cause: PolyAIError,
    init: { request?: RequestInfo | undefined; attempts?: number; status?: number | undefined },
  ) {
    const id = init.request?.correlationId;
    const attempts = init.attempts ?? 1;
    // #23: after retried refusals, the message must not say the trigger was never retried.
    const which =
      attempts > 1 ? ` (attempt ${attempts}; those before it were refused, unplaced)` : "";
    super(
      `the call may have been placed: ${cause.message}${which}. It was not retried, so as not to ring the number twice; find out whether it was placed (correlation id ${id ?? "unknown"}) before placing it again`,
      { cause },
    );
    this.correlationId = id;
    this.request = init.request;
    this.status = init.status ?? (cause instanceof APIError ? cause.status : undefined);
    this.attempts = attempts;
  }
}
