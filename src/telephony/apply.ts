// apply(): re-read, refuse a stale plan, then write exactly what the plan lists:
// connector patches through batchUpdate in chunks, imports in batches,
// reassignments with bounded concurrency. Retries and timeouts are the client's.
// Afterwards, re-read and report any change that did not take.
import { APIError, InvalidInputError, type PolyAIClient } from "../index.js";
import { diff, differences, fingerprint } from "./diff.js";
import { planWarnings } from "./warnings.js";
import { ChangeRejectedError, PlanStaleError } from "./errors.js";
import { readLive } from "./live.js";
import { checkPlan, readOptions } from "./plan.js";
import type { ApplyOptions, ApplyResult, ChangeResult, PhoneNumberChange } from "./types.js";
import { clientEnvOption } from "./client-env.js";
import { chunk, groupBy, intOption, limiter } from "./util.js";

export { CLIENT_ENVS } from "./client-env.js";

/** @internal The ranges of apply's numeric options (the CLI checks its flags with them). */
export const APPLY_LIMITS = {
  chunkSize: { min: 1, max: 10_000, fallback: 100 },
  concurrency: { min: 1, max: 256, fallback: 8 },
} as const;

type Outcome = { status: "applied" } | { status: "failed"; error: Error };

function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/**
 * An import request refused for one of its numbers refuses them all (the API's
 * imports are all or nothing): worth retrying one by one to isolate it. Not for a
 * refusal that would refuse every number (401, 429) or a fault (5xx, connection).
 */
function isolatable(err: unknown): boolean {
  return (
    err instanceof APIError &&
    err.status >= 400 &&
    err.status < 500 &&
    err.status !== 401 &&
    err.status !== 429
  );
}

/**
 * Applies a plan made by {@link plan}. First re-reads what the plan depends on: if
 * any of it changed, throws {@link PlanStaleError} (`code: "PLAN_STALE"`) before
 * writing anything. Then writes exactly the plan's changes and nothing else, and
 * resolves with one result per change (applied, or failed with its typed error);
 * it does not reject because some changes failed. Last, it re-reads and lists in
 * `notTaken` any change reported applied that the live state does not show, and in
 * `recovered` any change reported failed that it does show (a write that was
 * applied but whose answer was lost). `ok` means every change is in effect.
 *
 * @example
 * const result = await apply(poly, savedPlan, { concurrency: 8 });
 * for (const r of result.results) if (r.status === "failed") console.error(r.error.message);
 * @throws {InvalidPlanError} when `plan` is not a plan made by plan() (edited, truncated).
 * @throws {PlanStaleError} when the live state changed since the plan was made, or now
 *   brings a warning the plan did not show; nothing written.
 * @throws {UnknownConnectorError} never: a connector deleted since the plan makes it stale.
 * @throws {APIError} and the SDK's other errors when the first re-read fails; nothing written.
 */
