// The mock's test controls (faults, latency, the request log, close) and its
// guard rails (seed checks, self-validation, the CLI), driven with raw fetch.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  createMockPolyAI,
  MockSpecViolationError,
  type MockPolyAI,
  type SeedConnector,
} from "../src/testing/index.js";
import { ConnectorStore } from "../src/testing/store.js";
import type { Connector } from "../src/types.js";

const KEY = "test-key";
const ONE = "/v1/agents/PROJECT-58RP822I/telephony/connectors/CONN-7d2f9a";
const seedPath = new URL("../examples/seed.json", import.meta.url);
const { connectors } = JSON.parse(readFileSync(seedPath, "utf8")) as {
  connectors: SeedConnector[];
};
const first = connectors[0] as SeedConnector;

let mock: MockPolyAI;
beforeEach(async () => {
  mock = await createMockPolyAI({ apiKey: KEY, connectors });
});
afterEach(async () => {
  vi.restoreAllMocks();
  await mock.close();
});

function get(init: RequestInit = {}): Promise<Response> {
  return fetch(`${mock.url}${ONE}`, { ...init, headers: { "x-api-key": KEY } });
}

describe("failNext", () => {
  it("answers queued 503s in order, then normally", async () => {
    mock.failNext({ status: 503, times: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await get()).status);
    expect(statuses).toEqual([503, 503, 200]);
    const res = await (mock.failNext(), get());
    const body = (await res.json()) as { error_code: string; error_id: string };
    expect([res.status, body.error_code]).toEqual([503, "INTERNAL_SERVER_ERROR"]);
    expect(res.headers.get("x-polyai-correlation-id")).toBe(body.error_id);
  });

  it("sends Retry-After on a 429: seconds, an HTTP date, or 1 by default", async () => {
    const date = "Wed, 21 Oct 2026 07:28:00 GMT";
    mock.failNext({ status: 429, retryAfter: 2 });
    mock.failNext({ status: 429, retryAfter: date });
    mock.failNext({ status: 429 });
    const answers = [await get(), await get(), await get()];
    expect(answers.map((r) => [r.status, r.headers.get("retry-after")])).toEqual([
      [429, "2"],
      [429, date],
      [429, "1"],
    ]);
    expect(((await answers[0]?.json()) as { error_code: string }).error_code).toBe("RATE_LIMITED");
  });

  it("sends a raw body as given, with its content type", async () => {
    mock.failNext({
      status: 502,
      body: "<html><body>Bad gateway</body></html>",
      contentType: "text/html",
    });
    mock.failNext({ status: 500, body: '{"success":false,"err' });
    const html = await get();
    expect([html.status, html.headers.get("content-type"), await html.text()]).toEqual([
      502,
      "text/html",
      "<html><body>Bad gateway</body></html>",
    ]);
    const truncated = await get();
    expect([truncated.status, await truncated.text()]).toEqual([500, '{"success":false,"err']);
    expect(truncated.headers.get("content-type")).toMatch(/^text\/plain/);
  });

  it("uses errorCode and message in the envelope", async () => {
    mock.failNext({ status: 403, errorCode: "ACCOUNT_INSUFFICIENT_PERMISSIONS", message: "no" });
    const body = (await (await get()).json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      success: false,
      error: "Forbidden",
      error_code: "ACCOUNT_INSUFFICIENT_PERMISSIONS",
      error_message: "no",
      data: null,
    });
  });

  it("resets the connection without an answer, then serves the next request", async () => {
    mock.failNext({ reset: true });
    await expect(get()).rejects.toThrow(TypeError);
    expect((await get()).status).toBe(200);
    expect(mock.requests).toHaveLength(2);
  });

  it("holds one answer back past a client timeout, and close() does not wait for it", async () => {
    // #20: held far longer than the test may run: close() returning at all shows it did not wait.
    mock.failNext({ delayMs: 3_600_000 });
    await expect(get({ signal: AbortSignal.timeout(100) })).rejects.toThrow(/abort|timeout/i);
    await mock.close();
  });

  it("rejects contradictory or out-of-range options at the call", () => {
    expect(() => mock.failNext({ reset: true, status: 503 })).toThrow(/reset/);
    expect(() => mock.failNext({ status: 200 })).toThrow(/status/);
    expect(() => mock.failNext({ times: 0 })).toThrow(/times/);
    expect(() => mock.failNext({ retryAfter: 1.5 })).toThrow(/retryAfter/);
    expect(() => mock.failNext({ contentType: "text/html" })).toThrow(/body/);
    expect(() => mock.delay(-1)).toThrow(RangeError);
  });
});

