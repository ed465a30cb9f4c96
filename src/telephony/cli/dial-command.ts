// #23: `polyai-connectors dial` (a campaign from a CSV or JSON-lines file, with a
// journal) and `call` (one call). The campaign itself is dialMany's; here: the
// file's rows and their lines, the journal file, the progress line on a terminal,
// Ctrl-C or SIGTERM (no new call is started; calls already sent are journaled), the summary.
import { realpath, stat } from "node:fs/promises";
import type { PolyAIClient } from "../../index.js";
import type { CampaignResult, CampaignRowResult } from "../campaign-types.js";
import { dialMany } from "../dial.js";
import { InvalidJournalError, JournalMismatchError } from "../journal.js";
import type { CampaignRow } from "../campaign-rows.js";
import { inFile, readCampaignFile, type CampaignFile } from "./campaign-file.js";
import type { CallCommand, DialCommand } from "./dial-usage.js";
import { escapeLine } from "./escape.js";
import { CliError, UsageError } from "./errors.js";
import { openJournalFile } from "./journal-file.js";
import type { Writer } from "./output.js";
import { toJson } from "./report.js";

/** What a campaign command needs of the run. */
export interface DialRun {
  readonly out: Writer;
  readonly err: Writer;
  readonly clean: (text: string) => string;
  /** #23: the run's, aborted by the first SIGINT or SIGTERM (run.ts). */
  readonly signal?: AbortSignal | undefined;
  /** The first pause between status reads with --wait; undefined: the library's default. */
  readonly pollIntervalMs?: number | undefined;
}

/** Lists are cut at this many rows in the text summary (--json and the journal have them all). */
const LISTED = 20;

async function refuseSameFile(journal: string, input: string): Promise<void> {
  const [a, b] = await Promise.all([stat(journal).catch(() => null), stat(input)]);
  const same =
    (a !== null && a.dev === b.dev && a.ino === b.ino) ||
    (await realpath(journal).catch(() => journal)) === (await realpath(input));
  if (same)
    throw new UsageError(
      `--journal ${journal}: is the file of rows; give the journal its own file`,
    );
}

/** A journal's or the file's error, as the CLI says it. */
function explain(cmd: DialCommand, data: CampaignFile, e: unknown): unknown {
  if (e instanceof InvalidJournalError)
    return new CliError(
      `--journal ${cmd.journal}: line ${e.entry + 1}: ${e.reason}; nothing was dialled (was it edited by hand?)`,
      e.code,
      { cause: e },
    );
  if (e instanceof JournalMismatchError)
    return new CliError(`--journal ${cmd.journal}: ${e.message}`, e.code, { cause: e });
  return inFile(cmd.file, data, e);
}

function progress(err: Writer) {
  if (!err.isTTY) return undefined;
  let shown = -1;
  return ({ done, total }: { done: number; total: number }) => {
    const percent = Math.floor((done / total) * 100);
    if (percent === shown && done !== total) return;
    shown = percent;
    err.progress(`Dialling: ${done}/${total} (${percent}%)${done === total ? "\n" : ""}`);
  };
}

function listed(title: string, rows: readonly CampaignRowResult[], data: CampaignFile): string[] {
  if (rows.length === 0) return [];
  const lines = rows.slice(0, LISTED).map((r) => {
    const why = r.error ? `${r.error.name}: ${r.error.message}` : (r.reason ?? r.status ?? "");
    return `  line ${data.lines[r.row]} ${escapeLine(r.toNumber)}: ${escapeLine(why)}`;
  });
  if (rows.length > LISTED)
    lines.push(`  and ${rows.length - LISTED} more (see --json, or the journal)`);
  return [`${title} (${rows.length}):`, ...lines];
}

