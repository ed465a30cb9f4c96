// #23: how long waiting for a placed call lasts by default, and at most: one rule for
// createAndWait's `timeoutMs` and a campaign's `waitTimeoutMs` (and the CLI's --wait-timeout).

/** Waiting for a call to end: 30 minutes from when the wait starts. @internal */
export const CALL_WAIT_DEFAULT_MS = 1_800_000;

/** The longest wait a timer can hold (2^31 - 1 ms, about 24.8 days). @internal */
export const CALL_WAIT_MAX_MS = 2_147_483_647;