describe("latency, the request log, reset", () => {
  it("delays every answer until turned off", async () => {
    mock.delay(150);
    const started = Date.now();
    expect((await get()).status).toBe(200);
    // A lower bound: a busy machine only makes it longer.
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    // #20: off means no delay at all: after an hour's delay is turned off, the answer comes.
    mock.delay(3_600_000);
    mock.delay(0);
    expect((await get()).status).toBe(200);
  });

  it("records method, raw path, headers with the key redacted, and the body", async () => {
    await fetch(`${mock.url}${ONE}?x=1`, {
      method: "PATCH",
      headers: {
        "x-api-key": KEY,
        authorization: "Bearer secret",
        "content-type": "application/json",
      },
      body: JSON.stringify({ asrLangCode: "en-US" }),
    });
    await fetch(`${mock.url}${ONE}`, {
      method: "PATCH",
      headers: { "x-api-key": KEY }, // a body without the right key is not kept (mock-abuse)
      body: "not json",
    });
    await get();
    const [patch, raw, plain] = mock.requests;
    expect(patch).toMatchObject({
      method: "PATCH",
      path: `${ONE}?x=1`,
      body: { asrLangCode: "en-US" },
    });
    expect(patch?.headers).toMatchObject({
      "x-api-key": "[redacted]",
      authorization: "[redacted]",
      "content-type": "application/json",
    });
    expect(raw).toMatchObject({ body: "not json", headers: { "x-api-key": "[redacted]" } });
    expect(plain?.body).toBeUndefined();
    expect(JSON.stringify(mock.requests)).not.toMatch(/test-key|secret/);
  });

  it("reset() forgets requests, faults and latency but keeps the connectors", async () => {
    await fetch(`${mock.url}${ONE}`, { method: "DELETE", headers: { "x-api-key": KEY } });
    mock.failNext({ status: 503 });
    // #20: an hour, so the answer coming at all shows reset() removed it.
    mock.delay(3_600_000);
    mock.reset();
    expect(mock.requests).toEqual([]);
    expect((await get()).status).toBe(404);
    expect(mock.connectors.map((c) => c.connectorId)).not.toContain("CONN-7d2f9a");
  });

  it("hands out copies, so a test cannot change the mock's state by accident", () => {
    const copy = mock.connectors;
    (copy[0] as Connector).voiceName = "changed";
    expect(mock.connectors[0]?.voiceName).toBe(first.voiceName);
  });
});

describe("close", () => {
  it("releases the port", async () => {
    const port = Number(new URL(mock.url).port);
    await get(); // leaves a keep-alive connection open
    await mock.close();
    await expect(fetch(`http://127.0.0.1:${port}${ONE}`)).rejects.toThrow(TypeError);
    const again = createServer();
    await new Promise<void>((resolve, reject) =>
      again.once("error", reject).listen(port, "127.0.0.1", resolve),
    );
    await new Promise((resolve) => again.close(resolve));
  });

  it("listens on the port it is given", async () => {
    const port = Number(new URL(mock.url).port);
    await mock.close();
    mock = await createMockPolyAI({ apiKey: KEY, port });
    expect(mock.url).toBe(`http://127.0.0.1:${port}`);
  });
});