/** What a campaign did, for people. */
function summary(result: CampaignResult, data: CampaignFile, cmd: DialCommand): string {
  const of = (outcome: CampaignRowResult["outcome"]) =>
    result.rows.filter((r) => r.outcome === outcome);
  const lines = [
    `Campaign of ${result.total} row${result.total === 1 ? "" : "s"} for agent ${result.agentId} in ${result.environment}: ${result.placed} placed (${result.dialledNow} dialled by this run), ${result.refused} refused, ${result.unknown} outcome unknown, ${result.notDialled} not dialled.`,
  ];
  if (cmd.wait) {
    const failed = result.rows.filter((r) => r.ended && r.status === "FAILURE");
    lines.push(
      `Ended: ${result.ended} (${result.ended - failed.length} SUCCESS, ${failed.length} FAILURE); not ended: ${result.placed - result.ended}.`,
      ...listed("Ended in FAILURE", failed, data),
      ...listed(
        "Placed, not seen to end",
        result.rows.filter((r) => r.outcome === "placed" && !r.ended),
        data,
      ),
    );
  }
  lines.push(
    ...listed("Refused, certainly not placed (a re-run dials them again)", of("refused"), data),
    ...listed(
      "Outcome unknown, may have been placed (never dialled again: check them before calling by hand)",
      of("unknown"),
      data,
    ),
    `Journal: ${cmd.journal}${result.ok ? "" : " (run the same command again to dial what was not placed)"}`,
  );
  return `${lines.join("\n")}\n`;
}

/** `dial`: exit 0 when every row was placed (and with --wait ended), else 1. */
export async function runDial(run: DialRun, cmd: DialCommand, poly: PolyAIClient): Promise<number> {
  const data = await readCampaignFile(cmd.file);
  await refuseSameFile(cmd.journal, cmd.file);
  const journal = openJournalFile(cmd.journal, run.clean);
  const { signal } = run;
  const stopping = () =>
    run.err("\nStopping: no new call is started; calls already sent are journaled.\n");
  if (signal?.aborted) stopping();
  else signal?.addEventListener("abort", stopping, { once: true });
  let result: CampaignResult;
  try {
    result = await dialMany(poly, cmd.agent, data.rows as unknown as CampaignRow[], {
      environment: cmd.env,
      journal,
      concurrency: cmd.concurrency,
      ratePerSecond: cmd.ratePerSecond,
      wait: cmd.wait,
      pollIntervalMs: run.pollIntervalMs,
      waitTimeoutMs: cmd.waitTimeoutMs,
      allowDuplicates: cmd.allowDuplicates,
      signal,
      onProgress: progress(run.err),
    });
  } catch (e) {
    throw explain(cmd, data, e);
  } finally {
    signal?.removeEventListener("abort", stopping);
    await journal.close();
  }
  if (cmd.json) {
    // Each row with its line in the file, as the text summary names it.
    const rows = result.rows.map((r) => ({ line: data.lines[r.row], ...r }));
    run.out(toJson({ ...result, rows }));
    if (!result.ok) run.err(summary(result, data, cmd));
  } else run.out(summary(result, data, cmd));
  return result.ok ? 0 : 1;
}

/** `call`: exit 0 when placed (with --wait: ended in SUCCESS), else 1. */
export async function runCall(run: DialRun, cmd: CallCommand, poly: PolyAIClient): Promise<number> {
  const body = { toNumber: cmd.toNumber, environment: cmd.env } as Parameters<
    PolyAIClient["outboundCalls"]["create"]
  >[1];
  // #23: a signal aborts the trigger (CALL_OUTCOME_UNKNOWN: it may have been placed)
  // or the wait (CallWaitError, with the callSid): reported as any failure, exit 1.
  const { signal } = run;
  const call = cmd.wait
    ? await poly.outboundCalls.createAndWait(cmd.agent, body, {
        signal,
        pollIntervalMs: run.pollIntervalMs,
        timeoutMs: cmd.waitTimeoutMs,
        // #23: the callSid before the wait: Ctrl-C or a timeout must not lose the call.
        onPlaced: (placed) =>
          run.err(
            `Placed call ${escapeLine(placed.callSid)} to ${escapeLine(cmd.toNumber)}; waiting for it to end (Ctrl-C stops waiting, not the call)\n`,
          ),
      })
    : await poly.outboundCalls.create(cmd.agent, body, { signal });
  const ok = !cmd.wait || call.status === "SUCCESS";
  const reason = "reason" in call && call.reason ? `: ${call.reason}` : "";
  if (cmd.json) run.out(toJson({ ok, ...call }));
  else
    run.out(
      `Placed call ${escapeLine(call.callSid)} to ${escapeLine(cmd.toNumber)} from agent ${cmd.agent} in ${cmd.env}: ${escapeLine(call.status + reason)}\n`,
    );
  return ok ? 0 : 1;
}
