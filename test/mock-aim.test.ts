// The mock as a user's vitest suite drives it: faults aimed at one operation,
// method or path; seeds that give only what the test is about; and agents the
// mock does not serve answered as PolyAI answers a project the key cannot reach.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  InternalServerError,
  PermissionDeniedError,
  createPolyAIClient,
  type PolyAIClient,
} from "../src/index.js";
import {
  createMockPolyAI,
  type MockConnector,
  type MockPolyAI,
  type MockPolyAIOptions,
  type SeedConnector,
} from "../src/testing/index.js";
import { specIndex } from "../src/testing/validate.js";
import { repoRoot } from "./support/fixtures.js";
import { runMockBin } from "./support/node-process.js";

const KEY = "test-key";
const AGENT = "PROJECT-58RP822I";
const BASE = `/v1/agents/${AGENT}/telephony`;

const main: SeedConnector = {
  connectorId: "CONN-main",
  voiceName: "en-GB-Neural2-A",
  agentId: AGENT,
  phoneNumbers: ["+442079460000"],
};
const support: SeedConnector = { connectorId: "CONN-support", voiceName: "en-US-Wavenet-B" };

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** A mock with `main` (under AGENT) and `support` (minimal, so under PROJECT-LOCAL), and a client that never retries. */
async function start(
  options: MockPolyAIOptions = {},
): Promise<{ mock: MockPolyAI; poly: PolyAIClient }> {
  const mock = await createMockPolyAI({ apiKey: KEY, connectors: [main, support], ...options });
  closers.push(() => mock.close());
  const poly = createPolyAIClient({ apiKey: KEY, baseUrl: mock.url, maxRetries: 0 });
  return { mock, poly };
}

/** The status a call ends with: 200 for a success, else the error's status. */
async function statusOf(call: Promise<unknown>): Promise<number> {
  try {
    await call;
    return 200;
  } catch (err) {
    return (err as { status?: number }).status ?? -1;
  }
}

