// The local PolyAI under abuse (#20): bodies over the limit, bodies without the
// right key, a long-running request log, batches of 200,000 items, and clients
// served beside a hostile one. node:http requests with their own connection let a
// test decide what is sent and when; nothing here decides by elapsed time.
import { once } from "node:events";
import { request, type ClientRequest, type IncomingHttpHeaders } from "node:http";
import { connect } from "node:net";
import type { Writable } from "node:stream";
import { inspect } from "node:util";
import { describe, expect, it, vi } from "vitest";
import { createMockPolyAI, type MockPolyAI, type SeedConnector } from "../src/testing/index.js";
import { ApiFault, orFault, Refusal } from "../src/testing/envelope.js";
import { integerFlag } from "../src/testing/flags.js";
import { MAX_BODY_LIMIT } from "../src/testing/limits.js";
import { heldBytes } from "../src/testing/recorded.js";
import { RECORDED_BODY_BUDGET, RequestLog } from "../src/testing/request-log.js";
import { specIndex } from "../src/testing/validate.js";
import { mockPerTest } from "./support/mock-per-test.js";
import { runMockBin } from "./support/node-process.js";

const KEY = "test-key";
const AGENT = "PROJECT-LOCAL";
const CONNECTORS = `/v1/agents/${AGENT}/telephony/connectors`;
const BATCH = `${CONNECTORS}/batch`;
const NUMBERS = `/v1/agents/${AGENT}/telephony/phone-numbers`;
const MiB = 1024 * 1024;
const JSON_HEADERS = { "x-api-key": KEY, "content-type": "application/json" };
// Every test here takes at most a few seconds on a busy machine (about 1 s
// quiet); this only stops a hang. A quadratic validation of 200k items takes
// minutes, so it fails here instead of passing slowly.
const HANG_GUARD = 120_000;

const seed: SeedConnector[] = [
  { connectorId: "CONN-main", voiceName: "en-GB-Neural2-A" },
  { connectorId: "CONN-night", voiceName: "en-GB-Wavenet-B" },
];

let mock: MockPolyAI;
/** Replaces this test's mock with one started with `options`. */
const restart = mockPerTest({ apiKey: KEY, connectors: seed }, (started) => (mock = started));

interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** One request on a connection of its own, whose body the test writes. */
interface Exchange {
  readonly req: ClientRequest;
  /** The final answer, whole; rejects if the connection ends without one. */
  readonly answer: Promise<Answer>;
  /** Whether the answer's status line has arrived. */
  answered(): boolean;
  /** Statuses of `1xx` answers received before the final one. */
  readonly interim: number[];
  /** Resolves when the connection is closed, by either side. */
  readonly closed: Promise<unknown>;
}