describe("guard rails", () => {
  it("answers 500 and reports when its own answer breaks the spec", async () => {
    await mock.close();
    const reported: Error[] = [];
    mock = await createMockPolyAI({
      apiKey: KEY,
      connectors,
      onSpecViolation: (err) => reported.push(err),
    });
    const broken = { ...first, clientEnv: "staging" } as unknown as Connector;
    vi.spyOn(ConnectorStore.prototype, "get").mockReturnValue(broken);
    const res = await get();
    const body = (await res.json()) as { error_code: string; error_message: string };
    expect([res.status, body.error_code]).toEqual([500, "INTERNAL_SERVER_ERROR"]);
    expect(reported).toHaveLength(1);
    expect(reported[0]).toBeInstanceOf(MockSpecViolationError);
    expect(reported[0]?.message).toMatch(/getConnector.*clientEnv/);
    await expect(mock.close()).rejects.toBe(reported[0]);
    mock = await createMockPolyAI({ apiKey: KEY }); // for afterEach
  });

  it.each([
    [
      "an unknown field",
      [{ ...first, voicename: "x" }],
      /connectors\[0\]\.voicename: unknown field/,
    ],
    [
      "a missing required field",
      [{ ...first, voiceName: undefined }],
      /connectors\[0\]\.voiceName: is required/,
    ],
    [
      "a bad clientEnv",
      [{ ...first, clientEnv: "prod" }],
      /connectors\[0\]\.clientEnv: must be one of "sandbox", "pre-release", "live", got "prod"/,
    ],
    [
      "a number not in E.164",
      [{ ...first, phoneNumbers: ["020 7946 0000"] }],
      /connectors\[0\]\.phoneNumbers\[0\]: /,
    ],
    [
      "a number on two connectors",
      [first, { ...first, connectorId: "CONN-2" }],
      /connectors\[1\]\.phoneNumbers\[0\]: .*already routed/,
    ],
    [
      "a connector seeded twice",
      [
        { ...first, phoneNumbers: [] },
        { ...first, phoneNumbers: [] },
      ],
      /connectors\[1\]\.connectorId: .*twice/,
    ],
    [
      "a connectorId that names an endpoint",
      [{ ...first, connectorId: "batch" }],
      /connectors\[0\]\.connectorId: /,
    ],
    [
      "a voiceName that is not a voice",
      [{ ...first, voiceName: "bad" }],
      /connectors\[0\]\.voiceName: .*not a Google TTS voice name/,
    ],
    [
      "a ttsLangCode the server would not derive from its voice",
      [{ ...first, voiceName: "en-GB-Neural2-A", ttsLangCode: "en-US" }],
      /connectors\[0\]\.ttsLangCode: is "en-US", but the server derives "en-GB" from voiceName/,
    ],
    [
      "a ttsLangCode in another case than the server writes",
      [{ ...first, voiceName: "en-US-Neural2-A", ttsLangCode: "EN-us" }],
      /connectors\[0\]\.ttsLangCode: is "EN-us", but the server derives "en-US"/,
    ],
  ])("refuses a seed with %s", async (_name, seed, message) => {
    await expect(
      createMockPolyAI({ connectors: JSON.parse(JSON.stringify(seed)) as SeedConnector[] }),
    ).rejects.toThrow(message);
  });
});

describe("polyai-connectors-mock (the CLI)", () => {
  /** Starts the bin on a free port; `use` gets its URL and banner, then it gets SIGINT. */
  async function withBin(
    args: string[],
    use: (url: string, banner: string) => Promise<void>,
  ): Promise<void> {
    const cli = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "src/testing/cli.ts",
        "--port",
        "0",
        "--seed",
        seedPath.pathname,
        ...args,
      ],
      {
        cwd: new URL("..", import.meta.url).pathname,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    try {
      let out = "";
      cli.stdout.setEncoding("utf8");
      const url = await new Promise<string>((resolve, reject) => {
        cli.stdout.on("data", (chunk: string) => {
          out += chunk;
          const found = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
          if (found?.[1] && out.includes("Ctrl-C")) resolve(found[1]);
        });
        cli.once("exit", (code) => reject(new Error(`CLI exited early (${String(code)}): ${out}`)));
      });
      await use(url, out);
      const exited = new Promise<number | null>((resolve) => cli.once("exit", resolve));
      cli.kill("SIGINT");
      expect(await exited).toBe(0);
    } finally {
      if (cli.exitCode === null) cli.kill("SIGKILL");
    }
  }

  it("prints the URL, its own default key but never one given, serves the seed, and exits 0 on SIGINT", async () => {
    await withBin(["--api-key", "cli-test-key"], async (url, banner) => {
      // #20: a CI job may give the mock its real key; the log must not show it.
      expect(banner).not.toContain("cli-test-key");
      expect(banner).toContain("API key:    the one given by --api-key");
      const res = await fetch(`${url}${ONE}`, { headers: { "x-api-key": "cli-test-key" } });
      expect(((await res.json()) as Connector).name).toBe(first.name);
    });
    // The default is the mock's own: without it the user could not call the mock.
    await withBin([], async (url, banner) => {
      expect(banner).toContain("API key:    test-key");
      expect(banner).toContain("curl -H 'x-api-key: test-key'");
      const res = await fetch(`${url}${ONE}`, { headers: { "x-api-key": "test-key" } });
      expect(res.status).toBe(200);
    });
  }, 30_000);
});
