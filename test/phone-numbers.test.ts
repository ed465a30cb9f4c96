// poly.phoneNumbers as a caller meets it: what is refused before sending (naming the
// field and index), what goes on the wire, and which answers are accepted. The
// local PolyAI's side is in mock-phone-numbers.test.ts.
import type { IncomingMessage } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { APIError, InvalidInputError, createPolyAIClient, type PhoneNumber } from "../src/index.js";
import { recordingFetch, startServer } from "./support/fixtures.js";

const KEY = "sk-phone-numbers-test";
const AGENT = "PROJECT-58RP822I";
const NUMBER = "+442079460000";
const number = (n: string, connectorId?: string): PhoneNumber => ({
  number: n,
  projectId: AGENT,
  accountId: "ws-fd112d8f",
  clientEnv: "live",
  ...(connectorId ? { connectorId } : {}),
});

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** A client whose fetch records requests and must not be called. */
function offline() {
  const { fetch, seen } = recordingFetch({});
  const poly = createPolyAIClient({ apiKey: KEY, baseUrl: "http://127.0.0.1:9", fetch });
  return { phones: poly.phoneNumbers, seen };
}

async function refusal(pending: Promise<unknown>): Promise<InvalidInputError> {
  const err = await pending.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(InvalidInputError);
  return err as InvalidInputError;
}

const bad = (value: unknown) => value as never;

describe("refused before anything is sent", () => {
  it.each([
    ["without +", "442079460000"],
    ["with spaces", "+44 20 7946 0000"],
    ["with dashes", "+44-20-7946-0000"],
    ["starting with 0", "+0442079460000"],
    ["16 digits", "+4420794600001234"],
    ["empty", ""],
    ["a number", 442079460000],
  ])("a path number %s is refused, naming phoneNumber", async (_label, value) => {
    const { phones, seen } = offline();
    for (const call of [
      () => phones.get(AGENT, bad(value)),
      () => phones.importOne(AGENT, bad(value)),
      () => phones.reassign(AGENT, bad(value), "CONN-7d2f9a"),
      () => phones.delete(AGENT, bad(value)),
    ]) {
      const err = await refusal(call());
      expect(err.field).toBe("phoneNumber");
    }
    expect(seen).toHaveLength(0);
  });

  it("a bad number in a list names its index, for every list method", async () => {
    const { phones, seen } = offline();
    const list = [NUMBER, "+442079460001", "020 7946 0002"];
    for (const call of [
      () => phones.import(AGENT, list),
      () => phones.batchGet(AGENT, list),
      () => phones.deleteMany(AGENT, list),
    ]) {
      const err = await refusal(call());
      expect(err.field).toBe("phoneNumbers[2]");
      expect(err.message).toContain("E.164");
    }
    expect(seen).toHaveLength(0);
  });

  it("an empty list, a duplicate, a hole and a non-array are refused", async () => {
    const { phones, seen } = offline();
    expect((await refusal(phones.import(AGENT, []))).field).toBe("phoneNumbers");
    const dup = await refusal(phones.deleteMany(AGENT, [NUMBER, "+442079460001", NUMBER]));
    expect(dup.field).toBe("phoneNumbers[2]");
    expect(dup.reason).toContain("duplicates phoneNumbers[0]");
    // eslint-disable-next-line no-sparse-arrays
    const hole = await refusal(phones.batchGet(AGENT, bad([NUMBER, , "+442079460001"])));
    expect(hole.field).toBe("phoneNumbers[1]");
    expect((await refusal(phones.batchGet(AGENT, bad(NUMBER)))).field).toBe("phoneNumbers");
    expect(seen).toHaveLength(0);
  });

  it("a clientEnv outside sandbox, pre-release and live is refused, naming the values", async () => {
    const { phones, seen } = offline();
    const err = await refusal(phones.import(AGENT, [NUMBER], bad({ clientEnv: "staging" })));
    expect(err.field).toBe("settings.clientEnv");
    expect(err.reason).toBe('"staging" is not one of sandbox, pre-release, live');
    const one = await refusal(phones.importOne(AGENT, NUMBER, bad({ clientEnv: "LIVE" })));
    expect(one.field).toBe("settings.clientEnv");
    expect(seen).toHaveLength(0);
  });

  it("unknown keys in settings and the filter are refused with a suggestion", async () => {
    const { phones, seen } = offline();
    const env = await refusal(phones.import(AGENT, [NUMBER], bad({ clientenv: "live" })));
    expect(env.field).toBe("settings.clientenv");
    expect(env.reason).toContain('did you mean "clientEnv"?');
    const filter = await refusal(phones.list(AGENT, bad({ connector: "CONN-7d2f9a" })));
    expect(filter.field).toBe("filter.connector");
    const again = await refusal(phones.import(AGENT, [NUMBER], bad({ phoneNumbers: [NUMBER] })));
    expect(again.field).toBe("settings.phoneNumbers");
    const connector = await refusal(phones.reassign(AGENT, NUMBER, bad(null)));
    expect(connector.field).toBe("connectorId");
    const filterId = await refusal(phones.list(AGENT, { connectorId: "CONN 7d2f9a" }));
    expect(filterId.field).toBe("filter.connectorId");
    expect(seen).toHaveLength(0);
  });
});