function open(method: string, path: string, headers: Record<string, string>): Exchange {
  const interim: number[] = [];
  let answered = false;
  const req = request(`${mock.url}${path}`, { method, headers, agent: false });
  req.on("information", (info) => interim.push(info.statusCode));
  const answer = new Promise<Answer>((resolve, reject) => {
    req.once("response", (res) => {
      answered = true;
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.once("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      res.once("error", reject);
    });
    // Once the answer is in, the server closing on the rest of our body is expected.
    req.on("error", (err) => {
      if (!answered) reject(err);
    });
  });
  answer.catch(() => {}); // awaited by the test; never an unhandled rejection
  return {
    req,
    answer,
    answered: () => answered,
    interim,
    closed: new Promise((resolve) => req.once("close", resolve)),
  };
}

/**
 * Writes `chunk` to `stream` as fast as it takes it (waiting for `drain`) while
 * `going()`, at most 1 GiB, or until `stop` settles. Returns the bytes written: all
 * the server could have read, plus what the two sockets' kernel buffers hold.
 */
async function writeWhile(
  stream: Writable,
  chunk: Buffer,
  going: () => boolean,
  stop: Promise<unknown>,
): Promise<number> {
  let written = 0;
  while (going() && !stream.destroyed && written < 1024 * MiB) {
    written += chunk.length;
    if (!stream.write(chunk)) await Promise.race([once(stream, "drain").catch(() => {}), stop]);
  }
  return written;
}

/** Sends body chunks of 64 KiB until the answer arrives; the bytes written. */
function pump(exchange: Exchange): Promise<number> {
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  const answered = exchange.answer.catch(() => {});
  return writeWhile(exchange.req, chunk, () => !exchange.answered(), answered);
}

/**
 * A hostile client on a raw socket: sends a POST with `framing` headers, then body
 * bytes as fast as the connection takes them, ignoring the answer, until the server
 * closes the connection. Returns the start of the answer and the bytes written.
 */
async function flood(
  framing: Record<string, string>,
): Promise<{ answer: string; written: number }> {
  const socket = connect(Number(new URL(mock.url).port), "127.0.0.1");
  socket.on("error", () => {}); // the server closing on the body is the point
  const closed = new Promise((resolve) => socket.once("close", resolve));
  let answer = "";
  socket.on("data", (data: Buffer) => (answer += data.toString("latin1")));
  const head = Object.entries({ ...JSON_HEADERS, ...framing, host: "localhost" })
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join("");
  socket.write(`POST ${BATCH} HTTP/1.1\r\n${head}\r\n`);
  const data = " ".repeat(64 * 1024);
  // For a chunked body, each write is one chunk of 64 KiB (10000 in hex).
  const chunk = Buffer.from(framing["transfer-encoding"] ? `10000\r\n${data}\r\n` : data);
  const written = await writeWhile(socket, chunk, () => true, closed);
  await closed;
  return { answer, written };
}

/** A POST of a batch with `headers` (over JSON_HEADERS) and none of its body: the answer, and any 1xx before it. */
async function headersOnly(
  headers: Record<string, string>,
): Promise<Answer & { interim: number[] }> {
  const exchange = open("POST", BATCH, { ...JSON_HEADERS, ...headers });
  exchange.req.flushHeaders();
  try {
    return { ...(await exchange.answer), interim: exchange.interim };
  } finally {
    exchange.req.destroy();
  }
}

/**
 * A POST of a batch announcing `length` bytes whose client goes away after `sent`
 * of them, once the mock reads the body (its `100 Continue` says so).
 */
async function abandon(length: number, sent: number): Promise<void> {
  const gone = open("POST", BATCH, {
    ...JSON_HEADERS,
    "content-length": String(length),
    expect: "100-continue",
  });
  gone.req.flushHeaders();
  await once(gone.req, "continue");
  gone.req.write(" ".repeat(sent));
  gone.req.destroy();
}

function envelopeOf(answer: Answer): Record<string, unknown> {
  return JSON.parse(answer.body) as Record<string, unknown>;
}

/** A GET of the connectors on its own connection: the probe another client sends. */
async function probe(): Promise<number> {
  const res = await fetch(`${mock.url}${CONNECTORS}`, { headers: { "x-api-key": KEY } });
  await res.arrayBuffer();
  return res.status;
}

const ids = (n: number) =>
  Array.from({ length: n }, (_, i) => `CONN-${String(i).padStart(6, "0")}`);

describe(
  "a body over maxBodyBytes is answered 413 and its connection closed",
  { timeout: HANG_GUARD },
  () => {
    it("answers 413 PAYLOAD_TOO_LARGE in PolyAI's envelope, with Connection: close", async () => {
      const res = await fetch(`${mock.url}${BATCH}`, {
        method: "POST",
        headers: JSON_HEADERS,
        body: JSON.stringify({ connectorIds: ids(100_000) }), // about 1.3 MB
      });
      const body = (await res.json()) as Record<string, unknown>;
      expect([res.status, res.headers.get("connection")]).toEqual([413, "close"]);
      expect(body).toEqual({
        success: false,
        error: "Payload too large",
        error_id: res.headers.get("x-polyai-correlation-id"),
        error_code: "PAYLOAD_TOO_LARGE",
        error_message: expect.stringMatching(/^body: larger than the 1048576 bytes .*maxBodyBytes/),
        data: null,
      });
      expect(await probe()).toBe(200); // and the mock carries on
    });

    it("refuses a Content-Length over the limit before any of the body is sent", async () => {
      // 600 MB: the size that once left a request unanswered. Not one byte is written.
      const answer = await headersOnly({ "content-length": "600000000" });
      expect([answer.status, answer.headers.connection]).toEqual([413, "close"]);
      expect(envelopeOf(answer)["error_code"]).toBe("PAYLOAD_TOO_LARGE");
    });

    it.each([
      ["a Content-Length of 600 MB", { "content-length": "600000000" }],
      ["an endless chunked body", { "transfer-encoding": "chunked" }],
    ])(
      "reads no more of %s from a client that ignores the answer and keeps sending",
      async (_, framing) => {
        const hostile = await flood(framing);
        expect(hostile.answer).toMatch(/^HTTP\/1\.1 413 /);
        // A server that drained the rest would take 600 MB (or 1 GiB) before closing.
        expect(hostile.written).toBeLessThan(128 * MiB);
      },
    );

    it("stops reading an endless body once it passes the limit and answers while the client still sends", async () => {
      await restart({ maxBodyBytes: 64 * 1024 });
      // A chunked body with no end: a server that waited for it, or buffered it,
      // would never answer (the hang guard fails the test).
      const exchange = open("POST", BATCH, JSON_HEADERS);
      const written = await pump(exchange);
      const answer = await exchange.answer;
      expect(answer.status).toBe(413);
      expect(exchange.req.writableEnded).toBe(false); // the body never ended
      // All the client got onto the wire: the limit plus what the sockets' kernel
      // buffers hold, far from the 1 GiB it would send.
      expect(written).toBeLessThan(128 * MiB);
      await exchange.closed; // and the connection is closed (the hang guard says if not)
      expect(await probe()).toBe(200);
    });

    it("answers a body of exactly the limit, and refuses one byte more", async () => {
      const valid = JSON.stringify({ connectorIds: ["CONN-main"] });
      await restart({ maxBodyBytes: valid.length });
      const post = (body: string) =>
        fetch(`${mock.url}${BATCH}`, { method: "POST", headers: JSON_HEADERS, body });
      expect((await post(valid)).status).toBe(200);
      expect((await post(`${valid} `)).status).toBe(413);
    });

    it("answers 413 instead of 100 Continue, so the client never sends the body", async () => {
      const answer = await headersOnly({
        "content-length": String(2 * MiB),
        expect: "100-continue",
      });
      expect([answer.status, answer.interim]).toEqual([413, []]);
    });

    it("still sends 100 Continue for a body within the limit, then answers it", async () => {
      const body = JSON.stringify({ connectorIds: ["CONN-main"] });
      const exchange = open("POST", BATCH, {
        ...JSON_HEADERS,
        "content-length": String(body.length),
        expect: "100-continue",
      });
      exchange.req.once("continue", () => exchange.req.end(body));
      exchange.req.flushHeaders();
      const answer = await exchange.answer;
      expect([answer.status, exchange.interim]).toEqual([200, [100]]);
    });

    it("records the request without its body, before latency and faults", async () => {
      mock.failNext({ status: 503 });
      mock.delay(60_000); // neither applies: the refusal goes out at once
      const res = await fetch(`${mock.url}${BATCH}`, {
        method: "POST",
        headers: JSON_HEADERS,
        body: "x".repeat(MiB + 1),
      });
      expect(res.status).toBe(413);
      expect(mock.requests.at(-1)).toMatchObject({ method: "POST", path: BATCH, body: undefined });
      expect(mock.requestCount).toBe(1);
      mock.delay(0);
      expect(await probe()).toBe(503); // the fault still waits for the next request
    });

    it("is an option checked like the others", async () => {
      for (const bad of [-1, 1.5, "1MB", 2 ** 40])
        await expect(createMockPolyAI({ maxBodyBytes: bad as number })).rejects.toThrow(
          /^createMockPolyAI: maxBodyBytes must be an integer from 0 to \d+, got /,
        );
    });

    it("names NaN and Infinity as such in the option's error, not as JSON's null", async () => {
      for (const [bad, named] of [
        [NaN, "NaN"],
        [Infinity, "Infinity"],
        [-Infinity, "-Infinity"],
      ] as const) {
        await expect(createMockPolyAI({ maxBodyBytes: bad })).rejects.toThrow(
          new RegExp(`maxBodyBytes must be an integer from 0 to \\d+, got ${named}$`),
        );
        await expect(createMockPolyAI({ maxRecordedRequests: bad })).rejects.toThrow(
          new RegExp(`maxRecordedRequests must be an integer from 0 to \\d+, got ${named}$`),
        );
      }
    });

    it("with maxBodyBytes: 0 refuses every body and still answers requests without one", async () => {
      await restart({ maxBodyBytes: 0 });
      expect(await probe()).toBe(200);
      const res = await fetch(`${mock.url}${BATCH}`, {
        method: "POST",
        headers: JSON_HEADERS,
        body: "{}",
      });
      expect(res.status).toBe(413);
      await res.arrayBuffer();
    });
  },
);

describe("the bin's numeric flags take decimal digits only", { timeout: HANG_GUARD }, () => {
  it("refuses an empty, blank, hex or exponent value, naming the flag", () => {
    for (const raw of ["", " ", "0x10", "1e3", "+5", "-1", "1.0", "１"])
      for (const [flag, max] of [
        ["max-body-bytes", MAX_BODY_LIMIT],
        ["port", 65535],
      ] as const) {
        expect(() => integerFlag(flag, raw, 0, max)).toThrow(RangeError);
        expect(() => integerFlag(flag, raw, 0, max)).toThrow(
          `--${flag} must be a whole number from 0 to ${max} in decimal digits, got ${JSON.stringify(raw)}`,
        );
      }
    expect(() => integerFlag("port", "65536", 0, 65535)).toThrow(/--port .* got "65536"/);
    expect([integerFlag("port", "0", 0, 65535), integerFlag("port", "04010", 0, 65535)]).toEqual([
      0, 4010,
    ]);
  });

  it("exits 2 with the usage for `--max-body-bytes=` rather than serving with a limit of 0", async () => {
    const run = await runMockBin("--port", "0", "--max-body-bytes=");
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--max-body-bytes must be a whole number from 0 to");
    expect(run.stderr).toContain("Usage:");
  });

  it("says in --help what 0 and the maximum mean, and that it keeps no request log", async () => {
    const run = await runMockBin("--help");
    expect(run.stdout).toContain(`from 0 to ${MAX_BODY_LIMIT}`);
    expect(run.stdout).toContain("0 refuses every request with a body");
    expect(run.stdout).toContain("keeps no log of the requests");
  });
});

describe("the bodies being read at once are bounded together", { timeout: HANG_GUARD }, () => {
  /** A POST of a batch announcing `length` bytes, of which `sent` are written and the rest held back. */
  function stalled(length: number, sent: number): Exchange {
    const exchange = open("POST", BATCH, { ...JSON_HEADERS, "content-length": String(length) });
    exchange.req.write(" ".repeat(sent));
    return exchange;
  }

  it("answers 503 with Retry-After to the body that would pass the budget, and the others once whole", async () => {
    // #20: 400 clients each sending 1 MiB less 100 bytes and stalling took 400 MB.
    await restart({ maxBodyBytes: 1_000, maxBodyBytesInFlight: 2_500 });
    const three = [stalled(1_000, 900), stalled(1_000, 900), stalled(1_000, 900)];
    // Two fit (1,800 bytes); whichever arrives third does not, whatever the order.
    const refused = await Promise.race(three.map((e) => e.answer.then(() => e)));
    const answer = await refused.answer;
    expect([answer.status, answer.headers["retry-after"], answer.headers.connection]).toEqual([
      503,
      "1",
      "close",
    ]);
    expect(envelopeOf(answer)).toMatchObject({
      error_code: "INTERNAL_SERVER_ERROR",
      error_message: expect.stringContaining("maxBodyBytesInFlight") as string,
    });
    await refused.closed;
    const others = three.filter((e) => e !== refused);
    for (const e of others) e.req.end(" ".repeat(100));
    // Their bodies (spaces, not JSON) are read whole: answered 400, not refused.
    for (const e of others) expect((await e.answer).status).toBe(400);
    // What they held is given back: had it not been, 1,800 + 1,000 would not fit.
    const again = stalled(1_000, 900);
    again.req.end(" ".repeat(100));
    expect((await again.answer).status).toBe(400);
  });

  it("answers 408 in the envelope to a body stalled past requestTimeoutMs, and gives back what it held", async () => {
    await restart({ maxBodyBytes: 1_000, maxBodyBytesInFlight: 1_000, requestTimeoutMs: 100 });
    const stuck = stalled(1_000, 900);
    const answer = await stuck.answer;
    expect([answer.status, answer.headers.connection]).toEqual([408, "close"]);
    expect(envelopeOf(answer)).toMatchObject({
      error_code: "REQUEST_TIMEOUT",
      error_message: "The request did not arrive whole in time (the mock's requestTimeoutMs)",
      error_id: answer.headers["x-polyai-correlation-id"],
    });
    await stuck.closed;
    const whole = stalled(1_000, 900);
    whole.req.end(" ".repeat(100));
    expect((await whole.answer).status).toBe(400); // read whole: the budget was given back
  });

  it("checks requestTimeoutMs like the other options", async () => {
    for (const bad of [-1, 1.5, NaN, 2 ** 31])
      await expect(createMockPolyAI({ requestTimeoutMs: bad })).rejects.toThrow(
        /^createMockPolyAI: requestTimeoutMs must be an integer from 0 to 2147483647, got /,
      );
  });

  it("gives back what a body held when its client goes away", async () => {
    await restart({ maxBodyBytes: 1_000, maxBodyBytesInFlight: 1_000 });
    for (let i = 0; i < 3; i++) {
      await abandon(1_000, 900);
      await vi.waitFor(() => expect(mock.requestCount).toBe(i + 1), { timeout: HANG_GUARD });
    }
    const whole = stalled(1_000, 900);
    whole.req.end(" ".repeat(100));
    expect((await whole.answer).status).toBe(400);
  });

  it("defaults to 64 MiB, or maxBodyBytes when larger, and cannot be less than maxBodyBytes", async () => {
    await expect(
      createMockPolyAI({ maxBodyBytes: 2_000, maxBodyBytesInFlight: 1_999 }),
    ).rejects.toThrow(
      "createMockPolyAI: maxBodyBytesInFlight must be an integer from 2000 to 9007199254740991, got 1999",
    );
    await expect(createMockPolyAI({ maxBodyBytesInFlight: NaN })).rejects.toThrow(/got NaN$/);
    // 64 MiB by default: 70 stalled bodies of 1 MiB cannot all be held.
    const held = Array.from({ length: 70 }, () => stalled(MiB, MiB - 100));
    const refused = await Promise.race(held.map((e) => e.answer.then(() => e)));
    expect((await refused.answer).status).toBe(503);
    for (const e of held) e.req.destroy();
  });
});

describe(
  "a request without the right key is answered 401 and its body not kept",
  { timeout: HANG_GUARD },
  () => {
    it("reads the body off the wire without keeping it, and the connection stays usable", async () => {
      const res = await fetch(`${mock.url}${BATCH}`, {
        method: "POST",
        headers: { ...JSON_HEADERS, "x-api-key": "wrong-key-0" },
        body: JSON.stringify({ connectorIds: ids(50_000) }), // 650 KB, within the limit
      });
      expect([res.status, res.headers.get("connection")]).toEqual([401, "keep-alive"]);
      expect(((await res.json()) as { error_code: string }).error_code).toBe(
        "AUTH_USER_UNAUTHORISED",
      );
      expect(mock.requests.at(-1)).toMatchObject({
        method: "POST",
        headers: { "x-api-key": "[redacted]" },
        body: undefined,
      });
    });

    it("answers 401 at once, with Connection: close, for a body over the limit", async () => {
      const answer = await headersOnly({
        "x-api-key": "wrong-key-0",
        "content-length": "100000000",
      });
      expect([answer.status, answer.headers.connection]).toEqual([401, "close"]);
    });

    it("answers 401 instead of 100 Continue, so the body is never sent", async () => {
      const answer = await headersOnly({
        "x-api-key": "wrong-key-0",
        "content-length": "1000",
        expect: "100-continue",
      });
      expect([answer.status, answer.interim]).toEqual([401, []]);
    });

    it("survives 49 unauthenticated POSTs of 100 MB at once, the attack that once killed it", async () => {
      const attack = Array.from({ length: 49 }, () =>
        open("POST", BATCH, {
          ...JSON_HEADERS,
          "x-api-key": "stolen-key-0",
          "content-length": String(100 * 1000 * 1000),
        }),
      );
      for (const { req } of attack) req.write(Buffer.alloc(64 * 1024, 0x20)); // bodies under way
      const answers = await Promise.all(attack.map((a) => a.answer));
      expect(answers.map((a) => a.status)).toEqual(Array(49).fill(401));
      for (const { req } of attack) req.destroy();
      expect(mock.requests.filter((r) => r.body !== undefined)).toEqual([]);
      expect(await probe()).toBe(200);
    });
  },
);

describe(
  "the request log is bounded and still counts every request",
  { timeout: HANG_GUARD },
  () => {
    it("keeps the last maxRecordedRequests requests; requestCount counts them all", async () => {
      await restart({ maxRecordedRequests: 3 });
      for (const id of ["CONN-main", "CONN-night", "CONN-a", "CONN-b", "CONN-c"])
        await fetch(`${mock.url}${CONNECTORS}/${id}`, { headers: { "x-api-key": KEY } });
      expect(mock.requests.map((r) => r.path)).toEqual(
        ["CONN-a", "CONN-b", "CONN-c"].map((id) => `${CONNECTORS}/${id}`),
      );
      expect(mock.requestCount).toBe(5);
    });

    it("keeps the last 1,000 by default", async () => {
      const paths = Array.from({ length: 1_010 }, (_, i) => `${CONNECTORS}/CONN-${i}`);
      for (let i = 0; i < paths.length; i += 10)
        await Promise.all(
          paths
            .slice(i, i + 10)
            .map((p) => fetch(`${mock.url}${p}`, { headers: { "x-api-key": KEY } })),
        );
      expect(mock.requestCount).toBe(1_010);
      expect(mock.requests).toHaveLength(1_000);
      // The first 10 are forgotten (the first group of 10 arrived before the rest was sent).
      expect(new Set(mock.requests.map((r) => r.path))).toEqual(new Set(paths.slice(10)));
    });

    it("with maxRecordedRequests: 0 keeps none and still counts", async () => {
      await restart({ maxRecordedRequests: 0 });
      expect(await probe()).toBe(200);
      expect([mock.requests, mock.requestCount]).toEqual([[], 1]);
    });

    it("reset() forgets the requests and starts the count again", async () => {
      await probe();
      await probe();
      mock.reset();
      await probe();
      expect([mock.requests.length, mock.requestCount]).toEqual([1, 1]);
    });

    it("drops the oldest requests once their bodies pass the budget, never the newest", () => {
      const log = new RequestLog<number>(1_000);
      const bodies = RECORDED_BODY_BUDGET / MiB + 6;
      for (let i = 0; i < bodies; i++) log.add(i, MiB);
      expect(log.list()).toEqual(Array.from({ length: bodies - 6 }, (_, i) => i + 6));
      log.add(-1, RECORDED_BODY_BUDGET * 2); // alone over budget: kept alone
      expect([log.list(), log.total]).toEqual([[-1], bodies + 1]);
    });

    it("holds each body as the text received, parsed once to validate and again only when read", async () => {
      // #20: 80 such bodies held 1.4 GB as objects while the budget counted 80 MiB.
      const items = Math.floor((MiB - 100) / 3);
      const text = `{"connectorIds":[${"{},".repeat(items - 1)}{}]}`;
      const sent = RECORDED_BODY_BUDGET / MiB + 6;
      // Counted by hand: a spy would keep every parsed result.
      const parse = JSON.parse;
      let count = 0;
      JSON.parse = (t: string, reviver?: Parameters<typeof parse>[1]): unknown => {
        if (t === text) count++;
        return parse(t, reviver) as unknown;
      };
      const parses = () => count;
      try {
        for (let i = 0; i < sent; i++) {
          const res = await fetch(`${mock.url}${BATCH}`, {
            method: "POST",
            headers: JSON_HEADERS,
            body: text,
          });
          expect(res.status).toBe(400); // IDs must be strings
          await res.arrayBuffer();
        }
        expect(parses()).toBe(sent); // validation only: nothing parsed for the log
        const kept = mock.requests;
        expect(kept).toHaveLength(Math.floor(RECORDED_BODY_BUDGET / text.length));
        const last = kept.at(-1);
        expect(Object.getOwnPropertyDescriptor(last, "body")?.get).toBeTypeOf("function");
        const body = last?.body as { connectorIds: unknown[] };
        expect(body.connectorIds).toHaveLength(items);
        expect(last?.body).toBe(body); // parsed once, then kept
        expect(parses()).toBe(sent + 1);
      } finally {
        JSON.parse = parse;
      }
    });

    it("counts a body by what its text takes in memory: two bytes a character past Latin-1", () => {
      expect([heldBytes(""), heldBytes("abc"), heldBytes("café"), heldBytes("5 €")]).toEqual([
        0, 3, 4, 6,
      ]);
    });

    it("shows a recorded body as a value in util.inspect, JSON and spreads", async () => {
      await fetch(`${mock.url}${BATCH}`, {
        method: "POST",
        headers: JSON_HEADERS,
        body: JSON.stringify({ connectorIds: ["CONN-main"] }),
      });
      const [record] = mock.requests;
      const expected = { connectorIds: ["CONN-main"] };
      expect({ ...record }.body).toEqual(expected);
      expect(JSON.parse(JSON.stringify(record)).body).toEqual(expected);
      expect(inspect(record)).toContain("body: { connectorIds: [ 'CONN-main' ] }");
    });

    it("is an option checked like the others", async () => {
      for (const bad of [-1, 2.5, "10"])
        await expect(createMockPolyAI({ maxRecordedRequests: bad as number })).rejects.toThrow(
          /^createMockPolyAI: maxRecordedRequests must be an integer from 0 to \d+, got /,
        );
    });
  },
);

describe("validation is linear in the size of the request", { timeout: HANG_GUARD }, () => {
  /** The body check of `operationId`, as the mock compiled it from the spec. */
  const bodyCheck = (operationId: string) => {
    const check = specIndex().operations.find((o) => o.operationId === operationId)?.body?.check;
    if (!check) throw new Error(`no body check for ${operationId}`);
    return check;
  };

  /** `items` behind a proxy that counts reads of its elements. */
  function counted<T>(items: T[]): { items: T[]; reads: () => number } {
    let reads = 0;
    const proxy = new Proxy(items, {
      get(target, key, receiver) {
        if (typeof key === "string" && /^\d+$/.test(key)) reads++;
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    return { items: proxy, reads: () => reads };
  }

  // Work counted, not timed: comparing every pair reads each item n times.
  it.each([
    ["batchGetConnectors", "connectorIds", (i: number) => `CONN-${i}`],
    ["importPhoneNumbers", "phoneNumbers", (i: number) => `+4420794${String(i).padStart(5, "0")}`],
    [
      "batchUpdateConnectors",
      "updates",
      (i: number) => ({ connectorId: `CONN-${i}`, voiceName: "en-GB-Neural2-A" }),
    ],
  ] as const)(
    "%s reads each item a few times, not once per other item",
    (operationId, field, item) => {
      const n = 5_000;
      const { items, reads } = counted(Array.from({ length: n }, (_, i) => item(i)));
      expect(bodyCheck(operationId)({ [field]: items })).toBeNull();
      expect(reads()).toBeLessThanOrEqual(4 * n);
    },
  );

  it("names the first item that repeats an earlier one", () => {
    const connectorIds = [...ids(10), "CONN-000003", "CONN-000001"];
    expect(bodyCheck("batchGetConnectors")({ connectorIds })).toMatchObject({
      field: "connectorIds",
      message: "must not contain duplicates (items 3 and 10 are identical)",
    });
  });

  it("answers a batch get of 200,000 IDs, found and not found in request order", async () => {
    await restart({ maxBodyBytes: 16 * MiB });
    const connectorIds = [...ids(199_998), "CONN-night", "CONN-main"];
    const res = await fetch(`${mock.url}${BATCH}`, {
      method: "POST",
      headers: JSON_HEADERS,
      body: JSON.stringify({ connectorIds }),
    });
    const body = (await res.json()) as {
      found: { connectorId: string }[];
      notFound: string[];
    };
    expect(res.status).toBe(200);
    expect(body.found.map((c) => c.connectorId)).toEqual(["CONN-night", "CONN-main"]);
    expect(body.notFound).toEqual(connectorIds.slice(0, 199_998));
  });

  it("finds a duplicate at the end of 200,000 IDs", async () => {
    await restart({ maxBodyBytes: 16 * MiB });
    const connectorIds = [...ids(199_999), "CONN-000007"];
    const res = await fetch(`${mock.url}${BATCH}`, {
      method: "POST",
      headers: JSON_HEADERS,
      body: JSON.stringify({ connectorIds }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error_message: string }).error_message).toBe(
      "connectorIds: must not contain duplicates (items 7 and 199999 are identical)",
    );
  });

  it("imports 200,000 phone numbers in one request", async () => {
    await restart({ maxBodyBytes: 16 * MiB });
    const phoneNumbers = Array.from(
      { length: 200_000 },
      (_, i) => `+44207${String(i).padStart(7, "0")}`,
    );
    const res = await fetch(`${mock.url}${NUMBERS}`, {
      method: "POST",
      headers: JSON_HEADERS,
      body: JSON.stringify({ phoneNumbers }),
    });
    expect(res.status).toBe(201);
    expect(((await res.json()) as { imported: string[] }).imported).toEqual(phoneNumbers);
    expect(mock.phoneNumbers).toHaveLength(200_000);
  });
});

describe(
  "a batch whose items fail answers each with a plain result",
  { timeout: HANG_GUARD },
  () => {
    // #20: one Error per failing item, each capturing a stack trace, made a batch of
    // 200,000 failures take 1.5 s. bench/mock-abuse.ts has the time; these check the means.
    it("refuses an item with a Refusal, which is no Error, and a fault carries no stack trace", () => {
      expect(new Refusal(404, "CONNECTORS_NOT_FOUND", "gone")).not.toBeInstanceOf(Error);
      const fault = new ApiFault(404, "CONNECTORS_NOT_FOUND", "Connector CONN-x not found");
      expect(fault).toBeInstanceOf(Error);
      expect(fault.stack).toBe("ApiFault: Connector CONN-x not found");
      expect(() => orFault(new Refusal(403, "USER_ACCESS_FORBIDDEN", "no"))).toThrow(
        expect.objectContaining({ status: 403, code: "USER_ACCESS_FORBIDDEN", message: "no" }),
      );
      // Other errors keep their stack: the limit is restored after each fault.
      expect(new Error("bug").stack).toMatch(/\n\s+at /);
    });

    it("answers a batch update of 200,000 unknown connectors, one failure per item in order", async () => {
      await restart({ maxBodyBytes: 16 * MiB });
      const updates = [
        ...ids(199_999).map((connectorId) => ({ connectorId, variantId: "v1" })),
        { connectorId: "CONN-main", variantId: "v2" },
      ];
      const res = await fetch(`${mock.url}${BATCH}`, {
        method: "PATCH",
        headers: JSON_HEADERS,
        body: JSON.stringify({ updates }),
      });
      const { results } = (await res.json()) as {
        results: { connectorId: string; success: boolean; error?: string }[];
      };
      expect(res.status).toBe(200);
      expect(results).toHaveLength(200_000);
      expect(results[7]).toEqual({
        connectorId: "CONN-000007",
        success: false,
        error: "Connector CONN-000007 not found",
      });
      expect(results.filter((r) => r.success).map((r) => r.connectorId)).toEqual(["CONN-main"]);
      expect(mock.connectors[0]?.variantId).toBe("v2");
    });

    it("answers a delete of 200,000 numbers the agent does not have, each in errors", async () => {
      await restart({
        maxBodyBytes: 16 * MiB,
        phoneNumbers: [{ number: "+442079460001", agentId: AGENT }],
      });
      const phoneNumbers = [
        ...Array.from({ length: 199_999 }, (_, i) => `+44207${String(i).padStart(7, "0")}`),
        "+442079460001",
      ];
      const res = await fetch(`${mock.url}${NUMBERS}`, {
        method: "DELETE",
        headers: JSON_HEADERS,
        body: JSON.stringify({ phoneNumbers }),
      });
      const body = (await res.json()) as {
        deleted: string[];
        errors: { phoneNumber: string; error: string }[];
      };
      expect(res.status).toBe(200);
      expect(body.deleted).toEqual(["+442079460001"]);
      expect(body.errors).toHaveLength(199_999);
      expect(body.errors[5]).toEqual({
        phoneNumber: "+442070000005",
        error: "Phone number +442070000005 not found",
      });
      expect(mock.phoneNumbers).toEqual([]);
    });
  },
);

/** Sends `text` on a raw connection (then a FIN when `end`); resolves with all it got back, once closed. */
async function raw(text: string, end = false): Promise<string> {
  const socket = connect(Number(new URL(mock.url).port), "127.0.0.1");
  socket.on("error", () => {});
  let got = "";
  socket.on("data", (data: Buffer) => (got += data.toString("latin1")));
  const closed = once(socket, "close");
  socket.write(text);
  if (end) socket.end();
  await closed;
  return got;
}

/** An answer read off a raw connection: status, headers (lower-case names), body. */
function parseRaw(text: string): { status: number; headers: Map<string, string>; body: string } {
  const [head = "", body = ""] = text.split("\r\n\r\n");
  const [statusLine = "", ...lines] = head.split("\r\n");
  const headers = new Map(
    lines.map((l) => [
      l.slice(0, l.indexOf(":")).toLowerCase(),
      l.slice(l.indexOf(":") + 1).trim(),
    ]),
  );
  return { status: Number(statusLine.split(" ")[1]), headers, body };
}

describe(
  "a request node's parser refuses is answered in PolyAI's envelope",
  { timeout: HANG_GUARD },
  () => {
    const request = (head: string) =>
      `POST ${BATCH} HTTP/1.1\r\nhost: localhost\r\nx-api-key: ${KEY}\r\ncontent-type: application/json\r\n${head}\r\n`;

    it.each([
      [
        "headers over 16 KB: 431",
        `GET ${CONNECTORS} HTTP/1.1\r\nhost: x\r\nx-big: ${"a".repeat(20_000)}\r\n\r\n`,
        false,
        431,
        "REQUEST_HEADER_FIELDS_TOO_LARGE",
      ],
      [
        "two Content-Lengths: 400",
        request("content-length: 2\r\ncontent-length: 3\r\n") + "{}",
        false,
        400,
        "MALFORMED_REQUEST",
      ],
      [
        "Content-Length with Transfer-Encoding: 400",
        request("content-length: 2\r\ntransfer-encoding: chunked\r\n") + "2\r\n{}\r\n0\r\n\r\n",
        false,
        400,
        "MALFORMED_REQUEST",
      ],
      [
        "a body cut short by the client's FIN: 400",
        request("content-length: 100\r\n") + '{"connectorIds":',
        true,
        400,
        "MALFORMED_REQUEST",
      ],
    ] as const)(
      "%s in the envelope, then the connection closes",
      async (_what, text, end, status, code) => {
        const answer = parseRaw(await raw(text, end));
        expect(answer.status).toBe(status);
        expect(answer.headers.get("connection")).toBe("close");
        expect(answer.headers.get("content-type")).toBe("application/json; charset=utf-8");
        const body = JSON.parse(answer.body) as Record<string, unknown>;
        expect(body).toMatchObject({ success: false, error_code: code, data: null });
        expect(body["error_message"]).toMatch(/^The request is not valid HTTP: .+ \(HPE_\w+\)$/);
        expect(body["error_id"]).toBe(answer.headers.get("x-polyai-correlation-id"));
        expect(await probe()).toBe(200);
      },
    );

    it("counts the request whose body was cut short: the mock had its headers", async () => {
      await raw(`${request("content-length: 100\r\n")}{"connectorIds":`, true);
      expect(mock.requestCount).toBe(1);
    });
  },
);

describe("other clients are answered while one is hostile", { timeout: HANG_GUARD }, () => {
  it("answers a probe while another client sends a large body slowly", async () => {
    const body = JSON.stringify({ connectorIds: ["CONN-main"] }).padEnd(900_000, " ");
    const hostile = open("POST", BATCH, {
      ...JSON_HEADERS,
      "content-length": String(body.length),
    });
    hostile.req.write(body.slice(0, 450_000));
    expect(await probe()).toBe(200);
    expect(hostile.answered()).toBe(false); // still sending: the probe went first
    hostile.req.end(body.slice(450_000));
    expect((await hostile.answer).status).toBe(200);
  });

  it("answers a probe while an endless body is being refused", async () => {
    const hostile = open("POST", BATCH, JSON_HEADERS);
    const pumped = pump(hostile);
    expect(await probe()).toBe(200);
    await pumped;
    expect((await hostile.answer).status).toBe(413);
  });

  it("answers a probe while a batch of 200,000 IDs is under way, and the batch after", async () => {
    await restart({ maxBodyBytes: 16 * MiB });
    const body = JSON.stringify({ connectorIds: [...ids(199_999), "CONN-main"] });
    const hostile = open("POST", BATCH, {
      ...JSON_HEADERS,
      "content-length": String(Buffer.byteLength(body)),
    });
    const half = Math.floor(body.length / 2);
    hostile.req.write(body.slice(0, half));
    expect(await probe()).toBe(200);
    expect(hostile.answered()).toBe(false);
    hostile.req.end(body.slice(half));
    const [answer, after] = await Promise.all([hostile.answer, probe()]);
    expect([answer.status, after]).toEqual([200, 200]);
    expect((JSON.parse(answer.body) as { notFound: string[] }).notFound).toHaveLength(199_999);
  });

  it("keeps answering after a client goes away mid-body", async () => {
    const gone = open("POST", BATCH, { ...JSON_HEADERS, "content-length": "500000" });
    gone.req.write(Buffer.alloc(100_000, 0x20));
    await new Promise((resolve) => setImmediate(resolve));
    gone.req.destroy();
    await expect(gone.answer).rejects.toThrow();
    expect(await probe()).toBe(200);
  });

  it("counts and records a request whose client goes away mid-body, without its body", async () => {
    await abandon(500_000, 100_000); // #20: it went uncounted
    await vi.waitFor(() => expect(mock.requestCount).toBe(1), { timeout: HANG_GUARD });
    expect(mock.requests.map((r) => [r.method, r.path, r.body])).toEqual([
      ["POST", BATCH, undefined],
    ]);
  });
});
