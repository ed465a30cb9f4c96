// Every export of `polyai-connectors/telephony`, used once, as a test you can run
// against the local PolyAI: `npx vitest run examples/telephony-usage.test.ts`.
// In your project: import { … } from "polyai-connectors/telephony";
import { expect, it } from "vitest";
import { InvalidInputError, createPolyAIClient } from "../src/index.js";
import { createMockPolyAI, type SeedConnector } from "../src/testing/index.js";
import {
  ChangeRejectedError,
  InvalidJournalError,
  JournalMismatchError,
  dialMany,
  memoryJournal,
  type CampaignJournal,
  type CampaignProgress,
  type CampaignResult,
  type CampaignRow,
  type CampaignRowResult,
  type DialManyOptions,
  type JournalEntry,
  type JournalError,
  InvalidPlanError,
  PlanStaleError,
  UnknownConnectorError,
  apply,
  countChanges,
  exportState,
  plan,
  renderPlan,
  summarizePlan,
  validateDesiredState,
  type ApplyOptions,
  type ApplyProgress,
  type ApplyResult,
  type ChangeResult,
  type CheckedDesiredState,
  type ConnectorChange,
  type ConnectorResult,
  type DesiredConnector,
  type DesiredState,
  type ExportOptions,
  type ManagedField,
  type OmittedValue,
  type PhoneNumberChange,
  type PhoneNumberResult,
  type Plan,
  type PlanOptions,
  type PlanTargets,
  type PlanWarning,
  type ReadOptions,
  type RenderPlanOptions,
  type StaleValue,
  type ValidateOptions,
} from "../src/telephony/index.js";

const AGENT = "PROJECT-58RP822I";

// What the agent has now: the state the example of docs/phone-lines-as-code.md starts from, plus a
// connector the file does not name, whose variant ID the SDK would refuse to send.
const live: SeedConnector[] = [
  {
    connectorId: "CONN-main",
    projectId: AGENT,
    voiceName: "en-US-Neural2-C",
    variantId: "VARIANT-spring",
    phoneNumbers: ["+442079460000"],
  },
  { connectorId: "CONN-support", projectId: AGENT, voiceName: "en-US-Neural2-C" },
  {
    connectorId: "CONN-legacy",
    projectId: AGENT,
    voiceName: "en-US-Neural2-C",
    variantId: "VARIANT spring",
  },
];

// What it should have: usually a JSON file kept in git, read with JSON.parse.
const main: DesiredConnector = { voiceName: "en-GB-Neural2-A", variantId: null };
const desired: DesiredState = {
  agentId: AGENT,
  connectors: { "CONN-main": main, "CONN-support": { asrLangCode: "en-GB" } },
  phoneNumbers: {
    "+442079460000": "CONN-support", // reassigned
    "+442079460009": "CONN-main", // not in the project yet: imported, then routed
  },
};

async function start(unavailableVoices: string[] = []) {
  const mock = await createMockPolyAI({ apiKey: "test-key", connectors: live, unavailableVoices });
  const poly = createPolyAIClient({ apiKey: "test-key", baseUrl: mock.url });
  return { mock, poly };
}

