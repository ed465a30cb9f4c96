// #22: warnings that save a phone line. plan() warns (never refuses) when a number
// moves to a connector of another clientEnv than its own, when a connector's voice
// would speak another language than its recognition, and when an import would
// serve another clientEnv than its connector; the warnings are in the plan and its
// digest, and apply without a clientEnv imports each number into its connector's.
import { afterEach, describe, expect, it } from "vitest";
import { createPolyAIClient } from "../src/index.js";
import { apply, InvalidPlanError, plan, renderPlan, type Plan } from "../src/telephony/index.js";
import { createMockPolyAI, type MockPolyAI } from "../src/testing/index.js";
import { AGENT, connector } from "./support/telephony-cli.js";

const KEY = "sk-warnings-test-key-0123";
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** A live connector with a live number, a sandbox one, and an unrouted live number. */
async function start(): Promise<{ mock: MockPolyAI; poly: ReturnType<typeof createPolyAIClient> }> {
  const mock = await createMockPolyAI({
    apiKey: KEY,
    connectors: [
      connector("CONN-main", { phoneNumbers: ["+442079460000"] }),
      connector("CONN-sandbox", { clientEnv: "sandbox" }),
    ],
    phoneNumbers: [{ number: "+442079460001", agentId: AGENT, clientEnv: "live" }],
  });
  closers.push(() => mock.close());
  return { mock, poly: createPolyAIClient({ apiKey: KEY, baseUrl: mock.url }) };
}

const numberOf = (mock: MockPolyAI, n: string) => mock.phoneNumbers.find((x) => x.number === n);
const codes = (p: Plan) => (p.warnings ?? []).map((w) => [w.path, w.code]);

