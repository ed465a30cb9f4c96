// #23: what became of each row, and the campaign's result, from the rows' state.
import type { CampaignResult, CampaignRowResult } from "./campaign-types.js";
import type { CampaignRow } from "./campaign-rows.js";
import type { JournalError, RowHistory } from "./journal.js";

/** One row's state as a run goes: what the journal said, and what this run did. */
export interface RowState {
  readonly index: number;
  readonly row: CampaignRow;
  readonly digest: string;
  history: RowHistory | undefined;
  dialledNow: boolean;
  waitError?: JournalError;
}

/** What became of one row. */
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

/** The campaign's result: every row, counted. */
export function summarize(
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
