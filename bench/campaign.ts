// #23: a campaign at scale: `polyai-connectors dial` (in process, with its file
// journal flushed to disk before each trigger) over N rows against the local
// PolyAI with L ms of latency per request. Prints the wall time, the most requests
// in flight (counted where they leave), the rows placed, the calls the mock
// placed, and a resumed run's requests (none). Asserts nothing about time.
//
//   npx tsx bench/campaign.ts [--rows 1000] [--latency 5] [--concurrency 16]
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { runCli } from "../src/telephony/cli/run.js";
import type { CampaignResult } from "../src/telephony/index.js";
import { createMockPolyAI } from "../src/testing/index.js";

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "1000" },
    latency: { type: "string", default: "5" },
    concurrency: { type: "string", default: "16" },
  },
});
const n = Number(values.rows);
const latency = Number(values.latency);
const concurrency = values.concurrency;

const AGENT = "PROJECT-58RP822I";
const KEY = "sk-campaign-bench";

let inFlight = 0;
let most = 0;
let sent = 0;
const counting: typeof fetch = async (input, init) => {
  sent++;
  most = Math.max(most, ++inFlight);
  try {
    return await fetch(input, init);
  } finally {
    inFlight--;
  }
};

const sink = (into: string[]) => ({
  write: (chunk: string) => into.push(chunk) > 0,
  on: () => undefined,
  isTTY: false,
});

const dir = await mkdtemp(join(tmpdir(), "polyai-campaign-bench-"));
const mock = await createMockPolyAI({
  apiKey: KEY,
  connectors: [
    {
      connectorId: "CONN-outbound",
      projectId: AGENT,
      clientEnv: "sandbox",
      voiceName: "en-GB-Neural2-A",
    },
  ],
});
try {
  const rows = join(dir, "rows.csv");
  const journal = join(dir, "run.jsonl");
  const lines = Array.from(
    { length: n },
    (_, i) => `+4477009${String(i).padStart(5, "0")},Person ${i}`,
  );
  await writeFile(rows, `toNumber,firstName\n${lines.join("\n")}\n`);
  mock.delay(latency);
  const run = async () => {
    const out: string[] = [];
    const err: string[] = [];
    const t = performance.now();
    const code = await runCli(
      [
        "dial",
        rows,
        "--agent",
        AGENT,
        "--env",
        "sandbox",
        "--journal",
        journal,
        "--concurrency",
        concurrency,
        "--base-url",
        mock.url,
        "--json",
      ],
      {
        stdout: sink(out),
        stderr: sink(err),
        stdin: process.stdin,
        env: { POLYAI_API_KEY: KEY },
        version: () => "bench",
        fetch: counting,
      },
    );
    const ms = performance.now() - t;
    return { code, ms, result: JSON.parse(out.join("")) as CampaignResult, err: err.join("") };
  };
  const first = await run();
  const firstSent = sent;
  const firstMost = most;
  const numbers = new Set(mock.outboundCalls.map((c) => c.toNumber));
  sent = 0;
  const resumed = await run();
  const { size } = await stat(journal);
  console.log(
    [
      `campaign: ${n} rows, ${latency} ms latency per request, --concurrency ${concurrency}, file journal (node ${process.version})`,
      `  dial:    ${first.ms.toFixed(0).padStart(6)} ms  ${(n / (first.ms / 1000)).toFixed(0)} calls/s  ${firstSent} requests, most in flight ${firstMost}  exit ${first.code}`,
      `  result:  ${first.result.placed} placed, ${first.result.refused} refused, ${first.result.unknown} unknown; the mock placed ${mock.outboundCalls.length} calls to ${numbers.size} numbers`,
      `  journal: ${(size / 1024).toFixed(0)} KiB, ${first.result.total * 2 + 1} lines`,
      `  re-run:  ${resumed.ms.toFixed(0).padStart(6)} ms  ${sent} requests  exit ${resumed.code} (${resumed.result.dialledNow} dialled)`,
    ].join("\n"),
  );
  if (first.code !== 0 || mock.outboundCalls.length !== n || numbers.size !== n)
    process.exitCode = 1;
} finally {
  await mock.close();
  await rm(dir, { recursive: true, force: true });
}