describe("messages say what a valid value looks like", () => {
  it("a connector ID is shown as one, a list names its items, null in settings says to leave it out", async () => {
    const { phones, seen } = offline();
    const id = await refusal(phones.reassign(AGENT, NUMBER, " CONN-b"));
    expect(id.reason).toBe(
      'contains whitespace at index 0; expected a connector ID, like "CONN-7d2f9a"',
    );
    const list = await refusal(phones.batchGet(AGENT, bad(NUMBER)));
    expect(list.reason).toBe("expected an array of E.164 phone numbers, got a string");
    const nullEnv = await refusal(phones.import(AGENT, [NUMBER], bad({ clientEnv: null })));
    expect(nullEnv.field).toBe("settings.clientEnv");
    expect(nullEnv.reason).toBe("cannot be null; leave the key out instead");
    expect(seen).toHaveLength(0);
  });
});

describe("on the wire", () => {
  /** A loopback server that records the raw request and answers with `answer(req)`. */
  async function serve(answer: (req: IncomingMessage, body: string) => [number, unknown]) {
    const seen: { method: string; url: string; body: string }[] = [];
    const server = await startServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString()));
      req.on("end", () => {
        seen.push({ method: req.method ?? "", url: req.url ?? "", body });
        const [status, json] = answer(req, body);
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(json));
      });
    });
    closers.push(server.close);
    const poly = createPolyAIClient({
      apiKey: KEY,
      baseUrl: server.url,
      maxRetries: 1,
      backoff: { initialMs: 1 },
    });
    return { phones: poly.phoneNumbers, seen };
  }

  it("the number in the path reads the same under every decoding a server may apply", async () => {
    const { phones, seen } = await serve(() => [200, number(NUMBER)]);
    await phones.get(AGENT, NUMBER);
    const segment = seen[0]?.url.split("/").at(-1) ?? "";
    expect(segment).toBe("%2B442079460000");
    // Path decoding and form decoding (where a literal + would become a space) agree.
    expect(decodeURIComponent(segment)).toBe(NUMBER);
    expect(new URLSearchParams(`n=${segment}`).get("n")).toBe(NUMBER);
  });

  it("each method sends its method, path and body", async () => {
    const { phones, seen } = await serve((req, body) => {
      const parsed = body ? (JSON.parse(body) as Record<string, unknown>) : {};
      const path = req.url ?? "";
      if (req.method === "GET" && path.includes("?"))
        return [200, { phoneNumbers: [number(NUMBER, "CONN-7d2f9a")] }];
      if (req.method === "GET" && path.endsWith("phone-numbers"))
        return [200, { phoneNumbers: [] }];
      if (req.method === "GET") return [200, number(NUMBER)];
      if (req.method === "POST" && path.endsWith("/batch"))
        return [200, { found: [number(NUMBER)], notFound: ["+442079460001"] }];
      if (req.method === "POST" && path.endsWith("phone-numbers"))
        return [201, { imported: parsed["phoneNumbers"] }];
      if (req.method === "POST") return [201, { imported: NUMBER }];
      if (req.method === "PATCH") return [200, number(NUMBER, parsed["connectorId"] as string)];
      if (req.method === "DELETE" && path.endsWith("phone-numbers"))
        return [200, { deleted: parsed["phoneNumbers"] }];
      return [200, { deleted: NUMBER }];
    });
    const base = `/v1/agents/${AGENT}/telephony/phone-numbers`;
    const one = `${base}/%2B442079460000`;
    await expect(phones.list(AGENT)).resolves.toEqual([]);
    await expect(phones.list(AGENT, { connectorId: "CONN-7d2f9a" })).resolves.toHaveLength(1);
    await expect(phones.get(AGENT, NUMBER)).resolves.toEqual(number(NUMBER));
    await expect(phones.batchGet(AGENT, [NUMBER, "+442079460001"])).resolves.toEqual({
      found: [number(NUMBER)],
      notFound: ["+442079460001"],
    });
    await expect(phones.import(AGENT, [NUMBER], { clientEnv: "sandbox" })).resolves.toEqual({
      imported: [NUMBER],
    });
    await expect(phones.importOne(AGENT, NUMBER)).resolves.toEqual({ imported: NUMBER });
    await expect(phones.importOne(AGENT, NUMBER, { clientEnv: "live" })).resolves.toEqual({
      imported: NUMBER,
    });
    await expect(phones.reassign(AGENT, NUMBER, "CONN-3c1b0e")).resolves.toEqual(
      number(NUMBER, "CONN-3c1b0e"),
    );
    await expect(phones.delete(AGENT, NUMBER)).resolves.toEqual({ deleted: NUMBER });
    await expect(phones.deleteMany(AGENT, [NUMBER])).resolves.toEqual({
      deleted: [NUMBER],
      errors: [],
    });
    expect(seen.map((r) => [r.method, r.url, r.body])).toEqual([
      ["GET", base, ""],
      ["GET", `${base}?connectorId=CONN-7d2f9a`, ""],
      ["GET", one, ""],
      ["POST", `${base}/batch`, JSON.stringify({ phoneNumbers: [NUMBER, "+442079460001"] })],
      ["POST", base, JSON.stringify({ phoneNumbers: [NUMBER], clientEnv: "sandbox" })],
      ["POST", one, "{}"],
      ["POST", one, JSON.stringify({ clientEnv: "live" })],
      ["PATCH", one, JSON.stringify({ connectorId: "CONN-3c1b0e" })],
      ["DELETE", one, ""],
      ["DELETE", base, JSON.stringify({ phoneNumbers: [NUMBER] })],
    ]);
  });

  it("a write that failed with 503 is retried, and its 201 accepted", async () => {
    let calls = 0;
    const { phones, seen } = await serve(() =>
      ++calls === 1
        ? [
            503,
            {
              success: false,
              error: "Service unavailable",
              error_id: "c",
              error_code: "INTERNAL_SERVER_ERROR",
              error_message: "down",
              data: null,
            },
          ]
        : [201, { imported: [NUMBER] }],
    );
    await expect(phones.import(AGENT, [NUMBER])).resolves.toEqual({ imported: [NUMBER] });
    expect(seen).toHaveLength(2);
    expect(seen[0]?.body).toBe(seen[1]?.body);
  });
});

