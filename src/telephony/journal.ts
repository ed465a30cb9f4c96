// #23: a campaign's journal: what happened to each row, written before and after
// each trigger, so a re-run dials only rows that were certainly not placed. Here:
// the entries, the interface a journal keeps them behind, one in memory, and the
// reading of a journal back (checked: it must belong to these rows). The file the
// CLI keeps is in cli/journal-file.ts (Node only; this entry runs wherever fetch does).
import { PolyAIError } from "../index.js";
import { isPlainObject } from "../internal/validate.js";

/** An error as a journal keeps it: enough to say why, nothing more. */
export interface JournalError {
  readonly name: string;
  readonly message: string;
  readonly code?: string | undefined;
}

/**
 * One line of a campaign's journal. `campaign` comes first and says what the
 * journal belongs to; then, per row (its index and digest): `attempting` before
 * its trigger is sent, then `placed`, `refused` (certainly not placed) or
 * `unknown` (may have been placed), and with `wait`, `ended` with the final status.
 */
export type JournalEntry =
  | {
      readonly type: "campaign";
      readonly version: 1;
      readonly agentId: string;
      readonly environment: string;
      readonly rows: number;
      readonly digest: string;
    }
  | RowEntry<"attempting", { readonly toNumber: string }>
  | RowEntry<"placed", { readonly callSid: string; readonly status: string }>
  | RowEntry<"refused" | "unknown", { readonly error: JournalError }>
  | RowEntry<
      "ended",
      { readonly callSid: string; readonly status: string; readonly reason?: string | undefined }
    >;

type RowEntry<T extends string, Fields> = {
  readonly type: T;
  readonly row: number;
  readonly rowDigest: string;
  readonly at: string;
} & Fields;

/**
 * Where a campaign keeps its journal. `append` resolves only once the entry is
 * durable (flushed to disk, committed): {@link dialMany} sends a trigger only
 * after its `attempting` entry is, so a process killed at any moment leaves a
 * journal that names every call it may have placed. `read` returns the entries
 * recorded so far, in order (as stored: they are checked when read back).
 */
export interface CampaignJournal {
  read(): Promise<readonly unknown[]>;
  append(entry: JournalEntry): Promise<void>;
}

/**
 * A journal held in memory: for tests, and for a campaign that lives and dies with
 * one process. `entries` are what was appended; pass `entries` to start from some.
 */
export function memoryJournal(
  entries: unknown[] = [],
): CampaignJournal & { readonly entries: unknown[] } {
  return {
    entries,
    read: () => Promise.resolve([...entries]),
    append(entry) {
      entries.push(structuredClone(entry));
      return Promise.resolve();
    },
  };
}

/**
 * The journal is not this campaign's: another file or other rows, another agent,
 * another environment (#23). Nothing was dialled. Use a new journal for a new
 * campaign; a journal's rows must be the file it was made with, unchanged.
 */
export class JournalMismatchError extends PolyAIError {
  override name = "JournalMismatchError";
  /** Stable, to branch on (the CLI's `--json` shows it too). */
  readonly code = "JOURNAL_MISMATCH" as const;
}

/**
 * A journal that cannot be read back (edited by hand, another program's file): an
 * entry that is not one dialMany writes, or that names a row the rows do not have.
 * Nothing was dialled. `entry` is its index (0-based; the CLI says the line).
 */
export class InvalidJournalError extends PolyAIError {
  override name = "InvalidJournalError";
  /** Stable, to branch on (the CLI's `--json` shows it too). */
  readonly code = "JOURNAL_INVALID" as const;
  constructor(
    /** The entry's index in the journal (the line, counting from 0). */
    readonly entry: number,
    /** Why, without the place. */
    readonly reason: string,
  ) {
    super(`entry ${entry + 1}: ${reason}`);
  }
}

/** What the journal says of one row. */
export interface RowHistory {
  placed?: { callSid: string; status: string };
  ended?: { status: string; reason?: string | undefined };
  /** The last refusal: the row was certainly not placed, and may be dialled again. */
  refused?: JournalError;
  /** Why its outcome is unknown: an `unknown` entry, or an attempt with no result. */
  unknown?: JournalError;
  /** An `attempting` entry with nothing after it yet. */
  open: boolean;
}

/** The campaign a journal must belong to. */
export interface JournalHeader {
  readonly agentId: string;
  readonly environment: string;
  readonly digest: string;
  readonly rowDigests: readonly string[];
}

/** #23: an attempt with no result: the process died while the request may have been out. */
const DIED: JournalError = {
  name: "CallOutcomeUnknownError",
  code: "CALL_OUTCOME_UNKNOWN",
  message:
    "the run stopped after this call's trigger may have been sent and before its answer was recorded; the call may have been placed",
};