it("plans, reviews, applies and exports an agent's phone lines", async () => {
  const { mock, poly } = await start();
  try {
    // Checked with the SDK's own rules before any request, naming the path.
    const checked: CheckedDesiredState = validateDesiredState(desired);
    expect(checked.phoneNumbers).toEqual(desired.phoneNumbers);
    expect(() =>
      validateDesiredState({ agentId: AGENT, connectors: { "CONN-main": { voiceName: "x" } } }),
    ).toThrow(InvalidInputError);
    // #22: every problem at once, each with its path (and its line, given the file's lines).
    const lines: ValidateOptions = { lines: new Map([["connectors.CONN-main.voiceName", 4]]) };
    const twoMistakes = {
      agentId: AGENT,
      connectors: { "CONN-main": { voiceName: "x" } },
      extra: 1,
    };
    const problems = (() => {
      try {
        return validateDesiredState(twoMistakes, lines);
      } catch (e) {
        return e instanceof InvalidInputError ? e.errors : [];
      }
    })();
    expect(problems).toMatchObject([
      { path: "extra", code: "UNKNOWN_KEY" },
      { path: "connectors.CONN-main.voiceName", line: 4, code: "INVALID_VALUE" },
    ]);

    // plan() reads only and returns plain JSON: save it, review it, apply it later.
    const reads: ReadOptions = { readChunkSize: 500 }; // ids per batch read
    const planOptions: PlanOptions = reads;
    const p: Plan = await plan(poly, desired, planOptions);
    expect(countChanges(p)).toBe(4);
    expect(summarizePlan(p)).toBe(
      "Agent PROJECT-58RP822I: 4 changes (2 connectors to update, 1 number to import and route, 1 number to reassign).",
    );
    expect(renderPlan(p)).toContain(
      'voiceName  "en-US-Neural2-C" → "en-GB-Neural2-A"  (ttsLangCode follows: en-GB)',
    );
    // Number changes are grouped by route; `full` lists every number, one per line.
    const everyNumber: RenderPlanOptions = { full: true };
    expect(renderPlan(p, everyNumber)).toContain(
      "~ CONN-main → CONN-support: 1 number\n    +442079460000",
    );
    const [update]: ConnectorChange[] = p.connectors;
    const fields = Object.keys(update?.patch ?? {}) as ManagedField[];
    expect(fields).toEqual(["voiceName", "variantId"]);
    const moves: PhoneNumberChange[] = p.phoneNumbers;
    expect(moves.map((m) => `${m.action} ${m.number} → ${m.to}`)).toEqual([
      "reassign +442079460000 → CONN-support",
      "import +442079460009 → CONN-main",
    ]);

    // apply() writes exactly the plan; it resolves even when some changes fail.
    const progress: ApplyProgress[] = [];
    const options: ApplyOptions = {
      chunkSize: 100, // connector updates per batch request
      concurrency: 8, // requests in flight for the whole apply
      onProgress: (step) => progress.push(step),
    };
    const saved: unknown = JSON.parse(JSON.stringify(p));
    const result: ApplyResult = await apply(poly, saved, options);
    const failed: ChangeResult[] = result.results.filter((r) => r.status === "failed");
    expect(failed).toEqual([]);
    expect(result.ok).toBe(true); // every change is in effect, as read back
    expect(progress.map((s) => `${s.done}/${s.total}`)).toEqual(["1/4", "2/4", "3/4", "4/4"]);
    expect(countChanges(await plan(poly, desired))).toBe(0);

    // export: what the agent has now, as a desired state. A value the SDK would
    // refuse to send is left out (so not managed), and reported.
    const omitted: OmittedValue[] = [];
    const exportOptions: ExportOptions = { ...reads, onOmit: (o) => omitted.push(o) };
    const state: DesiredState = await exportState(poly, AGENT, exportOptions);
    // Every connector with its three settings, and every routed number.
    expect(state.connectors?.["CONN-main"]).toEqual({ ...main, asrLangCode: "en-US" });
    expect(state.phoneNumbers).toEqual(desired.phoneNumbers);
    expect(omitted.map((o) => o.path)).toEqual(["connectors.CONN-legacy.variantId"]);
  } finally {
    await mock.close();
  }
});

it("refuses a stale or edited plan, and a connector the agent does not have", async () => {
  const { mock, poly } = await start();
  try {
    const p = await plan(poly, desired);
    // Someone changes the agent between the review and the apply: nothing is written.
    await poly.connectors.update(AGENT, "CONN-main", { voiceName: "en-US-Neural2-D" });
    const stale = await apply(poly, p).catch((err: unknown) => err);
    expect(stale).toBeInstanceOf(PlanStaleError);
    const changed: readonly StaleValue[] = (stale as PlanStaleError).changed;
    expect(changed).toEqual([
      {
        path: "connectors.CONN-main.voiceName",
        was: '"en-US-Neural2-C"',
        now: '"en-US-Neural2-D"',
      },
    ]);

    // A plan edited by hand (here, a change dropped) is refused before any request.
    const edited = { ...p, phoneNumbers: p.phoneNumbers.slice(1) };
    await expect(apply(poly, edited)).rejects.toBeInstanceOf(InvalidPlanError);

    // Connectors are never created: a missing one is an error naming every path.
    const typo: DesiredState = { agentId: AGENT, phoneNumbers: { "+442079460000": "CONN-gone" } };
    const unknown = await plan(poly, typo).catch((err: unknown) => err);
    expect(unknown).toBeInstanceOf(UnknownConnectorError);
    expect((unknown as UnknownConnectorError).fields).toEqual(["phoneNumbers.+442079460000"]);
  } finally {
    await mock.close();
  }
});

