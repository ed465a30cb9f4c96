// A 2xx answer is returned typed as the spec says, so one that does not match the
// spec's structure, or answers another question than the one asked, must be an
// INVALID_RESPONSE error rather than a value with holes in it.
import { afterEach, describe, expect, it } from "vitest";
import { operations, type Rule } from "../generated/operations.js";
import spec from "../generated/openapi.json" with { type: "json" };
import { answerProblem as shapeProblem } from "../src/internal/answer.js";

/** The rule of each operation's 2xx answer, from the generated operation table. */
const answerShapes: Record<string, Rule> = Object.fromEntries(
  Object.entries(operations).map(([id, op]) => [id, Object.values(op.answers)[0] as Rule]),
);
import { APIError, createPolyAIClient, type Connector } from "../src/index.js";
import { sampleConnector, startServer } from "./support/fixtures.js";

const KEY = "sk_answers_0123456789";
const AGENT = "PROJECT-58RP822I";
const CONN = sampleConnector.connectorId;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** A client whose server answers every request 200 with `answer`, and counts requests. */
async function answering(answer: unknown) {
  let requests = 0;
  const server = await startServer((req, res) => {
    req.resume();
    req.on("end", () => {
      requests++;
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(answer));
    });
  });
  closers.push(server.close);
  const poly = createPolyAIClient({ apiKey: KEY, baseUrl: server.url });
  return { poly, requests: () => requests };
}

async function invalid(pending: Promise<unknown>): Promise<APIError> {
  const err = await pending.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(APIError);
  expect((err as APIError).code).toBe("INVALID_RESPONSE");
  expect((err as APIError).status).toBe(200);
  return err as APIError;
}

const other = (connectorId: string): Connector => ({ ...sampleConnector, connectorId });
const { voiceName: _dropped, ...withoutVoice } = sampleConnector;

describe("the structure of a 200 answer", () => {
  it.each([
    ["an empty object", {}, "connectorId: is missing"],
    ["a connector without voiceName", withoutVoice, "voiceName: is missing"],
    [
      "a number where a string belongs",
      { ...sampleConnector, ttsLangCode: 7 },
      "ttsLangCode: expected a string, got a number",
    ],
    [
      "a string where a boolean belongs",
      { ...sampleConnector, disableHandoff: "false" },
      "disableHandoff: expected a boolean, got a string",
    ],
    [
      "PolyAI's error envelope sent with status 200",
      { success: false, error: "x", error_code: "CONNECTORS_VALIDATION_FAILED", data: null },
      "connectorId: is missing",
    ],
  ])(
    "update: %s is refused, saying the write may have been applied",
    async (_name, answer, problem) => {
      const { poly } = await answering(answer);
      const err = await invalid(
        poly.connectors.update(AGENT, CONN, { voiceName: "en-GB-Neural2-A" }),
      );
      expect(err.message).toContain(`the answer does not match the API: ${problem}`);
      expect(err.message).toContain("the write may have been applied");
    },
  );

  it("a read's refusal does not talk about writes", async () => {
    const { poly } = await answering({});
    const err = await invalid(poly.connectors.get(AGENT, CONN));
    expect(err.message).toContain("connectorId: is missing");
    expect(err.message).not.toContain("write");
  });

  it.each([
    [
      "a list item that is not an object",
      { connectors: [1] },
      "connectors[0]: expected an object, got a number",
    ],
    [
      "a list item missing a field",
      { connectors: [sampleConnector, withoutVoice] },
      "connectors[1].voiceName: is missing",
    ],
    ["a list that is null", { connectors: null }, "connectors: expected an array, got null"],
  ])("list: %s is refused", async (_name, answer, problem) => {
    const { poly } = await answering(answer);
    const err = await invalid(poly.connectors.list(AGENT));
    expect(err.message).toContain(problem);
  });

  it("extra and unknown fields are accepted, so a field the API adds later breaks nothing", async () => {
    const { poly } = await answering({
      connectors: [{ ...sampleConnector, newField: 1, clientEnv: "staging" }],
    });
    const [connector] = await poly.connectors.list(AGENT);
    expect(connector).toMatchObject({ newField: 1, clientEnv: "staging" });
  });
});

