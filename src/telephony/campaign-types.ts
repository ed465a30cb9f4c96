// #23: the public types of a campaign (dialMany's options and result).
import type { ClientEnv } from "../index.js";
import type { CampaignJournal, JournalError } from "./journal.js";

/** Where a campaign has got to, after each row. */
export interface CampaignProgress {
  /** Rows this run has finished with (dialled, and with `wait`, ended or given up on). */
  readonly done: number;
  /** Rows this run has to dial or wait for. */
  readonly total: number;
}

/** Options of {@link dialMany}. */
export interface DialManyOptions {
  /** The environment whose connector places the calls. */
  readonly environment: ClientEnv;
  /** Where what happened to each row is kept; the same journal on a re-run resumes the campaign. */
  readonly journal: CampaignJournal;
  /** Rows in progress at once (a trigger, and with `wait` its polling): 1 to 256, default 4. */
  readonly concurrency?: number | undefined;
  /** Triggers per second at most (evenly spaced); default unbounded. */
  readonly ratePerSecond?: number | undefined;
  /** Poll each placed call until it ends (SUCCESS or FAILURE), and journal its final status. */
  readonly wait?: boolean | undefined;
  /** The first pause between status reads with `wait` (doubling up to 15 s); default 2,000 ms. */
  readonly pollIntervalMs?: number | undefined;
  /**
   * With `wait`, how long to wait for each placed call to end, in milliseconds from
   * when waiting for it starts; default 1,800,000 (30 minutes, as createAndWait).
   * A call still going on then is reported with a `CALL_WAIT_TIMEOUT` error and the
   * campaign is not `ok`; it is never dialled again, and a re-run with `wait` waits again.
   */
  readonly waitTimeoutMs?: number | undefined;
  /** Dial a number that two rows share (each row once). Refused by default: it rings one person twice. */
  readonly allowDuplicates?: boolean | undefined;
  /** Stops starting rows (and waiting); triggers already sent finish and are journaled. */
  readonly signal?: AbortSignal | undefined;
  /** Called after each row this run finishes with. */
  readonly onProgress?: ((progress: CampaignProgress) => void) | undefined;
}

/** What became of one row. */
export interface CampaignRowResult {
  /** Its index in the rows (0-based). */
  readonly row: number;
  readonly toNumber: string;
  /**
   * `placed`; `refused` (certainly not placed: a re-run dials it again); `unknown`
   * (may have been placed: never dialled again, check it by hand); `not-dialled`
   * (the run stopped before its turn).
   */
  readonly outcome: "placed" | "refused" | "unknown" | "not-dialled";
  /** Whether this run sent its trigger (false: the journal already said, or it was not reached). */
  readonly dialledNow: boolean;
  readonly callSid?: string | undefined;
  /** The last status known: the trigger's answer, or with `wait` the final one. */
  readonly status?: string | undefined;
  /** Whether the call ended (SUCCESS or FAILURE), as far as this run or the journal knows. */
  readonly ended: boolean;
  /** Why it failed, for FAILURE. */
  readonly reason?: string | undefined;
  /** Why it was refused or is unknown, or why waiting for it stopped. */
  readonly error?: JournalError | undefined;
}

/** What a campaign did. */
export interface CampaignResult {
  /** Every row placed, and with `wait` every one ended. */
  readonly ok: boolean;
  readonly agentId: string;
  readonly environment: string;
  /** Rows in the campaign. */
  readonly total: number;
  readonly placed: number;
  readonly refused: number;
  readonly unknown: number;
  readonly notDialled: number;
  /** Calls known to have ended (SUCCESS or FAILURE). */
  readonly ended: number;
  /** Triggers this run sent. */
  readonly dialledNow: number;
  /** One per row, in row order. */
  readonly rows: readonly CampaignRowResult[];
}