describe("answers", () => {
  async function answering(status: number, json: unknown) {
    const server = await startServer((req, res) => {
      req.resume();
      req.on("end", () => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(json));
      });
    });
    closers.push(server.close);
    return createPolyAIClient({ apiKey: KEY, baseUrl: server.url, maxRetries: 0 }).phoneNumbers;
  }

  async function invalid(pending: Promise<unknown>): Promise<string> {
    const err = await pending.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(APIError);
    expect((err as APIError).code).toBe("INVALID_RESPONSE");
    return (err as APIError).message;
  }

  it("keeps the errors the API sends with deleteMany", async () => {
    const phones = await answering(200, {
      deleted: [NUMBER],
      errors: [{ phoneNumber: "+442079460001", error: "Phone number does not exist." }],
    });
    await expect(phones.deleteMany(AGENT, [NUMBER, "+442079460001"])).resolves.toEqual({
      deleted: [NUMBER],
      errors: [{ phoneNumber: "+442079460001", error: "Phone number does not exist." }],
    });
  });

  it.each([
    [
      "an import answer without imported",
      201,
      {},
      (p: ReturnType<typeof offline>["phones"]) => p.import(AGENT, [NUMBER]),
      "imported: is missing",
    ],
    [
      "an import that leaves a number out",
      201,
      { imported: [] },
      (p: ReturnType<typeof offline>["phones"]) => p.import(AGENT, [NUMBER]),
      "is not in imported",
    ],
    [
      "another number than the one asked for",
      200,
      number("+442079460009"),
      (p: ReturnType<typeof offline>["phones"]) => p.get(AGENT, NUMBER),
      'number is "+442079460009"',
    ],
    [
      "a reassign that routes elsewhere",
      200,
      number(NUMBER, "CONN-other"),
      (p: ReturnType<typeof offline>["phones"]) => p.reassign(AGENT, NUMBER, "CONN-7d2f9a"),
      'connectorId is "CONN-other"',
    ],
    [
      "a filtered list with another connector's number",
      200,
      { phoneNumbers: [number(NUMBER, "CONN-other")] },
      (p: ReturnType<typeof offline>["phones"]) => p.list(AGENT, { connectorId: "CONN-7d2f9a" }),
      "phoneNumbers[0] routes to",
    ],
    [
      "a deleteMany that skips a number",
      200,
      { deleted: [] },
      (p: ReturnType<typeof offline>["phones"]) => p.deleteMany(AGENT, [NUMBER]),
      "is in neither deleted nor errors",
    ],
    [
      "a batch that answers twice",
      200,
      { found: [number(NUMBER)], notFound: [NUMBER] },
      (p: ReturnType<typeof offline>["phones"]) => p.batchGet(AGENT, [NUMBER]),
      "already answered",
    ],
    [
      "a connectorId that is not a string",
      200,
      { ...number(NUMBER), connectorId: 7 },
      (p: ReturnType<typeof offline>["phones"]) => p.get(AGENT, NUMBER),
      "connectorId: expected a string",
    ],
  ])("refuses %s as INVALID_RESPONSE", async (_label, status, json, call, problem) => {
    const phones = await answering(status, json);
    expect(await invalid(call(phones))).toContain(problem);
  });
});
