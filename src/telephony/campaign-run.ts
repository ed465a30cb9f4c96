// #23: a campaign's run over any placer and clock (dial.ts gives it the SDK's):
// rows checked whole, the journal read back, then per row `attempting` journaled
// before its trigger is sent and the result after, with `wait` the polling until
// the call ends. Concurrency bounds the rows in progress, the gate the rate.
import {
  APIConnectionError,
  APIError,
  APITimeoutError,
  CallOutcomeUnknownError,
  InvalidInputError,
} from "../index.js";
import { CALL_WAIT_DEFAULT_MS, CALL_WAIT_MAX_MS } from "../internal/call-wait.js";
import { summarize, type RowState } from "./campaign-result.js";
import { campaignDigest, checkRows, rowDigest, type CampaignRow } from "./campaign-rows.js";
import type { CampaignResult, DialManyOptions } from "./campaign-types.js";
import {
  mayDial,
  readHistories,
  type CampaignJournal,
  type JournalEntry,
  type JournalError,
} from "./journal.js";
import { checkRate, rateGate, realClock, sharedAbort, type Clock } from "./pace.js";
import { intOption, mapLimit } from "./util.js";

/** @internal What a campaign places calls with: the SDK's outboundCalls, or a test's stand-in. */
export interface CallPlacer {
  /** Throws an InvalidInputError naming `field` when the SDK would refuse the row before sending. */
  check(row: CampaignRow, field: string): void;
  /** Triggers one call. */
  place(row: CampaignRow): Promise<{ callSid: string; status: string }>;
  /** Reads a call's status. */
  status(callSid: string): Promise<{ status: string; reason?: string | undefined }>;
}

/** @internal The ranges of dialMany's numeric options (the CLI checks its flags with them). */
export const DIAL_LIMITS = {
  concurrency: { min: 1, max: 256, fallback: 4 },
  pollIntervalMs: { min: 1, max: 600_000, fallback: 2_000 },
  // createAndWait's: 30 minutes from when waiting for the call starts.
  waitTimeoutMs: { min: 1, max: CALL_WAIT_MAX_MS, fallback: CALL_WAIT_DEFAULT_MS },
} as const;

/**
 * Whether a failed trigger was certainly not placed. The SDK's at-most-once rule
 * (src/internal/at-most-once.ts) decides: whatever may have placed the call is a
 * CallOutcomeUnknownError; what it throws otherwise (refused before sending, a 4xx,
 * 429/502/503 after its retries, a connection never made) placed nothing. An error
 * the SDK does not throw (a bug, a stand-in's) may have placed it: never dialled again.
 * @internal
 */
export function certainlyNotPlaced(e: unknown): boolean {
  if (e instanceof CallOutcomeUnknownError) return false;
  return (
    e instanceof InvalidInputError ||
    e instanceof APIError ||
    (e instanceof APIConnectionError && !(e instanceof APITimeoutError))
  );
}

function asJournalError(e: unknown): JournalError {
  const err = e instanceof Error ? e : new Error(String(e));
  const code = (err as { code?: unknown }).code;
  return {
    name: err.name,
    message: err.message,
    ...(typeof code === "string" ? { code } : {}),
  };
}

/** The statuses a call ends in. */
const ENDED = new Set(["SUCCESS", "FAILURE"]);
/** The longest pause between status reads with `wait`. */
const MAX_POLL_MS = 15_000;

/** A row stopped before its trigger was sent: certainly not placed. */
const STOPPED: JournalError = {
  name: "AbortError",
  message: "the campaign was stopped before this call",
};

/** One run of a campaign: the rows this run dials or waits for, one at a time each. */
class Run {
  /** Result lines not awaited by their row (flushed with the next line), awaited at the end. */
  private readonly results: Promise<void>[] = [];
  /** The first journal failure: no trigger is sent after it. */
  stopped: unknown;
  private readonly gate: (signal: AbortSignal | undefined) => Promise<boolean>;