describe("plan warnings", () => {
  it("a live number moved onto a sandbox connector warns; onto a live one does not", async () => {
    const { poly } = await start();
    const moved = await plan(poly, {
      agentId: AGENT,
      phoneNumbers: { "+442079460000": "CONN-sandbox", "+442079460001": "CONN-main" },
    });
    expect(codes(moved)).toEqual([["phoneNumbers.+442079460000", "NUMBER_CLIENT_ENV_MISMATCH"]]);
    expect(moved.warnings?.[0]?.message).toContain("serves clientEnv live but moves to");
    expect(moved.phoneNumbers).toHaveLength(2); // a warning, not a refusal
  });

  it("a voice in another language than asrLangCode warns; another region of the same language does not", async () => {
    const { poly } = await start();
    const german = await plan(poly, {
      agentId: AGENT,
      connectors: { "CONN-main": { voiceName: "de-DE-Neural2-A" } },
    });
    expect(codes(german)).toEqual([["connectors.CONN-main.voiceName", "VOICE_LANGUAGE_MISMATCH"]]);
    expect(german.warnings?.[0]?.message).toContain('asrLangCode is "en-US"');
    const british = await plan(poly, {
      agentId: AGENT,
      connectors: { "CONN-main": { voiceName: "en-GB-Neural2-A" } },
    });
    expect(british.warnings).toEqual([]);
    // A new asrLangCode against the voice it keeps warns at asrLangCode.
    const asr = await plan(poly, {
      agentId: AGENT,
      connectors: { "CONN-main": { asrLangCode: "fr-FR" } },
    });
    expect(codes(asr)).toEqual([["connectors.CONN-main.asrLangCode", "VOICE_LANGUAGE_MISMATCH"]]);
    // Both changed together, to one language: no warning.
    const both = await plan(poly, {
      agentId: AGENT,
      connectors: { "CONN-main": { voiceName: "fr-FR-Neural2-A", asrLangCode: "fr-FR" } },
    });
    expect(both.warnings).toEqual([]);
  });

  it("an import with a clientEnv other than its connector's warns; without one it takes the connector's", async () => {
    const { mock, poly } = await start();
    const desired = { agentId: AGENT, phoneNumbers: { "+442079460099": "CONN-sandbox" } };
    const live = await plan(poly, desired, { clientEnv: "live" });
    expect(codes(live)).toEqual([["phoneNumbers.+442079460099", "IMPORT_CLIENT_ENV_MISMATCH"]]);
    expect(live.clientEnv).toBe("live");
    const chosen = await plan(poly, desired);
    expect(chosen.warnings).toEqual([]);
    expect(chosen.clientEnv).toBeUndefined();
    const result = await apply(poly, chosen);
    expect(result.ok).toBe(true);
    expect(numberOf(mock, "+442079460099")).toMatchObject({
      clientEnv: "sandbox",
      connectorId: "CONN-sandbox",
    });
  });

  it("apply keeps the plan's clientEnv and refuses another; the warnings are in the digest", async () => {
    const { poly, mock } = await start();
    const desired = { agentId: AGENT, phoneNumbers: { "+442079460099": "CONN-sandbox" } };
    const p = await plan(poly, desired, { clientEnv: "live" });
    await expect(apply(poly, p, { clientEnv: "sandbox" })).rejects.toThrow(
      "options.clientEnv: the plan was made for imports into live, not sandbox",
    );
    const hidden = { ...p, warnings: [] };
    await expect(apply(poly, hidden)).rejects.toThrow(InvalidPlanError);
    await expect(apply(poly, JSON.parse(JSON.stringify(p)))).resolves.toMatchObject({ ok: true });
    expect(numberOf(mock, "+442079460099")?.clientEnv).toBe("live");
  });

  it("a plan made without a clientEnv refuses one at apply: its import was not checked against it", async () => {
    const { poly, mock } = await start();
    const desired = { agentId: AGENT, phoneNumbers: { "+442079460099": "CONN-sandbox" } };
    const p = await plan(poly, desired);
    expect(p.warnings).toEqual([]);
    await expect(apply(poly, p, { clientEnv: "live" })).rejects.toThrow(
      "options.clientEnv: the plan was made for imports into the clientEnv of each one's connector, not live: make a new plan",
    );
    expect(numberOf(mock, "+442079460099")).toBeUndefined();
    await expect(apply(poly, p)).resolves.toMatchObject({ ok: true });
    expect(numberOf(mock, "+442079460099")?.clientEnv).toBe("sandbox");
  });

  it("a warning the plan did not show makes it stale at apply: asrLangCode changed since, under a new voice", async () => {
    const { mock, poly } = await start();
    const reviewed = await plan(poly, {
      agentId: AGENT,
      connectors: { "CONN-main": { voiceName: "en-GB-Neural2-A" } },
    });
    expect(reviewed.warnings).toEqual([]);
    // Someone else changes what the warning looks at, not what the plan changes.
    await poly.connectors.update(AGENT, "CONN-main", { asrLangCode: "fr-FR" });
    const stale = await apply(poly, reviewed).catch((e: unknown) => e);
    expect(stale).toMatchObject({
      code: "PLAN_STALE",
      changed: [
        {
          path: "connectors.CONN-main.voiceName",
          was: "no warning",
          now: expect.stringMatching(/^VOICE_LANGUAGE_MISMATCH: /) as unknown,
        },
      ],
    });
    expect(mock.connectors.find((c) => c.connectorId === "CONN-main")?.voiceName).not.toBe(
      "en-GB-Neural2-A",
    );
    // A warning the plan showed does not stop it: it was reviewed.
    const warned = await plan(poly, {
      agentId: AGENT,
      connectors: { "CONN-main": { voiceName: "en-GB-Neural2-A" } },
    });
    expect(codes(warned)).toEqual([["connectors.CONN-main.voiceName", "VOICE_LANGUAGE_MISMATCH"]]);
    expect((await apply(poly, warned)).ok).toBe(true);
  });

  it("renderPlan shows each warning with a ! marker above the changes", async () => {
    const { poly } = await start();
    const p = await plan(poly, {
      agentId: AGENT,
      phoneNumbers: { "+442079460000": "CONN-sandbox" },
    });
    const lines = renderPlan(p).split("\n");
    expect(lines[1]).toMatch(/^! phoneNumbers\.\+442079460000: serves clientEnv live/);
    expect(lines.findIndex((l) => l.startsWith("~ "))).toBeGreaterThan(1);
  });
});
