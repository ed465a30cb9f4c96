// #23: a campaign: many calls, each number dialled once. Every row is checked before
// the first call; the journal records `attempting` (durably) before each trigger is
// sent and the result after it, so a re-run dials only rows never tried or refused
// before sending. Concurrency bounds the rows in progress (a trigger, and with
// `wait` its polling), the rate the triggers per second; both are true bounds.
import { operations, type ObjectRule, type StringRule } from "../../generated/operations.js";
import { checkArguments } from "../internal/arguments.js";
import { checkValue } from "../internal/check.js";
import {
  APIConnectionError,
  APIError,
  APITimeoutError,
  CallOutcomeUnknownError,
  InvalidInputError,
  type ClientEnv,
  type PolyAIClient,
} from "../index.js";
import { checkAgentId } from "./desired.js";
import { campaignDigest, checkRows, rowDigest, type CampaignRow } from "./campaign-rows.js";
import {
  mayDial,
  readHistories,
  type CampaignJournal,
  type JournalEntry,
  type JournalError,
  type RowHistory,
} from "./journal.js";
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

/** @internal Time, injectable so a test measures the rate without a wall clock. */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((done) => {
      if (signal?.aborted) return done();
      const timer = setTimeout(finish, ms);
      function finish() {
        clearTimeout(timer);
        signal?.removeEventListener("abort", finish);
        done();
      }
      signal?.addEventListener("abort", finish, { once: true });
    }),
};

/** @internal The ranges of dialMany's numeric options (the CLI checks its flags with them). */
export const DIAL_LIMITS = {
  concurrency: { min: 1, max: 256, fallback: 4 },
  pollIntervalMs: { min: 1, max: 600_000, fallback: 2_000 },
} as const;

const TRIGGER = operations.createOutboundCall;
const ENVIRONMENT = (TRIGGER.body as ObjectRule).props["environment"] as StringRule;

/** @internal The environments a call is placed from: the spec's enum (the CLI's --env). */
export const CALL_ENVIRONMENTS: readonly string[] = ENVIRONMENT.enum ?? [];

/** The most triggers per second a campaign may ask for. */
export const MAX_RATE = 1_000;

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

/**
 * Whether a failed trigger was certainly not placed. The SDK's at-most-once rule
 * (src/internal/at-most-once.ts) decides: whatever may have placed the call is a
 * CallOutcomeUnknownError; what it throws otherwise (refused before sending, a 4xx,
 * 429/502/503 after its retries, a connection never made) placed nothing. An error
 * the SDK does not throw (a bug, a stand-in's) may have placed it: never dialled again.
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

const ENDED = new Set(["SUCCESS", "FAILURE"]);

/** One row's state as this run goes. */
interface RowState {
  readonly index: number;
  readonly row: CampaignRow;
  readonly digest: string;
  history: RowHistory | undefined;
  dialledNow: boolean;
  waitError?: JournalError;
}

/** Spaces triggers at least 1/rate apart, by when each was actually sent. */
function rateGate(perSecond: number | undefined, clock: Clock) {
  if (perSecond === undefined) return async () => true;
  const interval = 1000 / perSecond;
  let next = -Infinity;
  return async (signal: AbortSignal | undefined): Promise<boolean> => {
    for (;;) {
      if (signal?.aborted) return false;
      const now = clock.now();
      // Checked and claimed in one synchronous step: the caller sends at once.
      if (now >= next) {
        next = now + interval;
        return true;
      }
      await clock.sleep(next - now, signal);
    }
  };
}

