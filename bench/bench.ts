// `npm run bench`, step 2: every figure of one table, measured in one run on this
// machine. bench/build.mjs compiles this file to bench/.out/bench.mjs, which runs
// under plain node. What each row means: bench/README.md.
import { fork, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg, platform, release, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import axios, { type AxiosAdapter } from "axios";
import createClient from "openapi-fetch";
import type { paths } from "../generated/openapi.js";
import { createPolyAIClient, type Connector, type PolyAIClient } from "../src/index.js";
import fixedConnector from "./connector.json" with { type: "json" };

const startedAt = performance.now();
const here = dirname(fileURLToPath(import.meta.url)); // bench/.out
const root = resolve(here, "../..");
const quick = process.argv.includes("--quick"); // a smoke run: tiny counts, same code paths
// --only=net,cpu,size,startup,bulk,pipeline runs some groups (a partial table).
const onlyArg = process.argv.find((a) => a.startsWith("--only="));
const only = onlyArg ? new Set(onlyArg.slice(7).split(",")) : undefined;
const wanted = (group: string) => !only || only.has(group);

// ---------------------------------------------------------------- fixtures

const KEY = "pk-bench-0123456789abcdef";
const AGENT = "PROJECT-58RP822I";
const CONN = "CONN-7d2f9a";
const PATCH = { voiceName: "en-GB-Neural2-A" } as const;
const ONE = "/v1/agents/{agentId}/telephony/connectors/{connectorId}" as const;
const CONNECTOR = fixedConnector as Connector;
const CONNECTOR_JSON = JSON.stringify(CONNECTOR);
const CONNECTOR_LEN = String(Buffer.byteLength(CONNECTOR_JSON));

// Counts. Each per-call figure pools ROUNDS rounds in which the four clients take
// turns (rotating who goes first), so drift of the machine hits all of them alike.
const ROUNDS = quick ? 1 : 5;
const N = quick
  ? {
      warm: 50,
      netSeq: 100,
      netPar: 200,
      cpuSeq: 200,
      cpuPar: 400,
      startup: 3,
      pipeline: 1,
      bulkReps: 1,
    }
  : {
      warm: 1_000,
      netSeq: 3_000,
      netPar: 6_000,
      cpuSeq: 20_000,
      cpuPar: 20_000,
      startup: 60,
      pipeline: 2,
      bulkReps: 3,
    };
const WIDTH = 32;

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const now = () => performance.now();

// ---------------------------------------------------------------- the table

type Row = [
  group: string,
  what: string,
  figure: string,
  spread: string,
  rate: string,
  ratio: string,
  note: string,
];
const rows: Row[] = [];
const notes: string[] = [];
const HEAD: Row = ["", "case", "median", "p99 / spread", "rate", "ratio", "detail"];

function printTable(): void {
  const all = [HEAD, ...rows];
  const widths = HEAD.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const line = (r: Row) =>
    r
      .map((c, i) => (i >= 2 && i <= 5 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  let group = "";
  console.log(line(HEAD));
  for (const r of rows) {
    if (r[0] !== group) {
      console.log(rule);
      group = r[0];
    }
    console.log(line(r));
  }
  console.log(rule);
}

const us = (ms: number) => `${(ms * 1000).toFixed(ms < 0.1 ? 1 : 0)} µs`;
const msf = (ms: number) =>
  ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
const rate = (perSec: number) =>
  `${perSec >= 10_000 ? Math.round(perSec / 1000) + "k" : Math.round(perSec)}/s`;
const x = (r: number) => `${r.toFixed(2)}×`;
// kB (1000 bytes), the unit `npm run size` and docs/benchmarks.md use.
const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;

function median(sorted: number[]): number {
  const n = sorted.length;
  return n % 2 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
}
function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}

// ---------------------------------------------------------------- per-call runs

type Call = () => Promise<unknown>;
interface Contender {
  readonly name: string;
  readonly call: Call;
}
interface Stats {
  median: number;
  p99: number;
  perSec: number;
}

async function runSequential(call: Call, n: number, samples: number[]): Promise<number> {
  const t0 = now();
  for (let i = 0; i < n; i++) {
    const s = now();
    await call();
    samples.push(now() - s);
  }
  return now() - t0;
}

async function runConcurrent(
  call: Call,
  n: number,
  width: number,
  samples: number[],
): Promise<number> {
  let started = 0;
  const worker = async () => {
    while (started < n) {
      started++;
      const s = now();
      await call();
      samples.push(now() - s);
    }
  };
  const t0 = now();
  await Promise.all(Array.from({ length: width }, worker));
  return now() - t0;
}

async function compare(
  contenders: Contender[],
  total: number,
  width: number,
): Promise<Map<string, Stats>> {
  for (const c of contenders)
    await (width === 1
      ? runSequential(c.call, N.warm, [])
      : runConcurrent(c.call, N.warm, width, []));
  const samples = new Map(contenders.map((c) => [c.name, [] as number[]]));
  const elapsed = new Map(contenders.map((c) => [c.name, 0]));
  const perRound = Math.ceil(total / ROUNDS);
  for (let r = 0; r < ROUNDS; r++) {
    const order = [
      ...contenders.slice(r % contenders.length),
      ...contenders.slice(0, r % contenders.length),
    ];
    for (const c of order) {
      gc();
      const s = samples.get(c.name)!;
      const t =
        width === 1
          ? await runSequential(c.call, perRound, s)
          : await runConcurrent(c.call, perRound, width, s);
      elapsed.set(c.name, elapsed.get(c.name)! + t);
    }
  }
  const out = new Map<string, Stats>();
  for (const c of contenders) {
    const s = samples.get(c.name)!.sort((a, b) => a - b);
    out.set(c.name, {
      median: median(s),
      p99: pct(s, 0.99),
      perSec: (s.length * 1000) / elapsed.get(c.name)!,
    });
  }
  return out;
}

function addCallRows(group: string, mode: string, stats: Map<string, Stats>): void {
  const base = stats.get("fetch")!;
  const oaf = stats.get("openapi-fetch")!;
  for (const [name, s] of stats) {
    // Time per call relative to raw fetch: median latency when sequential, 1/throughput when concurrent.
    const vsFetch = mode === "sequential" ? s.median / base.median : base.perSec / s.perSec;
    const vsOaf = mode === "sequential" ? s.median / oaf.median : oaf.perSec / s.perSec;
    rows.push([
      group,
      `${name}, ${mode}`,
      us(s.median),
      us(s.p99),
      rate(s.perSec),
      x(vsFetch),
      name === "fetch" ? "baseline" : `${x(vsOaf)} openapi-fetch`,
    ]);
  }
}

function contenders(
  baseUrl: string,
  fetchImpl: typeof fetch,
  adapter: AxiosAdapter | undefined,
): Contender[] {
  const poly: PolyAIClient = createPolyAIClient({ apiKey: KEY, baseUrl, fetch: fetchImpl });
  const oaf = createClient<paths>({ baseUrl, headers: { "x-api-key": KEY }, fetch: fetchImpl });
  const ax = axios.create({
    baseURL: baseUrl,
    headers: { "x-api-key": KEY },
    ...(adapter ? { adapter } : {}),
  });
  const path = { agentId: AGENT, connectorId: CONN };
  const rel = () =>
    `/v1/agents/${encodeURIComponent(AGENT)}/telephony/connectors/${encodeURIComponent(CONN)}`;
  return [
    {
      name: "fetch",
      call: async () => {
        const res = await fetchImpl(baseUrl + rel(), {
          method: "PATCH",
          headers: { "content-type": "application/json", "x-api-key": KEY },
          body: JSON.stringify(PATCH),
        });
        if (!res.ok) throw new Error(`fetch: ${res.status}`);
        return res.json();
      },
    },
    { name: "poly", call: () => poly.connectors.update(AGENT, CONN, PATCH) },
    {
      name: "openapi-fetch",
      call: async () => {
        const { data, error } = await oaf.PATCH(ONE, { params: { path }, body: PATCH });
        if (error !== undefined) throw new Error("openapi-fetch: error");
        return data;
      },
    },
    { name: "axios", call: async () => (await ax.patch(rel(), PATCH)).data },
  ];
}

// A fetch that never touches the network: a new ready Response per call.
const fakeFetch = (async () =>
  new Response(CONNECTOR_JSON, {
    status: 200,
    headers: { "content-type": "application/json", "content-length": CONNECTOR_LEN },
  })) as typeof fetch;
const fakeAdapter: AxiosAdapter = async (config) => ({
  data: CONNECTOR_JSON,
  status: 200,
  statusText: "OK",
  headers: { "content-type": "application/json", "content-length": CONNECTOR_LEN },
  config,
  request: {},
});

// ---------------------------------------------------------------- the loopback server

interface Server {
  readonly url: string;
  delay(ms: number): Promise<void>;
  close(): Promise<void>;
}

async function startServer(): Promise<Server> {
  const child: ChildProcess = fork(join(root, "bench/server.mjs"), [], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const port = await new Promise<number>((ok, fail) => {
    child.once("message", (m) => ok((m as { port: number }).port));
    child.once("error", fail);
    child.once("exit", (code) => fail(new Error(`bench server exited with ${code}`)));
  });
  child.removeAllListeners("exit");
  return {
    url: `http://127.0.0.1:${port}`,
    delay: (ms) =>
      new Promise((ok) => {
        child.once("message", () => ok());
        child.send({ delay: ms });
      }),
    close: () =>
      new Promise((ok) => {
        if (child.exitCode !== null) return ok();
        child.once("exit", () => ok());
        child.send("close");
      }),
  };
}

// ---------------------------------------------------------------- size and start-up

function sizeRows(): void {
  const gz = (file: string) => {
    const bytes = readFileSync(join(here, "size", file));
    return { min: bytes.byteLength, gz: gzipSync(bytes).byteLength };
  };
  const core = gz("core.min.js");
  const own = gz("core-own.min.js");
  const oaf = gz("openapi-fetch.min.js");
  const ax = gz("axios.min.js");
  const ajvInCore = /ajv|json-schema-traverse/i.test(
    readFileSync(join(here, "size/core.min.js"), "utf8"),
  );
  rows.push([
    "size",
    "poly core (src/index.ts) + openapi-fetch",
    kb(core.gz),
    `${kb(core.min)} min`,
    "",
    x(core.gz / oaf.gz),
    `own code ${kb(own.gz)} gz${ajvInCore ? "; WARNING: ajv is in the core bundle" : ""}`,
  ]);
  rows.push([
    "size",
    "openapi-fetch alone",
    kb(oaf.gz),
    `${kb(oaf.min)} min`,
    "",
    "1.00×",
    "baseline",
  ]);
  rows.push([
    "size",
    "axios (browser ESM entry)",
    kb(ax.gz),
    `${kb(ax.min)} min`,
    "",
    x(ax.gz / oaf.gz),
    "",
  ]);
}

// #21: whole processes, as a CLI run, a serverless cold start or a test worker pays
// them. bench/build.mjs bundles the package into bench/.out/pkg exactly as
// `npm run build` does (scripts/bundle.mjs); openapi-fetch loads from node_modules.
function startupRows(): void {
  const pkg = join(here, "pkg");
  const esm = pathToFileURL(join(pkg, "esm/src/index.js")).href;
  const targets = [
    { name: "empty node process", args: ["-e", ""] },
    {
      name: 'import "openapi-fetch"',
      args: ["--input-type=module", "-e", 'import "openapi-fetch";'],
    },
    {
      name: 'import "polyai-connectors" (ESM)',
      args: ["--input-type=module", "-e", `import ${JSON.stringify(esm)};`],
    },
    {
      name: 'require("polyai-connectors") (CJS)',
      args: ["-e", `require(${JSON.stringify(join(pkg, "cjs/src/index.js"))});`],
    },
    { name: "polyai-connectors --help", args: [join(pkg, "esm/src/telephony/cli.js"), "--help"] },
  ];
  // Each process also reports the CPU time it used (user + system), read at exit by a
  // preloaded probe: wall time includes waiting for a CPU, which a loaded machine
  // inflates; CPU time much less.
  const probe = join(here, "startup-cpu.cjs");
  writeFileSync(
    probe,
    'process.on("exit", () => { const u = process.cpuUsage(); require("node:fs").writeSync(2, `\\ncpu-us ${u.user + u.system}\\n`); });\n',
  );
  const walls = targets.map(() => [] as number[]);
  const cpus = targets.map(() => [] as number[]);
  // Interleaved, each round starting with the next target, so drift hits them alike.
  for (let i = 0; i < N.startup; i++) {
    for (let k = 0; k < targets.length; k++) {
      const j = (i + k) % targets.length;
      const t = targets[j]!;
      const s = now();
      const r = spawnSync(process.execPath, ["-r", probe, ...t.args], {
        cwd: root,
        encoding: "utf8",
      });
      const wall = now() - s;
      const cpu = /\ncpu-us (\d+)\n$/.exec(r.stderr)?.[1];
      if (r.status !== 0 || cpu === undefined)
        throw new Error(`start-up probe failed for ${t.name}: ${r.stderr}`);
      walls[j]!.push(wall);
      cpus[j]!.push(Number(cpu) / 1000);
    }
  }
  // Paired by round (the targets of one round run back to back): the median of each
  // round's difference from, or ratio to, the empty process. A slow spell of the
  // machine then moves both sides of a pair, not the figure.
  const paired = (m: number[][], j: number, f: (a: number, b: number) => number) =>
    median(m[j]!.map((v, i) => f(v, m[0]![i]!)).sort((a, b) => a - b));
  const signed = (ms: number) => `${ms >= 0 ? "+" : "−"}${msf(Math.abs(ms))}`;
  targets.forEach((t, j) => {
    const w = [...walls[j]!].sort((a, b) => a - b);
    const cpu = median([...cpus[j]!].sort((a, b) => a - b));
    const cpuOver = `cpu ${msf(cpu)}${j === 0 ? "" : `, ${signed(paired(cpus, j, (a, b) => a - b))} (${x(paired(cpus, j, (a, b) => a / b))})`}`;
    rows.push([
      "start-up",
      t.name,
      msf(median(w)),
      `${msf(w[0]!)}–${msf(w[w.length - 1]!)}`,
      "",
      x(paired(walls, j, (a, b) => a / b)),
      j === 0
        ? `baseline; ${cpuOver}`
        : `${signed(paired(walls, j, (a, b) => a - b))} over empty; ${cpuOver}`,
    ]);
  });
}

// ---------------------------------------------------------------- pipeline

function pipelineRows(): void {
  const out = join(here, "generated");
  const runs: { name: string; args: string[]; label: string }[] = [
    // Writes to bench/.out/generated, not generated/: the same pipeline and the same
    // writes, but it cannot touch files other engineers are working on.
    {
      name: "generate",
      args: ["run", "--silent", "generate", "--", `--out=${out}`],
      label: "npm run generate",
    },
    {
      name: "generate:check",
      args: ["run", "--silent", "generate:check"],
      label: "npm run generate:check",
    },
  ];
  for (const run of runs) {
    const times: number[] = [];
    let status: number | null = 0;
    let stderr = "";
    for (let i = 0; i < N.pipeline; i++) {
      const s = now();
      const r = spawnSync("npm", run.args, {
        cwd: root,
        encoding: "utf8",
        env: { ...process.env, NO_COLOR: "1" },
      });
      times.push(now() - s);
      if (r.status !== 0) {
        status = r.status;
        stderr = (r.stderr || r.stdout).trim().split("\n")[0] ?? "";
      }
    }
    let detail = status === 0 ? "exit 0" : `exit ${status}: ${stderr}`;
    if (run.name === "generate" && status === 0) {
      const files = readdirSync(out);
      const same = files.every(
        (f) =>
          existsSync(join(root, "generated", f)) &&
          readFileSync(join(out, f)).equals(readFileSync(join(root, "generated", f))),
      );
      detail += same
        ? `; ${files.length} files byte-identical to generated/`
        : "; output DIFFERS from generated/";
    }
    if (run.name === "generate:check") {
      const diff = spawnSync("git", ["diff", "--quiet", "--", "generated/"], { cwd: root });
      detail +=
        diff.status === 0
          ? "; git diff --quiet generated/: clean"
          : "; git diff generated/: NOT clean";
    }
    times.sort((a, b) => a - b);
    rows.push([
      "pipeline",
      run.label,
      msf(median(times)),
      times.map(msf).join(", "),
      "",
      "",
      detail,
    ]);
  }
}

// ---------------------------------------------------------------- bulk

interface BulkTarget {
  readonly url: string;
  readonly source: string;
  delay(ms: number): Promise<void>;
  close(): Promise<void>;
}

/** What the bench uses of src/testing's createMockPolyAI (loaded from its bundle at run time). */
interface LocalMock {
  readonly url: string;
  delay(ms: number): void;
  close(): Promise<void>;
}
type CreateMock = (options: {
  apiKey: string;
  connectors: readonly (Connector & { phoneNumbers?: string[] })[];
}) => Promise<LocalMock>;

const BULK = 1_000;
const BULK_WIDTH = 16;
const bulkIds = Array.from({ length: BULK }, (_, i) => `CONN-${String(i).padStart(4, "0")}`);
// Phone numbers: 1,000 distinct E.164 numbers, and the two connectors they move between.
const bulkNumbers = Array.from({ length: BULK }, (_, i) => `+4420794${String(i).padStart(5, "0")}`);
if (new Set(bulkNumbers).size !== BULK || !bulkNumbers.every((n) => /^\+[1-9][0-9]{0,14}$/.test(n)))
  throw new Error("bench: the bulk phone numbers are not 1,000 distinct E.164 numbers");
const FROM = "CONN-numbers-from";
const TO = "CONN-numbers-to";

const MOCK_NOTE =
  "bulk: the mock runs in the bench's process and checks every request and answer against the spec, so its own work is part of each bulk figure";

/** createMockPolyAI from bench/.out/mock.mjs, or why there is none (undefined: src/testing is absent). */
async function loadMock(): Promise<CreateMock | string | undefined> {
  const mockFile = join(here, "mock.mjs");
  const build = JSON.parse(readFileSync(join(here, "build.json"), "utf8")) as { mock: string };
  if (!existsSync(mockFile))
    return build.mock === "absent" ? undefined : `src/testing/index.ts ${build.mock}`;
  try {
    const mod = (await import(pathToFileURL(mockFile).href)) as { createMockPolyAI: CreateMock };
    return mod.createMockPolyAI;
  } catch (err) {
    return `the src/testing mock did not load (${String((err as Error).message).split("\n")[0]})`;
  }
}

async function bulkTarget(fallback: Server, create: CreateMock | string | undefined) {
  if (typeof create === "function") {
    try {
      const seed = bulkIds.map((connectorId) => ({
        ...CONNECTOR,
        connectorId,
        voiceName: "en-US-Neural2-C",
        ttsLangCode: "en-US",
      }));
      const mock = await create({ apiKey: KEY, connectors: seed });
      // One real call proves the seed and routes work before anything is timed.
      const probe = createPolyAIClient({ apiKey: KEY, baseUrl: mock.url });
      await probe.connectors.update(AGENT, bulkIds[0]!, PATCH);
      notes.push(MOCK_NOTE);
      return {
        url: mock.url,
        source: "src/testing mock (in-process)",
        delay: async (ms: number) => mock.delay(ms),
        close: () => mock.close(),
      } satisfies BulkTarget;
    } catch (err) {
      notes.push(
        `bulk: the src/testing mock did not work (${String((err as Error).message).split("\n")[0]}); used the bench server instead`,
      );
    }
  } else if (create !== undefined) {
    notes.push(`bulk: ${create}; used the bench server instead`);
  }
  return {
    url: fallback.url,
    source: "bench server (child process)",
    delay: fallback.delay,
    close: async () => {},
  } satisfies BulkTarget;
}

/** Calls `call(0)` … `call(BULK - 1)`, keeping `width` calls open at all times. */
async function inFlight(width: number, call: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < BULK) await call(next++);
  };
  await Promise.all(Array.from({ length: width }, worker));
}

/** One bulk row from the sorted wall times of its runs; `baseMs` is its group's baseline. */
function bulkRow(group: string, what: string, times: number[], baseMs: number, detail: string) {
  const m = median(times);
  rows.push([
    group,
    what,
    msf(m),
    times.length > 1 ? `${msf(times[0]!)}–${msf(times[times.length - 1]!)}` : "1 run",
    rate((BULK * 1000) / m),
    x(m / baseMs),
    detail,
  ]);
}

// Sequential single calls at 5 ms are ≥ 5 s a run: once is enough.
const bulkReps = (delayMs: number, what: string) =>
  delayMs > 0 && what.includes("sequential") ? 1 : N.bulkReps;

async function bulkRows(fallback: Server): Promise<void> {
  const create = await loadMock();
  await connectorBulkRows(await bulkTarget(fallback, create));
  if (typeof create === "function") {
    await numberBulkRows(create);
    if (!notes.includes(MOCK_NOTE)) notes.push(MOCK_NOTE);
  } else
    notes.push(
      `bulk import, bulk move: not run: they need the src/testing mock (${create ?? "src/testing/index.ts is absent"})`,
    );
}

async function connectorBulkRows(target: BulkTarget): Promise<void> {
  const poly = createPolyAIClient({ apiKey: KEY, baseUrl: target.url });
  const voices = ["en-GB-Neural2-A", "en-GB-Neural2-B"];
  let flip = 0;
  const batch = async () => {
    const v = voices[flip++ % 2]!;
    const results = await poly.connectors.batchUpdate(
      AGENT,
      bulkIds.map((connectorId) => ({ connectorId, voiceName: v })),
    );
    if (results.length !== BULK || !results.every((r) => r.success))
      throw new Error("batchUpdate: not every item succeeded");
  };
  const singles = (width: number) => {
    const v = voices[flip++ % 2]!;
    return inFlight(width, (i) => poly.connectors.update(AGENT, bulkIds[i]!, { voiceName: v }));
  };
  const cases = [
    { what: "batchUpdate, 1 request of 1,000", run: batch },
    { what: "1,000 × update, sequential", run: () => singles(1) },
    { what: `1,000 × update, ${BULK_WIDTH} in flight`, run: () => singles(BULK_WIDTH) },
  ];
  // Warm-up at no delay.
  for (const c of cases) await c.run();
  for (const delayMs of [0, 5]) {
    await target.delay(delayMs);
    let batchMs = 0;
    for (const c of cases) {
      const times: number[] = [];
      for (let i = 0; i < bulkReps(delayMs, c.what); i++) {
        gc();
        const s = now();
        await c.run();
        times.push(now() - s);
      }
      times.sort((a, b) => a - b);
      if (c.run === batch) batchMs = median(times);
      bulkRow(
        `bulk, +${delayMs} ms/request`,
        c.what,
        times,
        batchMs,
        c.run === batch ? `baseline; ${target.source}` : "",
      );
    }
  }
  await target.delay(0);
  await target.close();
}

interface NumberCase {
  readonly what: string;
  /** The seed: the 1,000 numbers already routed to FROM (a move), or not there yet (an import). */
  readonly routed: boolean;
  /** The timed work. */
  run(poly: PolyAIClient): Promise<void>;
  /** Untimed, after the run: the mock's state is what the run should have left. */
  check(poly: PolyAIClient): Promise<void>;
}

/**
 * Phone numbers: import 1,000 numbers, and move 1,000 numbers from one connector
 * to another. Every run, warm-up included, gets a fresh mock seeded with the two
 * connectors (and, for a move, the 1,000 numbers routed to FROM), so no run sees
 * what an earlier one left: every import really adds 1,000 numbers and every move
 * really changes 1,000 routes.
 */
async function numberBulkRows(create: CreateMock): Promise<void> {
  const expectCount = async (poly: PolyAIClient, connectorId: string | undefined, n: number) => {
    const got = (await poly.phoneNumbers.list(AGENT, connectorId ? { connectorId } : {})).length;
    if (got !== n)
      throw new Error(
        `bench: expected ${n} numbers ${connectorId ? `routed to ${connectorId}` : "in all"}, got ${got}`,
      );
  };
  const imported = async (poly: PolyAIClient) => {
    await expectCount(poly, undefined, BULK);
    await expectCount(poly, FROM, 0);
  };
  const moved = async (poly: PolyAIClient) => {
    await expectCount(poly, TO, BULK);
    await expectCount(poly, FROM, 0);
  };
  const importOne = (width: number) => (poly: PolyAIClient) =>
    inFlight(width, (i) => poly.phoneNumbers.importOne(AGENT, bulkNumbers[i]!));
  const move = (width: number) => (poly: PolyAIClient) =>
    inFlight(width, (i) => poly.phoneNumbers.reassign(AGENT, bulkNumbers[i]!, TO));
  // The first case of each group is its baseline.
  const groups: { name: string; cases: NumberCase[] }[] = [
    {
      name: "bulk import",
      cases: [
        {
          what: "import, 1 request of 1,000 numbers",
          routed: false,
          run: async (poly) => {
            const result = await poly.phoneNumbers.import(AGENT, bulkNumbers);
            if (result.imported.length !== BULK) throw new Error("import: not every number listed");
          },
          check: imported,
        },
        {
          what: "1,000 × importOne, sequential",
          routed: false,
          run: importOne(1),
          check: imported,
        },
        {
          what: `1,000 × importOne, ${BULK_WIDTH} in flight`,
          routed: false,
          run: importOne(BULK_WIDTH),
          check: imported,
        },
      ],
    },
    {
      name: "bulk move",
      cases: [
        {
          what: `1,000 × reassign, ${BULK_WIDTH} in flight`,
          routed: true,
          run: move(BULK_WIDTH),
          check: moved,
        },
        { what: "1,000 × reassign, sequential", routed: true, run: move(1), check: moved },
      ],
    },
  ];
  const once = async (c: NumberCase, delayMs: number): Promise<number> => {
    const seed = [
      { ...CONNECTOR, connectorId: FROM, ...(c.routed ? { phoneNumbers: [...bulkNumbers] } : {}) },
      { ...CONNECTOR, connectorId: TO },
    ];
    const mock = await create({ apiKey: KEY, connectors: seed });
    try {
      const poly = createPolyAIClient({ apiKey: KEY, baseUrl: mock.url });
      // Untimed: opens as many connections as the run keeps busy, so no run pays
      // for connecting to its new mock, and shows TO starts with no numbers.
      await Promise.all(Array.from({ length: BULK_WIDTH }, () => expectCount(poly, TO, 0)));
      mock.delay(delayMs);
      gc();
      const s = now();
      await c.run(poly);
      const ms = now() - s;
      mock.delay(0);
      await c.check(poly);
      return ms;
    } finally {
      await mock.close();
    }
  };
  // Warm-up at no delay.
  for (const g of groups) for (const c of g.cases) await once(c, 0);
  for (const g of groups) {
    for (const delayMs of [0, 5]) {
      let baseMs = 0;
      for (const c of g.cases) {
        const times: number[] = [];
        for (let i = 0; i < bulkReps(delayMs, c.what); i++) times.push(await once(c, delayMs));
        times.sort((a, b) => a - b);
        const first = c === g.cases[0];
        if (first) baseMs = median(times);
        bulkRow(
          `${g.name}, +${delayMs} ms/request`,
          c.what,
          times,
          baseMs,
          first ? "baseline; src/testing mock, a fresh one per run" : "",
        );
      }
    }
  }
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const cpu = cpus();
  const load = () => loadavg()[0]!.toFixed(1);
  const loadAtStart = load();
  const machine = `node ${process.version}, ${cpu.length} CPUs (${cpu[0]?.model.trim() ?? "unknown"}), ${platform()} ${release()}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM`;
  const server = await startServer();
  try {
    const progress = (s: string) => process.stderr.write(`bench: ${s}\n`);
    if (wanted("net")) {
      progress("per-call, loopback");
      const net = contenders(server.url, globalThis.fetch, undefined);
      addCallRows("per-call, loopback HTTP", "sequential", await compare(net, N.netSeq, 1));
      addCallRows(
        "per-call, loopback HTTP",
        `${WIDTH} in flight`,
        await compare(net, N.netPar, WIDTH),
      );
    }
    if (wanted("cpu")) {
      progress("per-call, client-side only");
      const cpuOnly = contenders("http://127.0.0.1:9", fakeFetch, fakeAdapter);
      addCallRows(
        "client-side cost (no network)",
        "sequential",
        await compare(cpuOnly, N.cpuSeq, 1),
      );
      addCallRows(
        "client-side cost (no network)",
        `${WIDTH} in flight`,
        await compare(cpuOnly, N.cpuPar, WIDTH),
      );
    }
    if (wanted("size")) {
      progress("size");
      sizeRows();
    }
    if (wanted("startup")) {
      progress("start-up");
      startupRows();
    }
    if (wanted("bulk")) {
      progress("bulk");
      await bulkRows(server);
    }
    if (wanted("pipeline")) {
      progress("pipeline");
      pipelineRows();
    }
  } finally {
    await server.close();
  }

  // Other work on the machine (load average above the CPU count) inflates every timing.
  console.log(
    `${machine}; load average ${loadAtStart} at start, ${load()} at end${quick ? " — QUICK RUN, figures not meaningful" : ""}`,
  );
  printTable();
  for (const n of notes) console.log(`note: ${n}`);
  console.log(
    `ratio: time per call (or size, or wall time) divided by the baseline's; 1.25× = 25% more. See bench/README.md. Total ${msf(now() - startedAt)}.`,
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
