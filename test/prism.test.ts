// Contract test: Stoplight Prism, mocking the bundled spec (generated/openapi.json),
// validates every request the SDK's methods send. Prism checks the path, query,
// headers (including the x-api-key security scheme) and body of each request against
// the spec and answers a 4xx with an `sl-violations` header when one does not conform;
// with --errors it also refuses (500) to send an answer that breaks the spec. So a
// request that gets a 2xx without `sl-violations` is one the spec accepts.
//
// Prism answers with the spec's examples, which the SDK's own answer checks may refuse
// ("the answer is not the connector asked for"): the calls' outcomes are not asserted,
// only the recorded traffic.
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import bundled from "../generated/openapi.json" with { type: "json" };
import { createPolyAIClient, type PolyAIClient } from "../src/index.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const PRISM = "node_modules/@stoplight/prism-cli/dist/index.js";
const KEY = "sk-prism-test-key";
const AGENT = "PROJECT-58RP822I";
const CONN = "CONN-7d2f9a";
const OTHER_CONN = "CONN-3c1b0e";
const NUMBER = "+442079460000";
/** #20: a hang guard; Prism is up in ~2 s on a quiet machine, several times that on a busy one. */
const READY_DEADLINE_MS = 120_000;

interface Exchange {
  method: string;
  url: string;
  requestBody: string;
  status: number;
  violations: string | null;
  responseBody: string;
}

const traffic: Exchange[] = [];
let prism: ChildProcess | undefined;
let prismLog = "";
let baseUrl = "";
let poly: PolyAIClient;

/** globalThis.fetch, recording each request and Prism's answer to it. */
const recordingFetch: typeof globalThis.fetch = async (input, init) => {
  const request = new Request(input, init);
  const requestBody = await request.clone().text();
  const response = await globalThis.fetch(request);
  traffic.push({
    method: request.method,
    url: request.url,
    requestBody,
    status: response.status,
    violations: response.headers.get("sl-violations"),
    responseBody: await response.clone().text(),
  });
  return response;
};

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port assigned");
  return address.port;
}

async function waitUntilReady(child: ChildProcess, url: string): Promise<void> {
  const deadline = Date.now() + READY_DEADLINE_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`Prism exited (${child.exitCode ?? child.signalCode}):\n${prismLog}`);
    try {
      // Any answer, even Prism's 404 for "/", means it is listening.
      const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      await response.body?.cancel();
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`Prism did not answer within ${READY_DEADLINE_MS} ms:\n${prismLog}`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 3_000);
  await exited;
  clearTimeout(timer);
}