  constructor(
    private readonly placer: CallPlacer,
    private readonly journal: CampaignJournal,
    private readonly options: DialManyOptions,
    private readonly pollMs: number,
    private readonly waitTimeoutMs: number,
    private readonly clock: Clock,
  ) {
    this.gate = rateGate(checkRate(options.ratePerSecond), clock);
  }

  private record(s: RowState, entry: Record<string, unknown>): Promise<void> {
    const at = new Date(this.clock.now()).toISOString();
    return this.journal.append({ ...entry, row: s.index, rowDigest: s.digest, at } as JournalEntry);
  }

  /** A row's history, made when this run first touches it. */
  private history(s: RowState) {
    return (s.history ??= { open: false });
  }

  /** `attempting` (durable), the rate's turn, the trigger, then its result. */
  async dial(s: RowState): Promise<void> {
    await this.record(s, { type: "attempting", toNumber: s.row.toNumber });
    this.history(s).open = true;
    // The turn comes after `attempting`, right before sending: the rate holds where triggers leave.
    if (!(await this.gate(this.options.signal))) {
      await this.record(s, { type: "refused", error: STOPPED });
      Object.assign(this.history(s), { open: false, refused: STOPPED });
      return;
    }
    s.dialledNow = true;
    let entry: Record<string, unknown>;
    try {
      const placed = await this.placer.place(s.row);
      Object.assign(this.history(s), { open: false, placed });
      entry = { type: "placed", callSid: placed.callSid, status: placed.status };
    } catch (e) {
      const error = asJournalError(e);
      const type = certainlyNotPlaced(e) ? "refused" : "unknown";
      Object.assign(this.history(s), { open: false, [type]: error });
      entry = { type, error };
    }
    // Outside the try: a journal that fails is the campaign's failure, not the call's.
    // Not awaited: a result lost with the process leaves the row "attempting", which
    // is never dialled again; the next row's `attempting` is flushed with it.
    this.results.push(
      this.record(s, entry).catch((e: unknown) => {
        this.stopped ??= e;
      }),
    );
  }

  /**
   * Polls until the call ends, backing off, for at most `waitTimeoutMs` (an unwatched
   * job must end: a call stuck in CALLING would hold it forever). A failed read or
   * the timeout stops waiting for this row only; a re-run with `wait` waits again.
   */
  async waitFor(s: RowState, callSid: string): Promise<void> {
    const { signal } = this.options;
    const deadline = this.clock.now() + this.waitTimeoutMs;
    let pause = this.pollMs;
    let last = s.history?.placed?.status ?? "QUEUED";
    for (;;) {
      const left = deadline - this.clock.now();
      if (left <= 0) {
        s.waitError = {
          name: "CallWaitTimeoutError",
          code: "CALL_WAIT_TIMEOUT",
          message: `had not ended after ${this.waitTimeoutMs} ms (waitTimeoutMs); its last status was ${last}`,
        };
        return;
      }
      await this.clock.sleep(Math.min(pause, left), signal);
      if (signal?.aborted) return;
      let now: { status: string; reason?: string | undefined };
      try {
        now = await this.placer.status(callSid);
      } catch (e) {
        s.waitError = asJournalError(e);
        return;
      }
      last = now.status;
      if (ENDED.has(now.status)) {
        this.history(s).ended = { status: now.status, reason: now.reason };
        await this.record(s, { type: "ended", callSid, status: now.status, reason: now.reason });
        return;
      }
      pause = Math.min(pause * 2, Math.max(this.pollMs, MAX_POLL_MS));
    }
  }

  /** Every result line written; the first journal failure rethrown. */
  async settle(): Promise<void> {
    await Promise.all(this.results);
    if (this.stopped !== undefined) throw this.stopped;
  }
}

