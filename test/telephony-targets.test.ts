// #22: targeting, like Terraform's -target. plan(…, { targets }) plans only the
// named entries of the desired state, records them in the plan (and its digest),
// and apply writes nothing else; a target the file does not hold is refused.
import { afterEach, describe, expect, it } from "vitest";
import { createPolyAIClient, InvalidInputError } from "../src/index.js";
import {
  apply,
  InvalidPlanError,
  plan,
  renderPlan,
  type DesiredState,
} from "../src/telephony/index.js";
import { createMockPolyAI, type MockPolyAI } from "../src/testing/index.js";
import { AGENT, connector, countingFetch, DESIRED, writes } from "./support/telephony-cli.js";

const KEY = "sk-targets-test-key-01234";
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function start() {
  const mock = await createMockPolyAI({
    apiKey: KEY,
    connectors: [
      connector("CONN-main", { variantId: "VARIANT-spring", phoneNumbers: ["+442079460000"] }),
      connector("CONN-support"),
      connector("CONN-other", { phoneNumbers: ["+442079460011"] }),
    ],
  });
  closers.push(() => mock.close());
  const count = countingFetch();
  const poly = createPolyAIClient({ apiKey: KEY, baseUrl: mock.url, fetch: count.fetch });
  return { mock, poly, count };
}

const route = (mock: MockPolyAI, n: string) =>
  mock.phoneNumbers.find((x) => x.number === n)?.connectorId;

describe("targets", () => {
  it("a number target plans and applies that number alone: nothing else of the file, nothing outside it", async () => {
    const { mock, poly } = await start();
    const p = await plan(poly, DESIRED, { targets: { phoneNumbers: ["+442079460000"] } });
    expect(p.targets).toEqual({ connectors: [], phoneNumbers: ["+442079460000"] });
    expect(p.connectors).toEqual([]);
    expect(p.phoneNumbers).toEqual([
      { number: "+442079460000", action: "reassign", from: "CONN-main", to: "CONN-support" },
    ]);
    expect(p.desired).toEqual({
      agentId: AGENT,
      connectors: {},
      phoneNumbers: { "+442079460000": "CONN-support" },
    });
    expect(renderPlan(p).split("\n")[1]).toBe(
      "Targeted: only number:+442079460000; the rest of the file is not planned.",
    );
    const result = await apply(poly, JSON.parse(JSON.stringify(p)));
    expect(result.ok).toBe(true);
    expect(writes(mock.requests).map((r) => `${r.method} ${r.path}`)).toEqual([
      `PATCH /v1/agents/${AGENT}/telephony/phone-numbers/%2B442079460000`,
    ]);
    expect(route(mock, "+442079460000")).toBe("CONN-support");
    expect(route(mock, "+442079460011")).toBe("CONN-other"); // not in the file: untouched
    expect(route(mock, "+442079460009")).toBeUndefined(); // in the file, not targeted: not imported
    expect(mock.connectors.find((c) => c.connectorId === "CONN-main")?.voiceName).toBe(
      "en-US-Neural2-C",
    );
  });

  it("a connector target plans its settings, not the numbers routed to it", async () => {
    const { poly } = await start();
    const p = await plan(poly, DESIRED, { targets: { connectors: ["CONN-main"] } });
    expect(p.connectors.map((c) => c.connectorId)).toEqual(["CONN-main"]);
    expect(p.phoneNumbers).toEqual([]); // +442079460009 routes to CONN-main but is not targeted
  });

  it("targets are kept once each, in the file's order", async () => {
    const { poly } = await start();
    const p = await plan(poly, DESIRED, {
      targets: {
        phoneNumbers: ["+442079460009", "+442079460000", "+442079460009"],
        connectors: ["CONN-support"],
      },
    });
    expect(p.targets).toEqual({
      connectors: ["CONN-support"],
      phoneNumbers: ["+442079460000", "+442079460009"],
    });
  });

  it("a target the file does not hold is refused before any request, naming it", async () => {
    const { poly, count } = await start();
    const refused = async (targets: unknown) => {
      const e = await plan(poly, DESIRED, { targets } as never).catch((err: unknown) => err);
      expect(e).toBeInstanceOf(InvalidInputError);
      return (e as InvalidInputError).message;
    };
    expect(await refused({ phoneNumbers: ["+15550000000"] })).toBe(
      `options.targets.phoneNumbers[0]: "+15550000000" is not in the file's phoneNumbers: a target names an entry of the file`,
    );
    const routeOnly: DesiredState = { agentId: AGENT, phoneNumbers: { "+442079460000": "CONN-x" } };
    await expect(plan(poly, routeOnly, { targets: { connectors: ["CONN-x"] } })).rejects.toThrow(
      "target those numbers instead",
    );
    expect(await refused({})).toContain("names no entry");
    expect(await refused({ numbers: [] })).toContain("options.targets.numbers");
    expect(count.sent).toBe(0);
  });

  it("the targets are in the digest: a plan whose targets were edited is refused", async () => {
    const { poly } = await start();
    const p = await plan(poly, DESIRED, { targets: { phoneNumbers: ["+442079460000"] } });
    const widened = {
      ...p,
      targets: { connectors: ["CONN-main"], phoneNumbers: ["+442079460000"] },
    };
    await expect(apply(poly, widened)).rejects.toThrow(InvalidPlanError);
    const { targets: _dropped, ...untargeted } = p;
    await expect(apply(poly, untargeted)).rejects.toThrow(InvalidPlanError);
  });

  it("a change outside the targets does not make a targeted plan stale", async () => {
    const { poly } = await start();
    const p = await plan(poly, DESIRED, { targets: { phoneNumbers: ["+442079460000"] } });
    await poly.connectors.update(AGENT, "CONN-main", { voiceName: "en-AU-Neural2-A" });
    await expect(apply(poly, p)).resolves.toMatchObject({ ok: true, applied: 1 });
  });
});