export async function apply(
  poly: PolyAIClient,
  plan: unknown,
  options: ApplyOptions = {},
): Promise<ApplyResult> {
  const read = readOptions(options, ["chunkSize", "concurrency", "clientEnv", "onProgress"]);
  const chunkSize = intOption(read.raw["chunkSize"], "options.chunkSize", APPLY_LIMITS.chunkSize);
  const concurrency = intOption(
    read.raw["concurrency"],
    "options.concurrency",
    APPLY_LIMITS.concurrency,
  );
  const chosenEnv = clientEnvOption(read.raw["clientEnv"], "options.clientEnv");
  const onProgress = read.raw["onProgress"];
  if (onProgress !== undefined && typeof onProgress !== "function")
    throw new InvalidInputError("options.onProgress", "expected a function");

  const { plan: checked, planned } = checkPlan(plan);
  const { agentId, desired } = checked;
  // #22: the plan's warnings were about the clientEnv it was made for (none: each
  // connector's); another would void them: a live import onto a sandbox connector unwarned.
  if (chosenEnv !== undefined && chosenEnv !== checked.clientEnv)
    throw new InvalidInputError(
      "options.clientEnv",
      `the plan was made for imports into ${checked.clientEnv ?? "the clientEnv of each one's connector"}, not ${chosenEnv}: make a new plan`,
    );
  const clientEnv = chosenEnv ?? checked.clientEnv;
  const call = { signal: read.signal };
  // #19: one bound for every request of this apply, whatever path a change takes.
  const limit = limiter(concurrency);
  const each = <T>(items: readonly T[], fn: (item: T) => Promise<void>) =>
    Promise.all(items.map((item) => fn(item)));

  // 1. Nothing is written unless the live state is the one the plan was made from.
  const before = await readLive(poly, desired, read, limit);
  if (fingerprint(before) !== checked.fingerprint)
    throw new PlanStaleError(differences(planned, before));
  // #22: what a warning looked at (a connector's clientEnv, a number's) is not in the
  // fingerprint, which holds only what the changes depend on. A warning the reviewed
  // plan did not show (a connector moved to sandbox since) makes the plan stale too:
  // a live number would move onto it unwarned.
  const shown = new Set(checked.warnings?.map((w) => `${w.code} ${w.path}`));
  const unseen = planWarnings(checked, before, clientEnv).filter(
    (w) => !shown.has(`${w.code} ${w.path}`),
  );
  if (unseen.length > 0)
    throw new PlanStaleError(
      unseen.map((w) => ({ path: w.path, was: "no warning", now: `${w.code}: ${w.message}` })),
    );

  const total = checked.connectors.length + checked.phoneNumbers.length;
  const results: ChangeResult[] = new Array<ChangeResult>(total);
  let done = 0;
  const settle = (index: number, result: ChangeResult) => {
    results[index] = result;
    done++;
    try {
      (onProgress as ApplyOptions["onProgress"])?.({ done, total, result });
    } catch {
      // A progress display must not change what apply does.
    }
  };

  // 2. Connector patches: batchUpdate, chunkSize per request.
  const connectorJobs = chunk(
    checked.connectors.map((change, index) => ({ change, index })),
    chunkSize,
  );
  await each(connectorJobs, async (part) => {
    const result = (i: number, outcome: Outcome) => {
      const { change, index } = part[i] as (typeof part)[number];
      settle(index, { kind: "connector", connectorId: change.connectorId, change, ...outcome });
    };
    try {
      const answers = await limit(() =>
        poly.connectors.batchUpdate(
          agentId,
          part.map(({ change }) => ({ connectorId: change.connectorId, ...change.patch })),
          call,
        ),
      );
      answers.forEach((answer, i) =>
        result(
          i,
          answer.success
            ? { status: "applied" }
            : {
                status: "failed",
                error: new ChangeRejectedError(answer.connectorId, answer.error),
              },
        ),
      );
    } catch (err) {
      part.forEach((_, i) => result(i, { status: "failed", error: toError(err) }));
    }
  });

  // 3. Imports, chunkSize per request; a refused batch is retried number by number.
  const offset = checked.connectors.length;
  const numberResult = (change: PhoneNumberChange, index: number, outcome: Outcome) =>
    settle(offset + index, { kind: "phoneNumber", number: change.number, change, ...outcome });
  const numberChanges = checked.phoneNumbers.map((change, index) => ({ change, index }));
  const imports = numberChanges.filter(({ change }) => change.action === "import");
  const importFailed = new Map<number, Error>();
  // #22: without a clientEnv, each number is imported into its connector's (one request per env).
  const envOf = ({ change }: (typeof imports)[number]) =>
    clientEnv ?? before.found?.connectors.get(change.to)?.clientEnv;
  const batches = [...groupBy(imports, envOf)].flatMap(([env, group]) =>
    chunk(group, chunkSize).map((part) => ({ part, env })),
  );
  await each(batches, async ({ part, env }) => {
    const settings = env === undefined ? undefined : { clientEnv: env };
    try {
      await limit(() =>
        poly.phoneNumbers.import(
          agentId,
          part.map(({ change }) => change.number),
          settings,
          call,
        ),
      );
    } catch (err) {
      if (part.length > 1 && isolatable(err)) {
        await each(part, async ({ change, index }) => {
          try {
            await limit(() => poly.phoneNumbers.importOne(agentId, change.number, settings, call));
          } catch (one) {
            importFailed.set(index, toError(one));
          }
        });
      } else for (const { index } of part) importFailed.set(index, toError(err));
    }
  });

  // 4. Routes: every reassignment, and every imported number's first route.
  await each(numberChanges, async ({ change, index }) => {
    const failed = importFailed.get(index);
    if (failed) return numberResult(change, index, { status: "failed", error: failed });
    try {
      await limit(() => poly.phoneNumbers.reassign(agentId, change.number, change.to, call));
      numberResult(change, index, { status: "applied" });
    } catch (err) {
      numberResult(change, index, { status: "failed", error: toError(err) });
    }
  });

  // 5. Read back: which applied changes does the live state not show, and which
  // failed ones does it show (a write applied whose answer was lost)?
  const applied = results.filter((r) => r.status === "applied").length;
  const outcome: ApplyResult = {
    agentId,
    ok: false,
    results,
    applied,
    failed: total - applied,
    notTaken: [],
    recovered: [],
  };
  if (total === 0) {
    outcome.ok = true;
    return outcome;
  }
  try {
    const after = diff(desired, await readLive(poly, desired, read, limit));
    const pendingConnectors = new Map(after.connectors.map((c) => [c.connectorId, c.patch]));
    const pendingNumbers = new Set(after.phoneNumbers.map((c) => c.number));
    for (const missing of after.missing.keys()) {
      for (const [number, to] of Object.entries(desired.phoneNumbers))
        if (to === missing) pendingNumbers.add(number);
    }
    const inEffect = (r: ChangeResult): boolean => {
      if (r.kind === "phoneNumber") return !pendingNumbers.has(r.number);
      if (after.missing.has(r.connectorId)) return false;
      const pending = pendingConnectors.get(r.connectorId);
      return pending === undefined || !Object.keys(r.change.patch).some((f) => f in pending);
    };
    outcome.notTaken = results.filter((r) => r.status === "applied" && !inEffect(r));
    outcome.recovered = results.filter((r) => r.status === "failed" && inEffect(r));
    outcome.ok = outcome.notTaken.length === 0 && outcome.failed === outcome.recovered.length;
  } catch (err) {
    outcome.verifyError = toError(err);
  }
  return outcome;
}