beforeAll(async () => {
  const port = await freePort();
  baseUrl = `http://127.0.0.1:${port}`;
  // Request validation is always on in Prism's mock mode; --errors also turns an
  // answer that breaks the spec into a 500 rather than a header-only warning.
  const args = [PRISM, "mock", "generated/openapi.json"];
  args.push("--host", "127.0.0.1", "--port", String(port), "--errors", "-v", "warn");
  prism = spawn(process.execPath, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  prism.stdout?.on("data", (chunk: Buffer) => (prismLog += chunk.toString()));
  prism.stderr?.on("data", (chunk: Buffer) => (prismLog += chunk.toString()));
  await waitUntilReady(prism, baseUrl);
  poly = createPolyAIClient({ apiKey: KEY, baseUrl, maxRetries: 0, fetch: recordingFetch });
}, READY_DEADLINE_MS + 30_000);

afterAll(async () => {
  if (prism) await stop(prism);
});

/** One exchange, as an assertion message shows it. */
const show = (e: Exchange) =>
  [
    `${e.method} ${e.url}`,
    `request body: ${e.requestBody || "(none)"}`,
    `Prism answered ${e.status}`,
    `sl-violations: ${e.violations ?? "(none)"}`,
    `answer body: ${e.responseBody}`,
  ].join("\n  ");

type Case = [name: string, method: string, path: string, call: (p: PolyAIClient) => unknown];

const phoneNumbers = `/v1/agents/${AGENT}/telephony/phone-numbers`;
const connectors = `/v1/agents/${AGENT}/telephony/connectors`;
const numberPath = `${phoneNumbers}/${encodeURIComponent(NUMBER)}`;
const outboundCalls = `/v1/agents/${AGENT}/telephony/outbound-calls`;
const SID = "OUT-550e8400-e29b-41d4-a716-446655440000";

const cases: Case[] = [
  ["phoneNumbers.list", "GET", phoneNumbers, (p) => p.phoneNumbers.list(AGENT)],
  [
    "phoneNumbers.list { connectorId }",
    "GET",
    `${phoneNumbers}?connectorId=${CONN}`,
    (p) => p.phoneNumbers.list(AGENT, { connectorId: CONN }),
  ],
  ["phoneNumbers.get", "GET", numberPath, (p) => p.phoneNumbers.get(AGENT, NUMBER)],
  [
    "phoneNumbers.batchGet",
    "POST",
    `${phoneNumbers}/batch`,
    (p) => p.phoneNumbers.batchGet(AGENT, [NUMBER, "+442079460099"]),
  ],
  [
    "phoneNumbers.import",
    "POST",
    phoneNumbers,
    (p) => p.phoneNumbers.import(AGENT, ["+442079460003", "+442079460004"]),
  ],
  [
    "phoneNumbers.import { clientEnv }",
    "POST",
    phoneNumbers,
    (p) => p.phoneNumbers.import(AGENT, ["+442079460003"], { clientEnv: "sandbox" }),
  ],
  ["phoneNumbers.importOne", "POST", numberPath, (p) => p.phoneNumbers.importOne(AGENT, NUMBER)],
  [
    "phoneNumbers.importOne { clientEnv }",
    "POST",
    numberPath,
    (p) => p.phoneNumbers.importOne(AGENT, NUMBER, { clientEnv: "live" }),
  ],
  [
    "phoneNumbers.reassign",
    "PATCH",
    numberPath,
    (p) => p.phoneNumbers.reassign(AGENT, NUMBER, OTHER_CONN),
  ],
  ["phoneNumbers.delete", "DELETE", numberPath, (p) => p.phoneNumbers.delete(AGENT, NUMBER)],
  [
    "phoneNumbers.deleteMany",
    "DELETE",
    phoneNumbers,
    (p) => p.phoneNumbers.deleteMany(AGENT, ["+442079460004", "+442079460099"]),
  ],
  ["connectors.list", "GET", connectors, (p) => p.connectors.list(AGENT)],
  ["connectors.get", "GET", `${connectors}/${CONN}`, (p) => p.connectors.get(AGENT, CONN)],
  [
    "connectors.update",
    "PATCH",
    `${connectors}/${CONN}`,
    (p) => p.connectors.update(AGENT, CONN, { voiceName: "en-GB-Neural2-A", variantId: null }),
  ],
  ["connectors.delete", "DELETE", `${connectors}/${CONN}`, (p) => p.connectors.delete(AGENT, CONN)],
  [
    "connectors.batchGet",
    "POST",
    `${connectors}/batch`,
    (p) => p.connectors.batchGet(AGENT, [CONN, OTHER_CONN]),
  ],
  [
    "connectors.batchUpdate",
    "PATCH",
    `${connectors}/batch`,
    (p) =>
      p.connectors.batchUpdate(AGENT, [
        { connectorId: CONN, voiceName: "en-GB-Neural2-A" },
        { connectorId: OTHER_CONN, variantId: null },
      ]),
  ],
  [
    "connectors.lookup",
    "POST",
    `${connectors}/lookup`,
    (p) => p.connectors.lookup(AGENT, "+14155550123"),
  ],
  // #23: the trigger, with every field, and a national number with its country code.
  [
    "outboundCalls.create",
    "POST",
    outboundCalls,
    (p) =>
      p.outboundCalls.create(AGENT, {
        toNumber: NUMBER,
        environment: "live",
        variantId: "VARIANT-reminders",
        encryption: "tls_srtp",
        metadata: { customer_name: "Paul Smith" },
      }),
  ],
  [
    "outboundCalls.create { countryCode }",
    "POST",
    outboundCalls,
    (p) =>
      p.outboundCalls.create(AGENT, {
        toNumber: "020 7946 0000",
        countryCode: "GB",
        environment: "sandbox",
      }),
  ],
  [
    "outboundCalls.get",
    "GET",
    `${outboundCalls}/${SID}/status?environment=live`,
    (p) => p.outboundCalls.get(AGENT, SID, { environment: "live" }),
  ],
];

describe("Prism, serving generated/openapi.json, accepts every request the SDK sends", () => {
  it.each(cases)("%s → %s %s", async (_name, method, path, call) => {
    const from = traffic.length;
    // The SDK may refuse Prism's example answer; only the traffic is asserted.
    const outcome = await Promise.resolve()
      .then(() => call(poly))
      .then(
        () => "resolved",
        (e: unknown) => `threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`,
      );
    const sent = traffic.slice(from);
    expect(sent.length, `the call sent no request (${outcome})`).toBeGreaterThan(0);
    expect(
      sent.map((e) => `${e.method} ${new URL(e.url).pathname}${new URL(e.url).search}`),
      `the SDK sent another request than expected (${outcome})`,
    ).toContain(`${method} ${path}`);
    for (const e of sent) {
      const message = `Prism refused the request (call ${outcome}):\n  ${show(e)}\nPrism log:\n${prismLog}`;
      expect(e.violations, message).toBeNull();
      expect(e.status >= 200 && e.status < 300, message).toBe(true);
    }
  });

  it("exercises every operation of the spec", () => {
    const operations = Object.entries(bundled.paths).flatMap(([template, item]) =>
      ["get", "post", "put", "patch", "delete"]
        .filter((m) => m in item)
        .map((m) => ({
          name: `${m.toUpperCase()} ${template}`,
          method: m.toUpperCase(),
          pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}$`),
        })),
    );
    const missing = operations
      .filter(
        (op) =>
          !cases.some(
            ([, method, path]) =>
              method === op.method && op.pattern.test(new URL(path, baseUrl).pathname),
          ),
      )
      .map((op) => op.name);
    expect(missing, "operations with no case above").toEqual([]);
  });
});

describe("Prism validates requests (so the test above can fail)", () => {
  const refusals: [name: string, method: string, path: string, body: unknown][] = [
    ["a number not in E.164 form", "POST", phoneNumbers, { phoneNumbers: ["0207 946 0000"] }],
    ["an unknown body property", "POST", phoneNumbers, { phoneNumbers: [NUMBER], extra: true }],
    ["a path number not in E.164 form", "GET", `${phoneNumbers}/02079460000`, undefined],
  ];

  it.each(refusals)("refuses %s", async (_name, method, path, body) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { "x-api-key": KEY, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    const message = `Prism answered ${response.status}: ${text}`;
    expect(response.status, message).toBeGreaterThanOrEqual(400);
    expect(response.status, message).toBeLessThan(500);
    expect(response.headers.get("sl-violations"), message).toMatch(/"severity":"Error"/);
  });

  it("refuses a request without the API key", async () => {
    const response = await fetch(`${baseUrl}${phoneNumbers}`);
    const text = await response.text();
    expect(response.status, text).toBe(401);
    expect(response.headers.get("sl-violations"), text).toMatch(/security/);
  });
});