const RESULT_TYPES = new Set(["attempting", "placed", "refused", "unknown", "ended"]);

function isError(v: unknown): v is JournalError {
  return (
    isPlainObject(v) &&
    typeof v["name"] === "string" &&
    typeof v["message"] === "string" &&
    (v["code"] === undefined || typeof v["code"] === "string")
  );
}

/** Why a row entry is malformed, or null. */
function entryProblem(e: Record<string, unknown>): string | null {
  const str = (k: string) => typeof e[k] === "string";
  switch (e["type"]) {
    case "attempting":
      return str("toNumber") ? null : "toNumber: expected a string";
    case "placed":
    case "ended":
      return str("callSid") && str("status") ? null : "callSid and status: expected strings";
    default:
      return isError(e["error"]) ? null : "error: expected { name, message, code? }";
  }
}

function checkHeader(first: unknown, header: JournalHeader): void {
  if (!isPlainObject(first) || first["type"] !== "campaign" || first["version"] !== 1)
    throw new InvalidJournalError(
      0,
      'expected the campaign line ({"type":"campaign","version":1,…}) first',
    );
  const mismatch = (what: string) =>
    new JournalMismatchError(
      `the journal is for ${what}; nothing was dialled (start a new journal for a new campaign)`,
    );
  if (first["agentId"] !== header.agentId || first["environment"] !== header.environment)
    throw mismatch(
      `agent ${JSON.stringify(first["agentId"])} in ${JSON.stringify(first["environment"])}, not agent ${header.agentId} in ${header.environment}`,
    );
  if (first["rows"] !== header.rowDigests.length || first["digest"] !== header.digest)
    throw mismatch(
      `another list of rows (${String(first["rows"])} rows, digest ${JSON.stringify(first["digest"])}; these are ${header.rowDigests.length}, digest ${header.digest}): another file, or this one edited since`,
    );
}

function applyEntry(h: RowHistory, e: Record<string, unknown>): void {
  switch (e["type"]) {
    case "attempting":
      h.open = true;
      return;
    case "placed":
      h.placed = { callSid: e["callSid"] as string, status: e["status"] as string };
      break;
    case "ended":
      h.ended = { status: e["status"] as string, reason: e["reason"] as string | undefined };
      h.placed ??= { callSid: e["callSid"] as string, status: e["status"] as string };
      break;
    case "refused":
      h.refused = e["error"] as JournalError;
      break;
    default:
      h.unknown = e["error"] as JournalError;
  }
  h.open = false;
}

/**
 * Reads a journal back: checks it belongs to `header` (else {@link JournalMismatchError}),
 * that every entry is one dialMany writes about a row these rows have (else
 * {@link InvalidJournalError}), and folds the entries into one history per row.
 * An empty journal gives no histories and `fresh: true`.
 */
export function readHistories(
  entries: readonly unknown[],
  header: JournalHeader,
): { fresh: boolean; histories: Map<number, RowHistory> } {
  const histories = new Map<number, RowHistory>();
  if (entries.length === 0) return { fresh: true, histories };
  checkHeader(entries[0], header);
  entries.forEach((e, i) => {
    if (i === 0) return;
    if (!isPlainObject(e) || !RESULT_TYPES.has(e["type"] as string))
      throw new InvalidJournalError(
        i,
        "not a journal entry (expected a type of attempting, placed, refused, unknown or ended)",
      );
    const row = e["row"];
    if (
      typeof row !== "number" ||
      !Number.isInteger(row) ||
      row < 0 ||
      row >= header.rowDigests.length
    )
      throw new InvalidJournalError(
        i,
        `row: expected a row index from 0 to ${header.rowDigests.length - 1}`,
      );
    if (e["rowDigest"] !== header.rowDigests[row])
      throw new InvalidJournalError(i, `rowDigest: is not the digest of row ${row}`);
    const problem = entryProblem(e);
    if (problem !== null) throw new InvalidJournalError(i, problem);
    const h = histories.get(row) ?? { open: false };
    applyEntry(h, e);
    histories.set(row, h);
  });
  for (const h of histories.values()) if (h.open && !h.placed) h.unknown ??= DIED;
  return { fresh: false, histories };
}

/**
 * #23: whether a row may be dialled: never tried, or only ever refused (certainly
 * not placed). A row placed, or whose outcome is unknown, never is, whatever
 * came after (a journal edited by hand cannot turn "placed" back into "refused").
 */
export function mayDial(h: RowHistory | undefined): boolean {
  return h === undefined || (!h.placed && !h.unknown && !h.open);
}
