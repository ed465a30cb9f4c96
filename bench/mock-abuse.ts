// The local PolyAI under abuse (#20), as a separate process (the bin), measured from
// outside: how long batches of 20k to 200k IDs take, and what the process reads and
// holds when clients send bodies far over the limit. Prints figures; asserts nothing.
//
//   npx tsx bench/mock-abuse.ts [--runs 5]
//
// Memory is the server process's VmRSS and VmHWM (peak) from /proc, so Linux only.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { request } from "node:http";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { runs: { type: "string", default: "5" } } });
const runs = Number(values.runs);
const AGENT = "PROJECT-58RP822I"; // examples/seed.json
const BATCH = `/v1/agents/${AGENT}/telephony/connectors/batch`;
const NUMBERS = `/v1/agents/${AGENT}/telephony/phone-numbers`;
const HEADERS = { "x-api-key": "test-key", "content-type": "application/json" };
const MB = 1e6;

/** Starts the bin; resolves with its URL and process once it listens. */
function startMock(...args: string[]): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "src/testing/cli.ts",
      "--port",
      "0",
      "--seed",
      "examples/seed.json",
      ...args,
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  process.once("exit", () => child.kill()); // even when this script fails
  return new Promise((resolve, reject) => {
    let out = "";
    // Read its output to the end: a closed pipe would fail its goodbye line.
    child.stdout?.on("data", (chunk) => {
      out += String(chunk);
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      if (url) resolve({ url, child });
    });
    child.once("exit", () => reject(new Error(`the mock exited: ${out}`)));
  });
}

/** Stops the bin and waits for it to exit. */
async function stopMock(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill();
  await exited;
}

/** The server's current and peak resident memory, in MB. */
function memory(child: ChildProcess): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1]) / 1000;
  return { rss: kb("VmRSS"), peak: kb("VmHWM") };
}