function checkRate(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0 || value > MAX_RATE)
    throw new InvalidInputError(
      "options.ratePerSecond",
      `expected a number of triggers per second above 0 and at most ${MAX_RATE}`,
    );
  return value;
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
  const rate = checkRate(options.ratePerSecond);
  const { environment, journal, signal, onProgress } = options;
  const checked = checkRows(rows, options.allowDuplicates === true);
  checked.forEach((row, i) => placer.check(row, `rows[${i}]`));
  const digests = checked.map(rowDigest);
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
      rows: checked.length,
      digest,
    });
  const states: RowState[] = checked.map((row, index) => ({
    index,
    row,
    digest: digests[index] as string,
    history: histories.get(index),
    dialledNow: false,
  }));
  const needsWait = (s: RowState) =>
    options.wait === true && s.history?.placed !== undefined && s.history.ended === undefined;
  const todo = states.filter((s) => mayDial(s.history) || needsWait(s));
  const gate = rateGate(rate, clock);
  const at = () => new Date(clock.now()).toISOString();
  const record = (s: RowState, entry: Record<string, unknown>) =>
    journal.append({ ...entry, row: s.index, rowDigest: s.digest, at: at() } as JournalEntry);
  const history = (s: RowState) => (s.history ??= { open: false });
  const results: Promise<void>[] = [];
  let done = 0;
  let stopped: unknown;

  const dial = async (s: RowState): Promise<void> => {
    await record(s, { type: "attempting", toNumber: s.row.toNumber });
    history(s).open = true;
    if (!(await gate(signal))) {
      // Stopped before sending: certainly not placed.
      const error = { name: "AbortError", message: "the campaign was stopped before this call" };
      await record(s, { type: "refused", error });
      Object.assign(history(s), { open: false, refused: error });
      return;
    }
    s.dialledNow = true;
    let entry: Record<string, unknown>;
    try {
      const placed = await placer.place(s.row);
      Object.assign(history(s), { open: false, placed });
      entry = { type: "placed", callSid: placed.callSid, status: placed.status };
    } catch (e) {
      const error = asJournalError(e);
      const type = certainlyNotPlaced(e) ? "refused" : "unknown";
      Object.assign(history(s), { open: false, [type]: error });
      entry = { type, error };
    }
    // Outside the try: a journal that fails is the campaign's failure, not the call's.
    // Not awaited: a result lost with the process leaves the row "attempting", which
    // is never dialled again; the next row's `attempting` is flushed with it (#23).
    results.push(
      record(s, entry).catch((e: unknown) => {
        stopped ??= e;
      }),
    );
  };

  /** Polls until the call ends; a failed read stops waiting for this row only. */
  const waitFor = async (s: RowState, callSid: string): Promise<void> => {
    let pause = pollMs;
    for (;;) {
      await clock.sleep(pause, signal);
      if (signal?.aborted) return;
      let now: { status: string; reason?: string | undefined };
      try {
        now = await placer.status(callSid);
      } catch (e) {
        s.waitError = asJournalError(e);
        return;
      }
      if (ENDED.has(now.status)) {
        history(s).ended = { status: now.status, reason: now.reason };
        await record(s, { type: "ended", callSid, status: now.status, reason: now.reason });
        return;
      }
      pause = Math.min(pause * 2, Math.max(pollMs, 15_000));
    }
  };

  await mapLimit(todo, concurrency, async (s) => {
    // A journal that cannot be written stops the campaign: no trigger without its line.
    if (stopped !== undefined || signal?.aborted) return;
    try {
      if (mayDial(s.history)) await dial(s);
      const placed = s.history?.placed;
      if (options.wait === true && placed && s.history?.ended === undefined)
        await waitFor(s, placed.callSid);
    } catch (e) {
      stopped ??= e;
      return;
    }
    onProgress?.({ done: ++done, total: todo.length });
  });
  await Promise.all(results);
  if (stopped !== undefined) throw stopped;
  return summarize(agentId, environment, states, options.wait === true);
}

function rowResult(s: RowState): CampaignRowResult {
  const h = s.history;
  const base = { row: s.index, toNumber: s.row.toNumber, dialledNow: s.dialledNow };
  const ended = h?.ended !== undefined;
  if (h?.placed)
    return {
      ...base,
      outcome: "placed",
      callSid: h.placed.callSid,
      status: h.ended?.status ?? h.placed.status,
      ended,
      reason: h.ended?.reason,
      error: s.waitError,
    };
  if (h?.unknown) return { ...base, outcome: "unknown", ended, error: h.unknown };
  if (h?.refused) return { ...base, outcome: "refused", ended, error: h.refused };
  return { ...base, outcome: "not-dialled", ended };
}

