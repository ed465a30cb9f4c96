// #23: dialMany, a campaign over the SDK's outboundCalls: each row checked with the
// trigger's own rules before the first call, then run by campaign-run.ts, which
// journals `attempting` before each trigger so a re-run never rings anyone twice.
import { operations, type ObjectRule, type StringRule } from "../../generated/operations.js";
import { checkArguments } from "../internal/arguments.js";
import { checkValue } from "../internal/check.js";
import { InvalidInputError, type ClientEnv, type PolyAIClient } from "../index.js";
import { runCampaign, type CallPlacer } from "./campaign-run.js";
import type { CampaignRow } from "./campaign-rows.js";
import type { CampaignResult, DialManyOptions } from "./campaign-types.js";
import { checkAgentId } from "./desired.js";
import { checkOptionKeys } from "./util.js";

const TRIGGER = operations.createOutboundCall;
const ENVIRONMENT = (TRIGGER.body as ObjectRule).props["environment"] as StringRule;

/** @internal The environments a call is placed from: the spec's enum (the CLI's --env). */
export const CALL_ENVIRONMENTS: readonly string[] = ENVIRONMENT.enum ?? [];

const OPTION_KEYS = Object.keys({
  environment: true,
  journal: true,
  concurrency: true,
  ratePerSecond: true,
  wait: true,
  pollIntervalMs: true,
  waitTimeoutMs: true,
  allowDuplicates: true,
  signal: true,
  onProgress: true,
} satisfies Record<keyof DialManyOptions, true>);

/** The options' keys, the journal's two methods and the callback, checked before anything is read. */
function checkOptions(options: unknown): DialManyOptions {
  const o = checkOptionKeys(options, OPTION_KEYS);
  const journal = o["journal"] as { read?: unknown; append?: unknown } | undefined;
  if (typeof journal?.read !== "function" || typeof journal.append !== "function")
    throw new InvalidInputError(
      "options.journal",
      "expected a CampaignJournal ({ read(), append(entry) }): memoryJournal(), or one kept durably",
    );
  if (o["onProgress"] !== undefined && typeof o["onProgress"] !== "function")
    throw new InvalidInputError("options.onProgress", "expected a function");
  return o as unknown as DialManyOptions;
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
    const checked = checkOptions(options);
    const environment = checkValue(
      checked.environment,
      ENVIRONMENT,
      "options.environment",
    ) as ClientEnv;
    return runCampaign(sdkPlacer(poly, agentId, environment), agentId, rows, checked);
  });
}