describe("an answer to another question", () => {
  it("get and update refuse a different connector", async () => {
    const { poly } = await answering(other("CONN-other"));
    for (const pending of [
      poly.connectors.get(AGENT, CONN),
      poly.connectors.update(AGENT, CONN, { voiceName: "en-GB-Neural2-A" }),
    ]) {
      const err = await invalid(pending);
      expect(err.message).toContain(`it is connector "CONN-other", not the requested "${CONN}"`);
    }
  });

  it("delete refuses a different deletedConnector", async () => {
    const { poly } = await answering({ deletedConnector: "CONN-other", deletedPhoneNumbers: [] });
    const err = await invalid(poly.connectors.delete(AGENT, CONN));
    expect(err.message).toContain(`deletedConnector is "CONN-other", not the requested "${CONN}"`);
    expect(err.message).toContain("the write may have been applied");
  });

  const two = [
    { connectorId: "C1", voiceName: "en-GB-Neural2-A" },
    { connectorId: "C2", voiceName: "en-GB-Neural2-A" },
  ];
  const ok = (connectorId: string) => ({ connectorId, success: true, data: other(connectorId) });

  it.each([
    ["a result left out", { results: [ok("C1")] }, "1 results for 2 updates"],
    [
      "results out of order",
      { results: [ok("C2"), ok("C1")] },
      'results[0] is for "C2", but updates[0] is for "C1"',
    ],
    [
      "a success without data",
      { results: [ok("C1"), { connectorId: "C2", success: true }] },
      "results[1].data: is missing",
    ],
    [
      "success that is a string",
      { results: [ok("C1"), { connectorId: "C2", success: "false", error: "x" }] },
      "results[1].success: expected true or false, got a string",
    ],
    [
      "a failure without a reason",
      { results: [ok("C1"), { connectorId: "C2", success: false }] },
      "results[1].error: is missing",
    ],
    [
      "a result that is null",
      { results: [ok("C1"), null] },
      "results[1]: expected an object, got null",
    ],
    [
      "a success whose data is another connector",
      { results: [ok("C1"), { connectorId: "C2", success: true, data: other("C9") }] },
      'results[1].data is connector "C9", not "C2"',
    ],
  ])("batchUpdate: %s is refused, so no update goes unreported", async (_name, answer, problem) => {
    const { poly, requests } = await answering(answer);
    const err = await invalid(poly.connectors.batchUpdate(AGENT, two));
    expect(err.message).toContain(problem);
    expect(err.message).toContain("the write may have been applied");
    expect(requests()).toBe(1);
  });

  it("batchUpdate accepts one result per update, in order, success or not", async () => {
    const failure = { connectorId: "C2", success: false, error: "Connector C2 not found" };
    const { poly } = await answering({ results: [ok("C1"), failure] });
    await expect(poly.connectors.batchUpdate(AGENT, two)).resolves.toStrictEqual([
      ok("C1"),
      failure,
    ]);
  });

  it.each([
    [
      "an ID left out",
      { found: [other("C1")], notFound: [] },
      '"C2" is in neither found nor notFound',
    ],
    [
      "an ID not asked for",
      { found: [other("C1"), other("C3")], notFound: ["C2"] },
      'found[1].connectorId is "C3", which was not requested',
    ],
    [
      "an ID answered twice",
      { found: [other("C1")], notFound: ["C2", "C1"] },
      'notFound[1] is "C1", which was already answered',
    ],
  ])("batchGet: %s is refused", async (_name, answer, problem) => {
    const { poly } = await answering(answer);
    const err = await invalid(poly.connectors.batchGet(AGENT, ["C1", "C2"]));
    expect(err.message).toContain(problem);
  });
});

describe("the shapes come from the spec", () => {
  it("every operation with a JSON 2xx has one, and the spec's own examples conform", () => {
    const ids = Object.values(spec.paths).flatMap((item) =>
      Object.values(item).flatMap((op: { operationId?: string }) =>
        op.operationId ? [op.operationId] : [],
      ),
    );
    expect(Object.keys(answerShapes).sort()).toEqual(ids.sort());
    expect(ids).toEqual(expect.arrayContaining(["batchUpdateConnectors", "deleteConnector"]));
    const deref = (node: unknown): Record<string, unknown> => {
      let n = node as Record<string, unknown>;
      while (typeof n["$ref"] === "string")
        n = (n["$ref"] as string)
          .slice(2)
          .split("/")
          .reduce(
            (o: Record<string, unknown>, k) => o[k] as Record<string, unknown>,
            spec as never,
          );
      return n;
    };
    let checked = 0;
    for (const item of Object.values(spec.paths)) {
      for (const op of Object.values(item) as { operationId?: string; responses: object }[]) {
        if (!op.operationId) continue; // the path item's shared parameters
        const responses = op.responses as Record<string, unknown>;
        const ok = deref(responses["200"] ?? responses["201"]);
        const media = (ok["content"] as Record<string, Record<string, unknown>>)[
          "application/json"
        ];
        for (const example of Object.values(media?.["examples"] ?? {})) {
          expect(shapeProblem(deref(example)["value"], answerShapes[op.operationId]!)).toBeNull();
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(7);
    expect(shapeProblem(sampleConnector, answerShapes["getConnector"]!)).toBeNull();
    expect(shapeProblem({ ...sampleConnector, name: NaN }, answerShapes["getConnector"]!)).toBe(
      "name: expected a string, got NaN",
    );
  });
});

describe("the spec's request and answer examples belong together", () => {
  // A mock that serves the spec's examples (Prism, say) must not produce answers this
  // client refuses: each operation's request example, answered by its 200 example.
  const example = (name: string): unknown =>
    (spec.components.examples as Record<string, { value: unknown }>)[name]?.value;

  it("every operation resolves with its 200 example, called with its request example", async () => {
    const conn = (example("Connector") as Connector).connectorId;
    const calls: [string, (poly: ReturnType<typeof createPolyAIClient>) => Promise<unknown>][] = [
      ["ConnectorList", (p) => p.connectors.list(AGENT)],
      ["Connector", (p) => p.connectors.get(AGENT, conn)],
      [
        "Connector",
        (p) => p.connectors.update(AGENT, conn, example("UpdateConnectorBody") as never),
      ],
      [
        "DeleteConnectorResult",
        (p) =>
          p.connectors.delete(
            AGENT,
            (example("DeleteConnectorResult") as { deletedConnector: string }).deletedConnector,
          ),
      ],
      [
        "BatchGetConnectorsResult",
        (p) =>
          p.connectors.batchGet(
            AGENT,
            (example("BatchGetConnectorsBody") as { connectorIds: string[] }).connectorIds,
          ),
      ],
      [
        "BatchUpdateConnectorsResult",
        (p) =>
          p.connectors.batchUpdate(
            AGENT,
            (example("BatchUpdateConnectorsBody") as { updates: never[] }).updates,
          ),
      ],
      [
        "Connector",
        (p) =>
          p.connectors.lookup(
            AGENT,
            (example("LookupConnectorBody") as { phoneNumber: string }).phoneNumber,
          ),
      ],
    ];
    for (const [answer, call] of calls) {
      expect(example(answer)).toBeDefined();
      const { poly } = await answering(example(answer));
      await expect(call(poly)).resolves.toBeDefined();
    }
  });
});