/** Sends `body`; resolves with the status and the wall time to the whole answer. */
function post(url: string, body: string, method = "POST"): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  return fetch(url, { method, headers: HEADERS, body }).then(async (res) => {
    await res.arrayBuffer();
    return { status: res.status, ms: performance.now() - started };
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

interface Flood {
  /** The answer's status, or 0 when the connection ended without one. */
  readonly status: number;
  /** Milliseconds to the answer. */
  readonly ms: number;
  /** Bytes the client got onto the wire before the answer, and before the connection closed. */
  readonly beforeAnswer: number;
  readonly beforeClose: number;
}

/**
 * A hostile client: streams an endless chunked body (or `announce` bytes under a
 * Content-Length) as fast as the connection takes it, ignoring the answer, until
 * the server closes the connection or 600 MB are written.
 */
function flood(url: string, key: string, announce?: number): Promise<Flood> {
  const started = performance.now();
  const headers: Record<string, string> = { ...HEADERS, "x-api-key": key };
  if (announce !== undefined) headers["content-length"] = String(announce);
  return new Promise((resolve) => {
    let written = 0;
    let status = 0;
    let ms = NaN;
    let beforeAnswer = NaN;
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const req = request(url, { method: "POST", headers, agent: false }, (res) => {
      [status, ms, beforeAnswer] = [res.statusCode ?? 0, performance.now() - started, written];
      res.resume();
    });
    req.on("error", () => {}); // the server closing on the rest of the body
    req.once("close", () => resolve({ status, ms, beforeAnswer, beforeClose: written }));
    const pump = () => {
      while (!req.destroyed && written < 600 * MB) {
        written += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", pump);
      }
    };
    pump();
  });
}

/** A POST announcing `length` bytes that sends `sent` of them, then nothing; resolves once they are written. */
async function stall(
  url: string,
  length: number,
  sent: number,
): Promise<{ req: ReturnType<typeof request>; status: () => number }> {
  let status = 0;
  const req = request(url, {
    method: "POST",
    headers: { ...HEADERS, "content-length": String(length) },
    agent: false,
  });
  req.on("response", (res) => {
    status = res.statusCode ?? 0;
    res.resume();
  });
  req.on("error", () => {}); // the server closing a refused one
  await new Promise<void>((resolve) => {
    if (req.write(Buffer.alloc(sent, 0x20))) resolve();
    else req.once("drain", resolve).once("close", resolve);
  });
  return { req, status: () => status };
}

const mb = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;

const ids = (n: number) =>
  Array.from({ length: n }, (_, i) => `CONN-${String(i).padStart(6, "0")}`);
const rows: string[][] = [["what", "median", "detail"]];
const progress = (what: string) => process.stderr.write(`… ${what}\n`);

// Batches: the limit raised so that 200k IDs (2.8 MB) get in.
{
  const { url, child } = await startMock("--max-body-bytes", String(64 * MB));
  for (const n of [20_000, 50_000, 100_000, 200_000]) {
    progress(`batch of ${n}`);
    const body = JSON.stringify({ connectorIds: ids(n) });
    const { status } = await post(`${url}${BATCH}`, body); // warm-up
    const times: number[] = [];
    for (let i = 0; i < runs; i++) times.push((await post(`${url}${BATCH}`, body)).ms);
    const ms = median(times);
    rows.push([
      `batch get, ${n} IDs → ${status}`,
      `${ms.toFixed(0)} ms`,
      `${((ms / n) * 1000).toFixed(2)} µs per ID, ${(body.length / MB).toFixed(1)} MB`,
    ]);
  }
  const dup = JSON.stringify({ connectorIds: [...ids(199_999), "CONN-000007"] });
  const dupRuns = [];
  for (let i = 0; i < runs; i++) dupRuns.push(await post(`${url}${BATCH}`, dup));
  rows.push([
    `batch get, 200000 IDs, last repeats one → ${dupRuns[0]?.status}`,
    `${median(dupRuns.map((r) => r.ms)).toFixed(0)} ms`,
    "",
  ]);
  const numbers = JSON.stringify({
    phoneNumbers: Array.from({ length: 200_000 }, (_, i) => `+44207${String(i).padStart(7, "0")}`),
  });
  const imports = [];
  for (let i = 0; i < runs; i++) imports.push(await post(`${url}${NUMBERS}`, numbers));
  rows.push([
    `import, 200000 numbers → ${imports[0]?.status}`,
    `${median(imports.map((r) => r.ms)).toFixed(0)} ms`,
    "first run adds them, later runs find them there",
  ]);
  // #20: batches whose every item fails (each failure was an Error with a stack trace).
  const failing = [
    [
      "batch update, 200000 unknown connectors",
      "PATCH",
      BATCH,
      { updates: ids(200_000).map((connectorId) => ({ connectorId, variantId: "v1" })) },
    ],
    [
      "delete, 200000 numbers the agent lacks",
      "DELETE",
      NUMBERS,
      {
        phoneNumbers: Array.from(
          { length: 200_000 },
          (_, i) => `+44208${String(i).padStart(7, "0")}`,
        ),
      },
    ],
  ] as const;
  for (const [what, method, path, payload] of failing) {
    progress(what);
    const body = JSON.stringify(payload);
    const answers = [];
    for (let i = 0; i < runs; i++) answers.push(await post(`${url}${path}`, body, method));
    rows.push([
      `${what} → ${answers[0]?.status}`,
      `${median(answers.map((r) => r.ms)).toFixed(0)} ms`,
      "every item a failure",
    ]);
  }
  await stopMock(child);
}

// Bodies over the default limit (1 MiB).
{
  const { url, child } = await startMock();
  const before = memory(child);
  rows.push(["server at rest", `${before.rss.toFixed(0)} MB RSS`, ""]);
  progress("600 MB body");
  const one = await flood(`${url}${BATCH}`, "test-key");
  const after = memory(child);
  rows.push([
    `600 MB chunked body → ${one.status}`,
    `${one.ms.toFixed(0)} ms`,
    `client wrote ${mb(one.beforeAnswer)} before the answer, ${mb(one.beforeClose)} before the close; server RSS ${after.rss.toFixed(0)} MB, peak ${after.peak.toFixed(0)} MB`,
  ]);
  progress("Content-Length 600 MB");
  const announced = await flood(`${url}${BATCH}`, "test-key", 600 * MB);
  rows.push([
    `Content-Length 600 MB → ${announced.status}`,
    `${announced.ms.toFixed(0)} ms`,
    `client wrote ${mb(announced.beforeAnswer)} before the answer, ${mb(announced.beforeClose)} before the close`,
  ]);
  progress("49 unauthenticated bodies");
  const attack = await Promise.all(
    Array.from({ length: 49 }, () => flood(`${url}${BATCH}`, "stolen-key-0")),
  );
  const hit = memory(child);
  const total = attack.reduce((sum, a) => sum + a.beforeClose, 0);
  rows.push([
    `49 unauthenticated endless bodies at once → ${[...new Set(attack.map((a) => a.status))].join(",")}`,
    `${median(attack.map((a) => a.ms)).toFixed(0)} ms`,
    `clients wrote ${mb(total)} in all before the closes; server RSS ${hit.rss.toFixed(0)} MB, peak ${hit.peak.toFixed(0)} MB`,
  ]);
  // A probe while a client sends a body slowly (half of it, then nothing).
  const slow = request(`${url}${BATCH}`, {
    method: "POST",
    headers: { ...HEADERS, "content-length": "900000" },
    agent: false,
  });
  slow.on("error", () => {});
  slow.write(Buffer.alloc(450_000, 0x20));
  const probes = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const res = await fetch(`${url}/v1/agents/${AGENT}/telephony/connectors`, { headers: HEADERS });
    await res.arrayBuffer();
    probes.push(performance.now() - started);
  }
  rows.push(["probe during a slow body", `${median(probes).toFixed(1)} ms`, ""]);
  slow.destroy();
  // #20: 400 clients each send all but 100 bytes of a 1 MiB body, then stall.
  progress("400 stalled bodies");
  const stalled = await Promise.all(
    Array.from({ length: 400 }, () => stall(`${url}${BATCH}`, 1024 * 1024, 1024 * 1024 - 100)),
  );
  await new Promise((resolve) => setTimeout(resolve, 1_000)); // let the server read what came
  const held = memory(child);
  const refused = stalled.filter((s) => s.status() === 503).length;
  rows.push([
    "400 bodies of 1 MiB stalled 100 bytes short",
    `${held.rss.toFixed(0)} MB RSS`,
    `${refused} answered 503 at once; server peak ${held.peak.toFixed(0)} MB`,
  ]);
  for (const s of stalled) s.req.destroy();
  await stopMock(child);
}

const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
for (const row of rows)
  console.log(
    row
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd(),
  );