describe("failNext aims at one operation", () => {
  it("fails exactly the batchUpdateConnectors call after a get and a list that pass", async () => {
    const { mock, poly } = await start();
    mock.failNext({ operation: "batchUpdateConnectors", status: 503 });

    const one = await poly.connectors.get(AGENT, "CONN-main");
    const all = await poly.connectors.list(AGENT);
    expect(all.map((c) => c.connectorId)).toEqual(["CONN-main"]);
    const write = poly.connectors.batchUpdate(AGENT, [
      { connectorId: one.connectorId, voiceName: "en-US-Neural2-C" },
    ]);
    await expect(write).rejects.toBeInstanceOf(InternalServerError);
    await expect(write).rejects.toMatchObject({ status: 503, attempts: 1 });

    expect(mock.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET ${BASE}/connectors/CONN-main`,
      `GET ${BASE}/connectors`,
      `PATCH ${BASE}/connectors/batch`,
    ]);
    expect(mock.connectors[0]?.voiceName).toBe("en-GB-Neural2-A"); // the write never landed
    // The fault was used up: the same write now goes through.
    const [result] = await poly.connectors.batchUpdate(AGENT, [
      { connectorId: "CONN-main", voiceName: "en-US-Neural2-C" },
    ]);
    expect(result).toMatchObject({ success: true, data: { ttsLangCode: "en-US" } });
  });

  it("waits for its operation however many other requests come first", async () => {
    const { mock, poly } = await start();
    mock.failNext({ operation: "deleteConnector", status: 500 });
    for (let i = 0; i < 5; i++) await poly.connectors.get(AGENT, "CONN-main");
    await poly.connectors.update(AGENT, "CONN-main", { variantId: "VARIANT-renamed" });
    expect(await statusOf(poly.connectors.delete(AGENT, "CONN-main"))).toBe(500);
    expect(mock.connectors.map((c) => c.connectorId)).toContain("CONN-main");
  });

  it("refuses an operation the spec does not have, with a did-you-mean or the list", async () => {
    const { mock, poly } = await start();
    expect(() => mock.failNext({ operation: "batchUpdateConnector" as never })).toThrow(
      'failNext: operation "batchUpdateConnector" is not an operation of the spec; did you mean "batchUpdateConnectors"?',
    );
    expect(() => mock.failNext({ operation: "BATCHUPDATECONNECTORS" as never })).toThrow(
      'did you mean "batchUpdateConnectors"?',
    );
    expect(() => mock.failNext({ operation: "frobnicate" as never })).toThrow(
      /not an operation of the spec; the spec's operations are listConnectors, .*batchUpdateConnectors/,
    );
    expect(() => mock.failNext({ operation: 42 as never })).toThrow(
      "failNext: operation must be an operationId string, got 42",
    );
    // Nothing was queued by the refused calls.
    await expect(poly.connectors.list(AGENT)).resolves.toHaveLength(1);
  });

  it("refuses aims that could never match", async () => {
    const { mock } = await start();
    expect(() => mock.failNext({ operation: "getConnector", method: "PATCH" })).toThrow(
      "failNext: operation getConnector is GET, so method PATCH would never match it",
    );
    expect(() =>
      mock.failNext({ operation: "getConnector", path: `${BASE}/connectors/batch` }),
    ).toThrow(/does not route to getConnector .*would never match/);
    expect(() => mock.failNext({ method: "FETCH" })).toThrow(
      'failNext: method must be one of GET, PUT, POST, DELETE, OPTIONS, HEAD, PATCH, TRACE (in any case), got "FETCH"',
    );
    expect(() => mock.failNext({ path: "v1/agents" })).toThrow(
      /must be a pathname starting with "\/"/,
    );
    expect(() => mock.failNext({ path: `${mock.url}${BASE}/connectors` })).toThrow(
      /must be a pathname/,
    );
    expect(() => mock.failNext({ path: `${BASE}/phone-numbers?connectorId=CONN-main` })).toThrow(
      /leave out the query string/,
    );
    expect(() => mock.failNext({ path: 7 as never })).toThrow(
      "failNext: path must be a string or a RegExp, got 7",
    );
    expect(() => mock.failNext({ oepration: "getConnector" } as never)).toThrow(
      'failNext: "oepration" is not an option',
    );
  });
});

describe("failNext aims at a method or a path", () => {
  it("matches the method in any case; other methods pass", async () => {
    const { mock, poly } = await start();
    mock.failNext({ method: "patch", status: 502 });
    expect(await statusOf(poly.connectors.get(AGENT, "CONN-main"))).toBe(200);
    expect(await statusOf(poly.connectors.batchGet(AGENT, ["CONN-main"]))).toBe(200); // POST
    expect(
      await statusOf(poly.connectors.update(AGENT, "CONN-main", { variantId: "VARIANT-x" })),
    ).toBe(502);
    expect(
      await statusOf(poly.connectors.update(AGENT, "CONN-main", { variantId: "VARIANT-x" })),
    ).toBe(200);
  });

  it("matches a path string against the pathname, as sent or percent-decoded", async () => {
    const { mock, poly } = await start();
    mock.failNext({ path: `${BASE}/connectors/CONN-main`, status: 503 });
    expect(await statusOf(poly.connectors.list(AGENT))).toBe(200);
    expect(await statusOf(poly.connectors.batchGet(AGENT, ["CONN-main"]))).toBe(200);
    expect(await statusOf(poly.connectors.get(AGENT, "CONN-main"))).toBe(503);
    expect(await statusOf(poly.connectors.get(AGENT, "CONN-main"))).toBe(200);

    // The SDK sends "+" as %2B; either spelling aims at the number.
    mock.failNext({ path: `${BASE}/phone-numbers/+442079460000`, status: 503 });
    mock.failNext({ path: `${BASE}/phone-numbers/%2B442079460000`, status: 502 });
    expect(await statusOf(poly.phoneNumbers.list(AGENT))).toBe(200);
    expect(await statusOf(poly.phoneNumbers.get(AGENT, "+442079460000"))).toBe(503);
    expect(await statusOf(poly.phoneNumbers.get(AGENT, "+442079460000"))).toBe(502);
    expect(mock.requests.at(-1)?.path).toBe(`${BASE}/phone-numbers/%2B442079460000`);
  });

  it("does not match a path string against the query string or a prefix", async () => {
    const { mock, poly } = await start();
    mock.failNext({ path: `${BASE}/phone-numbers`, status: 503 });
    expect(await statusOf(poly.phoneNumbers.get(AGENT, "+442079460000"))).toBe(200); // longer path
    // The query string is not part of the pathname, so a filtered list matches.
    expect(await statusOf(poly.phoneNumbers.list(AGENT, { connectorId: "CONN-main" }))).toBe(503);
    expect(mock.requests.at(-1)?.path).toBe(`${BASE}/phone-numbers?connectorId=CONN-main`);
  });

  it("tests a RegExp on the pathname, and a global RegExp keeps no state between requests", async () => {
    const { mock, poly } = await start();
    mock.failNext({ path: /\/connectors\/batch$/g, status: 503, times: 2 });
    expect(await statusOf(poly.connectors.get(AGENT, "CONN-main"))).toBe(200);
    expect(await statusOf(poly.connectors.batchGet(AGENT, ["CONN-main"]))).toBe(503);
    expect(await statusOf(poly.connectors.batchGet(AGENT, ["CONN-main"]))).toBe(503);
    expect(await statusOf(poly.connectors.batchGet(AGENT, ["CONN-main"]))).toBe(200);
    // A RegExp sees the decoded form too.
    mock.failNext({ path: /\/phone-numbers\/\+44/, reset: true });
    expect(await statusOf(poly.phoneNumbers.list(AGENT))).toBe(200);
    await expect(poly.phoneNumbers.get(AGENT, "+442079460000")).rejects.toThrow();
    expect(await statusOf(poly.phoneNumbers.get(AGENT, "+442079460000"))).toBe(200);
  });

  it("needs every aim it sets to match", async () => {
    const { mock, poly } = await start();
    mock.failNext({ method: "GET", path: /CONN-main$/, status: 503 });
    expect(await statusOf(poly.connectors.list(AGENT))).toBe(200); // GET, other path
    expect(
      await statusOf(poly.connectors.update(AGENT, "CONN-main", { variantId: "VARIANT-x" })),
    ).toBe(200);
    expect(await statusOf(poly.connectors.get(AGENT, "CONN-main"))).toBe(503);
  });
});

describe("times and order with aimed faults", () => {
  it("counts only matching requests", async () => {
    const { mock, poly } = await start();
    mock.failNext({ method: "PATCH", status: 503, times: 2 });
    const update = () =>
      statusOf(poly.connectors.update(AGENT, "CONN-main", { variantId: "VARIANT-x" }));
    const get = () => statusOf(poly.connectors.get(AGENT, "CONN-main"));
    expect([await get(), await update(), await get(), await get(), await update()]).toEqual([
      200, 503, 200, 200, 503,
    ]);
    expect([await update(), await get()]).toEqual([200, 200]);
  });

  it("gives a request the first queued fault that matches it", async () => {
    const { mock, poly } = await start();
    const update = () =>
      statusOf(poly.connectors.update(AGENT, "CONN-main", { variantId: "VARIANT-x" }));
    const get = () => statusOf(poly.connectors.get(AGENT, "CONN-main"));

    // An aimed fault first: a GET skips it and takes the unaimed one behind it.
    mock.failNext({ method: "PATCH", status: 502 });
    mock.failNext({ status: 503 });
    expect([await get(), await get(), await update(), await update()]).toEqual([
      503, 200, 502, 200,
    ]);

    // An unaimed fault first: the PATCH takes it, the aimed one waits for the next PATCH.
    mock.failNext({ status: 503 });
    mock.failNext({ method: "PATCH", status: 502 });
    expect([await update(), await get(), await update()]).toEqual([503, 200, 502]);
  });

  it("keeps unaimed faults as before: the next request, whatever it is", async () => {
    const { mock, poly } = await start();
    mock.failNext({ status: 503, times: 2 });
    expect(await statusOf(poly.connectors.list(AGENT))).toBe(503);
    expect(await statusOf(poly.phoneNumbers.list(AGENT))).toBe(503);
    expect(await statusOf(poly.connectors.list(AGENT))).toBe(200);
  });

  it("reset() drops aimed faults still waiting", async () => {
    const { mock, poly } = await start();
    mock.failNext({ operation: "deleteConnector" });
    mock.reset();
    expect(await statusOf(poly.connectors.delete(AGENT, "CONN-main"))).toBe(200);
  });

  it("fires before the key is checked, like every fault", async () => {
    const { mock } = await start();
    mock.failNext({ operation: "listConnectors", status: 503 });
    const res = await fetch(`${mock.url}${BASE}/connectors`, {
      headers: { "x-api-key": "wrong-key" },
    });
    expect(res.status).toBe(503);
  });
});

describe("seeds need only what matters", () => {
  it("fills in the defaults of a seed with only connectorId and voiceName", async () => {
    const { mock, poly } = await start();
    const expected = {
      connectorId: "CONN-support",
      name: "CONN-support",
      accountId: "ws-local",
      projectId: "PROJECT-LOCAL",
      clientEnv: "live",
      variantId: "",
      asrLangCode: "en-US",
      ttsLangCode: "en-US",
      voiceName: "en-US-Wavenet-B",
      disableHandoff: false,
    };
    await expect(poly.connectors.get("PROJECT-LOCAL", "CONN-support")).resolves.toStrictEqual(
      expected,
    );
    expect(mock.connectors[1]).toStrictEqual({ ...expected, agentId: "PROJECT-LOCAL" });
  });

  it("serves a minimal seed end to end: an SDK update returns the derived fields", async () => {
    const { mock, poly } = await start();
    const updated = await poly.connectors.update(AGENT, "CONN-main", {
      voiceName: "de-DE-Wavenet-B",
    });
    expect(updated).toStrictEqual({
      connectorId: "CONN-main",
      name: "CONN-main",
      accountId: "ws-local",
      projectId: AGENT, // the agentId given
      clientEnv: "live",
      variantId: "",
      asrLangCode: "en-GB", // from the seed's voice; an update of the voice leaves it
      ttsLangCode: "de-DE", // derived from the new voice
      voiceName: "de-DE-Wavenet-B",
      disableHandoff: false,
    });
    await expect(poly.connectors.lookup(AGENT, "+442079460000")).resolves.toStrictEqual(updated);
    expect(mock.phoneNumbers).toEqual([
      {
        number: "+442079460000",
        agentId: AGENT,
        projectId: AGENT,
        accountId: "ws-local",
        clientEnv: "live",
        connectorId: "CONN-main",
      },
    ]);
  });

  it("keeps every field a seed gives, and derives the languages from a Chirp voice", async () => {
    const { poly } = await start({
      connectors: [
        {
          connectorId: "CONN-es",
          voiceName: "es-US-Chirp3-HD-Achernar",
          name: "Línea",
          accountId: "ws-fd112d8f",
          projectId: "PROJECT-K4T7Q2ZD",
          clientEnv: "sandbox",
          disableHandoff: true,
        },
      ],
    });
    await expect(poly.connectors.list("PROJECT-K4T7Q2ZD")).resolves.toStrictEqual([
      {
        connectorId: "CONN-es",
        name: "Línea",
        accountId: "ws-fd112d8f",
        projectId: "PROJECT-K4T7Q2ZD",
        clientEnv: "sandbox",
        variantId: "",
        asrLangCode: "es-US",
        ttsLangCode: "es-US",
        voiceName: "es-US-Chirp3-HD-Achernar",
        disableHandoff: true,
      },
    ]);
  });

  it.each<[string, unknown, RegExp | string]>([
    ["no voiceName", { connectorId: "CONN-x" }, "connectors[0].voiceName: is required"],
    ["no connectorId", { voiceName: "en-GB-Neural2-A" }, "connectors[0].connectorId: is required"],
    [
      "a clientEnv outside the enum",
      { connectorId: "CONN-x", voiceName: "en-GB-Neural2-A", clientEnv: "staging" },
      'connectors[0].clientEnv: must be one of "sandbox", "pre-release", "live", got "staging"',
    ],
    [
      "a ttsLangCode the voice does not give",
      { connectorId: "CONN-x", voiceName: "en-GB-Neural2-A", ttsLangCode: "en-US" },
      /connectors\[0\]\.ttsLangCode: is "en-US", but the server derives "en-GB"/,
    ],
    [
      "a voice that is not a voice name",
      { connectorId: "CONN-x", voiceName: "Neural2" },
      /connectors\[0\]\.voiceName: "Neural2" is not a Google TTS voice name/,
    ],
    [
      "a null in place of a default",
      { connectorId: "CONN-x", voiceName: "en-GB-Neural2-A", variantId: null },
      /connectors\[0\]\.variantId: must be string, got null/,
    ],
    [
      "a bad agentId",
      { connectorId: "CONN-x", voiceName: "en-GB-Neural2-A", agentId: "has space" },
      /connectors\[0\]\.agentId: must match pattern/,
    ],
  ])("refuses a seed with %s, naming the field", async (_name, seed, message) => {
    await expect(createMockPolyAI({ connectors: [seed as SeedConnector] })).rejects.toThrow(
      message,
    );
  });
});

describe("the mock knows its agents", () => {
  it("documents 403 on every operation of the spec", () => {
    const missing = specIndex()
      .operations.filter((op) => !op.responses.has("403"))
      .map((op) => op.operationId);
    expect(missing).toEqual([]);
  });

  it("answers 403 USER_ACCESS_FORBIDDEN for an agent it does not serve; the SDK throws PermissionDeniedError", async () => {
    const { mock, poly } = await start();
    const list = poly.connectors.list("PROJECT-UNKNOWN");
    await expect(list).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(list).rejects.toMatchObject({
      status: 403,
      code: "USER_ACCESS_FORBIDDEN",
      message: expect.stringContaining(
        "The API key has no access to project PROJECT-UNKNOWN",
      ) as unknown,
    });
    // Every operation under the agent, reads and writes alike.
    for (const call of [
      () => poly.connectors.get("PROJECT-UNKNOWN", "CONN-main"),
      () =>
        poly.connectors.batchUpdate("PROJECT-UNKNOWN", [
          { connectorId: "CONN-main", variantId: "VARIANT-x" },
        ]),
      () => poly.phoneNumbers.list("PROJECT-UNKNOWN"),
      () => poly.phoneNumbers.import("PROJECT-UNKNOWN", ["+442079460009"]),
    ])
      await expect(call()).rejects.toBeInstanceOf(PermissionDeniedError);
    // Nothing changed, and every 403 passed the mock's own check against the spec
    // (close() rejects if any answer broke it).
    expect(mock.phoneNumbers.map((n) => n.number)).toEqual(["+442079460000"]);
    await mock.close();
  });

  it("serves agents with seeded connectors or numbers, or listed in allowedProjects", async () => {
    const { poly } = await start({
      phoneNumbers: [{ number: "+442079460003", agentId: "PROJECT-NUMBERS" }],
      allowedProjects: [AGENT, "PROJECT-EMPTY"],
    });
    await expect(poly.connectors.list("PROJECT-LOCAL")).resolves.toHaveLength(1);
    await expect(poly.connectors.list("PROJECT-NUMBERS")).resolves.toEqual([]);
    await expect(poly.connectors.list("PROJECT-EMPTY")).resolves.toEqual([]);
    await expect(poly.phoneNumbers.importOne("PROJECT-EMPTY", "+442079460004")).resolves.toEqual({
      imported: "+442079460004",
    });
    await expect(poly.connectors.list("PROJECT-OTHER")).rejects.toBeInstanceOf(
      PermissionDeniedError,
    );
  });

  it("still serves an agent after its last connector is deleted", async () => {
    const { poly } = await start();
    await poly.connectors.delete("PROJECT-LOCAL", "CONN-support");
    await expect(poly.connectors.list("PROJECT-LOCAL")).resolves.toEqual([]);
  });

  it("says in mock.connectors which agent each connector is served under", async () => {
    const { mock, poly } = await start();
    const state: MockConnector[] = mock.connectors;
    expect(mock.connectors[0]?.agentId).toBe(AGENT);
    expect(state.map((c) => [c.connectorId, c.agentId])).toEqual([
      ["CONN-main", AGENT],
      ["CONN-support", "PROJECT-LOCAL"],
    ]);
    // A connector moved to another project stays under its agent.
    await poly.connectors.update(AGENT, "CONN-main", { projectId: "PROJECT-LOCAL" });
    expect(mock.connectors[0]).toMatchObject({ projectId: "PROJECT-LOCAL", agentId: AGENT });
    // The API's answers never carry it.
    const [listed] = await poly.connectors.list(AGENT);
    expect(listed).not.toHaveProperty("agentId");
  });
});

describe("polyai-connectors-mock prints its usage only for command-line mistakes, and its version when asked", () => {
  it("names the seed's bad field without the usage, and the usage once for a bad flag", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mock-aim-"));
    try {
      const seed = join(dir, "seed.json");
      writeFileSync(
        seed,
        JSON.stringify([
          { connectorId: "CONN-x", voiceName: "en-GB-Neural2-A", clientEnv: "prod" },
        ]),
      );
      const [bad, flag, version] = await Promise.all([
        runMockBin("--port", "0", "--seed", seed),
        runMockBin("--prot", "4010"),
        runMockBin("--version"),
      ]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain(
        'connectors[0].clientEnv: must be one of "sandbox", "pre-release", "live", got "prod"',
      );
      expect(bad.stderr).not.toContain("Usage:");

      expect(flag.code).toBe(2);
      expect(flag.stderr.match(/Usage:/g)).toHaveLength(1);

      // --version prints the package's version, as the other bin does.
      const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as {
        version: string;
      };
      expect(version).toMatchObject({ code: 0, stdout: `${pkg.version}\n`, stderr: "" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("polyai-connectors-mock quotes no seed text raw, and its hint fits the failure", () => {
  /** Runs the bin with `--seed` a file of `bytes`. */
  async function withSeed(bytes: string) {
    const dir = mkdtempSync(join(tmpdir(), "mock-aim-"));
    try {
      const seed = join(dir, "seed.json");
      writeFileSync(seed, bytes);
      return await runMockBin("--port", "0", "--seed", seed);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const SEED_HINT = "--help describes the seed file";
  const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

  it("names a file that is not JSON by line and column, quoting none of it", async () => {
    // #20: JSON.parse's message quoted these; the terminal cleared and retitled itself.
    const [escapes, key] = await Promise.all([
      withSeed("\u001b[2J\u001b]0;PWNED\u0007"),
      withSeed("sk-live-REALKEY-0123456789abcdef\n"),
    ]);
    for (const run of [escapes, key]) {
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/seed\.json: not valid JSON: .*\(line 1, column 1\)/);
      expect(run.stderr).toContain(SEED_HINT);
      expect(run.stderr).not.toMatch(CONTROL);
    }
    expect(escapes.stderr).not.toContain("PWNED");
    expect(key.stderr).not.toContain("sk-live");
  });

  it("escapes the controls of a key or value it names from valid JSON", async () => {
    const [key, value] = await Promise.all([
      withSeed('{"\\u001b]0;PWNED\\u0007": 1}'),
      withSeed(
        JSON.stringify([
          { connectorId: "CONN-x", voiceName: "en-GB-Neural2-A", clientEnv: "\u009b2J\u001b[2J" },
        ]),
      ),
    ]);
    expect(key.stderr).toContain("unknown key(s) \\u001b]0;PWNED\\u0007;");
    expect(value.stderr).toContain("connectors[0].clientEnv: must be one of");
    expect(value.stderr).toContain('got "\\u009b2J\\u001b[2J"');
    for (const run of [key, value]) {
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(SEED_HINT);
      expect(run.stderr).not.toMatch(CONTROL);
    }
  });

  it("names the host and port it cannot listen on, not the seed", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    closers.push(() => new Promise((resolve) => taken.close(() => resolve())));
    const port = (taken.address() as AddressInfo).port;
    const [inUse, notHere] = await Promise.all([
      runMockBin("--port", String(port), "--seed", "examples/seed.json"),
      // 192.0.2.1 is TEST-NET-1 (RFC 5737): no interface of this machine; nothing is sent.
      runMockBin("--port", "0", "--host", "192.0.2.1"),
    ]);
    expect(inUse.code).toBe(2);
    expect(inUse.stderr).toContain(`cannot listen on 127.0.0.1 port ${port}: EADDRINUSE`);
    expect(inUse.stderr).toContain("--port 0 picks a free one");
    expect(notHere.code).toBe(2);
    expect(notHere.stderr).toContain("cannot listen on 192.0.2.1 port 0: EADDRNOTAVAIL");
    expect(notHere.stderr).toContain("--host 192.0.2.1 is not an address of this machine");
    for (const run of [inUse, notHere]) expect(run.stderr).not.toContain("seed");
  });
});