it("reports a change the server refuses and applies the rest", async () => {
  const { mock, poly } = await start(["en-GB-Neural2-A"]); // this voice is unavailable
  try {
    const result = await apply(poly, await plan(poly, desired));
    expect([result.ok, result.applied, result.failed]).toEqual([false, 3, 1]);
    for (const r of result.results) {
      if (r.status === "applied") continue;
      // Narrow by kind to reach the connector ID or the number.
      if (r.kind === "connector") {
        const connector: ConnectorResult = r;
        expect(connector.connectorId).toBe("CONN-main");
        expect(r.error).toBeInstanceOf(ChangeRejectedError);
        expect((r.error as ChangeRejectedError).reason).toMatch(/is not an available voice/);
      } else {
        const number: PhoneNumberResult = r;
        throw new Error(`unexpected failure of ${number.number}: ${r.error.message}`);
      }
    }
  } finally {
    await mock.close();
  }
});

it("warns of what may break a line, and plans only the targeted entries (#22)", async () => {
  const { mock, poly } = await start();
  try {
    // A German voice over English recognition: planned, with a warning (not refused).
    const german: DesiredState = {
      agentId: AGENT,
      connectors: { "CONN-main": { voiceName: "de-DE-Neural2-A" } },
      phoneNumbers: { "+442079460000": "CONN-support" },
    };
    const p = await plan(poly, german);
    const warnings: PlanWarning[] = p.warnings ?? [];
    expect(warnings.map((w) => w.code)).toEqual(["VOICE_LANGUAGE_MISMATCH"]);
    expect(renderPlan(p).split("\n")[1]).toMatch(/^! connectors\.CONN-main\.voiceName: /);

    // Like Terraform's -target: only this number is read, planned and applied.
    const targets: PlanTargets = { connectors: [], phoneNumbers: ["+442079460000"] };
    const only = await plan(poly, german, { targets });
    expect(only.targets).toEqual(targets);
    expect(only.connectors).toEqual([]);
    expect(countChanges(only)).toBe(1);
  } finally {
    await mock.close();
  }
});

// #23: a campaign, against the local PolyAI: one number ends in FAILURE, and one row
// names a variant the agent has no connector for (refused: certainly not placed).
it("dials a campaign once, resumes it from its journal, and refuses another campaign's journal", async () => {
  const mock = await createMockPolyAI({
    apiKey: "test-key",
    connectors: live,
    outbound: { outcomes: { "+442079460003": { status: "FAILURE", reason: "busy" } } },
  });
  const poly = createPolyAIClient({ apiKey: "test-key", baseUrl: mock.url });
  const rows: CampaignRow[] = [
    { toNumber: "+442079460001", metadata: { firstName: "Ann" } },
    { toNumber: "+442079460002", variantId: "VARIANT-gone" },
    { toNumber: "+442079460003" },
  ];
  // Keep the journal somewhere durable (a database, a file flushed to disk): the
  // CLI's `dial --journal` keeps one in a JSON-lines file.
  const journal: CampaignJournal = memoryJournal();
  const progress: CampaignProgress[] = [];
  const options: DialManyOptions = {
    environment: "live", // the environment of the seeded connectors
    journal,
    concurrency: 2,
    ratePerSecond: 50,
    wait: true,
    pollIntervalMs: 10,
    onProgress: (p) => progress.push(p),
  };
  try {
    const result: CampaignResult = await dialMany(poly, AGENT, rows, options);
    expect([result.placed, result.refused, result.unknown, result.ended]).toEqual([2, 1, 0, 2]);
    expect(result.rows[2]).toMatchObject({ status: "FAILURE", reason: "busy", ended: true });
    const refused = result.rows.find((r) => r.outcome === "refused") as CampaignRowResult;
    const why: JournalError | undefined = refused.error;
    expect(why?.name).toBe("NotFoundError");
    expect(progress.at(-1)).toEqual({ done: 3, total: 3 });

    // Run again with the same journal: only the refused row is dialled (refused again).
    const again = await dialMany(poly, AGENT, rows, options);
    expect(again.dialledNow).toBe(1);
    expect(mock.outboundCalls.map((c) => c.toNumber)).toEqual(["+442079460001", "+442079460003"]);
    const entries = (await journal.read()) as JournalEntry[];
    expect(entries[0]).toMatchObject({ type: "campaign", agentId: AGENT, rows: 3 });

    // Another list of rows with this journal, or a journal that is not one: refused, nothing dialled.
    await expect(dialMany(poly, AGENT, rows.slice(1), options)).rejects.toBeInstanceOf(
      JournalMismatchError,
    );
    const edited = { ...options, journal: memoryJournal([{ type: "nonsense" }]) };
    await expect(dialMany(poly, AGENT, rows, edited)).rejects.toBeInstanceOf(InvalidJournalError);
    expect(mock.outboundCalls).toHaveLength(2);
  } finally {
    await mock.close();
  }
});