/** Reads the journal back (refusing another campaign's) and starts a fresh one with its campaign line. */
async function resume(
  journal: CampaignJournal,
  agentId: string,
  environment: string,
  rows: readonly CampaignRow[],
): Promise<RowState[]> {
  const digests = rows.map(rowDigest);
  const digest = campaignDigest(agentId, environment, digests);
  const { fresh, histories } = readHistories(await journal.read(), {
    agentId,
    environment,
    digest,
    rowDigests: digests,
  });
  if (fresh)
    await journal.append({
      type: "campaign",
      version: 1,
      agentId,
      environment,
      rows: rows.length,
      digest,
    });
  return rows.map((row, index) => ({
    index,
    row,
    digest: digests[index] as string,
    history: histories.get(index),
    dialledNow: false,
  }));
}

/** @internal dialMany over any placer and clock: what the tests drive. */
export async function runCampaign(
  placer: CallPlacer,
  agentId: string,
  rows: unknown,
  options: DialManyOptions,
  clock: Clock = realClock,
): Promise<CampaignResult> {
  const concurrency = intOption(
    options.concurrency,
    "options.concurrency",
    DIAL_LIMITS.concurrency,
  );
  const pollMs = intOption(
    options.pollIntervalMs,
    "options.pollIntervalMs",
    DIAL_LIMITS.pollIntervalMs,
  );
  const waitTimeoutMs = intOption(
    options.waitTimeoutMs,
    "options.waitTimeoutMs",
    DIAL_LIMITS.waitTimeoutMs,
  );
  checkRate(options.ratePerSecond);
  const checked = checkRows(rows, options.allowDuplicates === true);
  checked.forEach((row, i) => placer.check(row, `rows[${i}]`));
  // #23 review: two runs on one journal each read it before the other wrote, and
  // dialled every row (40 calls for 20 rows). A journal in another process is its own
  // to lock (the CLI's file journal has a lock file); one in this process is refused here.
  if (RUNNING.has(options.journal))
    throw new InvalidInputError(
      "options.journal",
      "is in use by another dialMany run: two runs on one journal would ring each row twice; wait for the first to end",
    );
  RUNNING.add(options.journal);
  const shared = sharedAbort(clock, options.signal);
  try {
    return await run(placer, agentId, checked, options, shared.clock, {
      concurrency,
      pollMs,
      waitTimeoutMs,
    });
  } finally {
    shared.release();
    RUNNING.delete(options.journal);
  }
}

/** The journals a campaign is running on in this process. */
const RUNNING = new WeakSet<CampaignJournal>();

/** A campaign over checked rows, its journal held. */
async function run(
  placer: CallPlacer,
  agentId: string,
  checked: readonly CampaignRow[],
  options: DialManyOptions,
  clock: Clock,
  limits: { concurrency: number; pollMs: number; waitTimeoutMs: number },
): Promise<CampaignResult> {
  const { concurrency, pollMs, waitTimeoutMs } = limits;
  const states = await resume(options.journal, agentId, options.environment, checked);
  const wait = options.wait === true;
  const waiting = (s: RowState) =>
    wait && s.history?.placed !== undefined && s.history.ended === undefined;
  const todo = states.filter((s) => mayDial(s.history) || waiting(s));
  const runner = new Run(placer, options.journal, options, pollMs, waitTimeoutMs, clock);
  let done = 0;
  await mapLimit(todo, concurrency, async (s) => {
    // A journal that cannot be written stops the campaign: no trigger without its line.
    if (runner.stopped !== undefined || options.signal?.aborted) return;
    try {
      if (mayDial(s.history)) await runner.dial(s);
      const placed = s.history?.placed;
      if (waiting(s) && placed) await runner.waitFor(s, placed.callSid);
    } catch (e) {
      runner.stopped ??= e;
      return;
    }
    options.onProgress?.({ done: ++done, total: todo.length });
  });
  await runner.settle();
  return summarize(agentId, options.environment, states, wait);
}