function summarize(
  agentId: string,
  environment: string,
  states: readonly RowState[],
  wait: boolean,
): CampaignResult {
  const rows = states.map(rowResult);
  const count = (outcome: CampaignRowResult["outcome"]) =>
    rows.filter((r) => r.outcome === outcome).length;
  const placed = count("placed");
  const ended = rows.filter((r) => r.ended).length;
  return {
    ok: placed === rows.length && (!wait || ended === rows.length),
    agentId,
    environment,
    total: rows.length,
    placed,
    refused: count("refused"),
    unknown: count("unknown"),
    notDialled: count("not-dialled"),
    ended,
    dialledNow: rows.filter((r) => r.dialledNow).length,
    rows,
  };
}

type TriggerBody = Parameters<PolyAIClient["outboundCalls"]["create"]>[1];

/** A row as the trigger's body (a checked row: no key set to undefined). */
const bodyOf = (row: CampaignRow, environment: ClientEnv) =>
  ({ ...row, environment }) as TriggerBody;

/** The SDK's outboundCalls as a campaign's placer; rows checked with the trigger's own rules. */
function sdkPlacer(poly: PolyAIClient, agentId: string, environment: ClientEnv): CallPlacer {
  return {
    check(row, field) {
      try {
        checkArguments(TRIGGER, [agentId, bodyOf(row, environment)]);
      } catch (e) {
        if (e instanceof InvalidInputError)
          throw new InvalidInputError(`${field}.${e.field}`, e.reason);
        throw e;
      }
    },
    place: (row) => poly.outboundCalls.create(agentId, bodyOf(row, environment)),
    status: (callSid) => poly.outboundCalls.get(agentId, callSid, { environment }),
  };
}

/**
 * #23: places a campaign's calls, each row at most once, with a journal that makes
 * a re-run safe. Every row is checked first (its shape, the trigger's own rules,
 * and no number twice unless `allowDuplicates`): an InvalidInputError names the
 * row (`rows[3].toNumber`) and nothing is dialled. Then, per row, the journal
 * records `attempting` (durably) before the trigger is sent, and the result after:
 * placed (with its `callSid`), refused (certainly not placed), or outcome unknown
 * (`CALL_OUTCOME_UNKNOWN`: it may have been placed). With `wait`, each placed call
 * is polled until it ends and its final status journaled.
 *
 * Run again with the same journal, it dials only rows never tried or refused
 * before sending: never a row placed, nor one whose outcome is unknown (among them
 * a row whose trigger was out when the process died). A journal of other rows,
 * another agent or another environment is refused ({@link JournalMismatchError}).
 * It resolves with what became of every row; it does not reject because calls failed.
 *
 * @example
 * const result = await dialMany(poly, "PROJECT-58RP822I", rows, {
 *   environment: "live",
 *   journal: memoryJournal(),
 *   concurrency: 8,
 *   ratePerSecond: 5,
 * });
 * for (const r of result.rows) if (r.outcome === "unknown") console.error(`check ${r.toNumber} by hand`);
 * @throws {InvalidInputError} for a bad row or option, before any call.
 * @throws {JournalMismatchError} for another campaign's journal; {@link InvalidJournalError} for one edited out of shape.
 * @throws the journal's own error when an append fails: the campaign stops before the next trigger.
 */
export function dialMany(
  poly: PolyAIClient,
  agentId: string,
  rows: readonly CampaignRow[],
  options: DialManyOptions,
): Promise<CampaignResult> {
  return Promise.resolve().then(() => {
    checkAgentId(agentId, "agentId");
    const environment = checkValue(
      options?.environment,
      ENVIRONMENT,
      "options.environment",
    ) as ClientEnv;
    return runCampaign(sdkPlacer(poly, agentId, environment), agentId, rows, options);
  });
}
