// Phone lines as code at scale: plan and apply for 1,000 connectors and 1,000
// numbers against the local PolyAI, with 5 ms of latency per request (loopback has
// none). Prints wall time and request counts; asserts nothing about time.
//
//   npx tsx bench/telephony-bulk.ts [--size 1000] [--latency 5] [--concurrency 8] [--chunk-size 100]
import { parseArgs } from "node:util";
import { createPolyAIClient } from "../src/index.js";
import { apply, countChanges, plan, type DesiredState } from "../src/telephony/index.js";
import {
  createMockPolyAI,
  type SeedConnector,
  type SeedPhoneNumber,
} from "../src/testing/index.js";

const { values } = parseArgs({
  options: {
    size: { type: "string", default: "1000" },
    latency: { type: "string", default: "5" },
    concurrency: { type: "string", default: "8" },
    "chunk-size": { type: "string", default: "100" },
  },
});
const n = Number(values.size);
const latency = Number(values.latency);
const concurrency = Number(values.concurrency);
const chunkSize = Number(values["chunk-size"]);

const AGENT = "PROJECT-58RP822I";
const KEY = "sk-telephony-bench";
const pad = (i: number) => String(i).padStart(4, "0");

// n connectors, a quarter already right; n numbers: a third to move, a third to
// import, a third already routed right.
const seeds: SeedConnector[] = [];
const desired: Required<DesiredState> = {
  $schema: "",
  agentId: AGENT,
  connectors: {},
  phoneNumbers: {},
};
for (let i = 0; i < n; i++) {
  const id = `CONN-${pad(i)}`;
  seeds.push({
    connectorId: id,
    name: id,
    accountId: "ws-fd112d8f",
    projectId: AGENT,
    clientEnv: "live",
    variantId: i % 4 === 2 ? "VARIANT-old" : "",
    asrLangCode: "en-US",
    ttsLangCode: "en-US",
    voiceName: "en-US-Neural2-C",
    disableHandoff: false,
  });
  desired.connectors[id] = [
    { voiceName: "en-GB-Neural2-A" },
    { asrLangCode: "en-GB" },
    { voiceName: "en-AU-Wavenet-B", variantId: null },
    { voiceName: "en-US-Neural2-C" },
  ][i % 4] as { voiceName: string };
}
const numbers: SeedPhoneNumber[] = [];
for (let i = 0; i < n; i++) {
  const number = `+44207950${pad(i)}`;
  const target = `CONN-${pad((i * 7) % n)}`;
  if (i % 3 === 0)
    numbers.push({ number, agentId: AGENT, connectorId: `CONN-${pad((i + 1) % n)}` });
  else if (i % 3 === 2) numbers.push({ number, agentId: AGENT, connectorId: target });
  desired.phoneNumbers[number] = target;
}

const mock = await createMockPolyAI({ apiKey: KEY, connectors: seeds, phoneNumbers: numbers });
try {
  const poly = createPolyAIClient({ apiKey: KEY, baseUrl: mock.url });
  mock.delay(latency);

  let t = performance.now();
  const p = await plan(poly, desired);
  const planMs = performance.now() - t;
  const planRequests = mock.requests.length;

  mock.reset();
  mock.delay(latency);
  t = performance.now();
  const result = await apply(poly, p, { concurrency, chunkSize });
  const applyMs = performance.now() - t;
  const requests = mock.requests;
  const count = (method: string, re: RegExp) =>
    requests.filter((r) => r.method === method && re.test(decodeURIComponent(r.path))).length;

  mock.delay(0);
  const again = countChanges(await plan(poly, desired));
  const imports = p.phoneNumbers.filter((c) => c.action === "import").length;
  console.log(
    [
      `telephony bulk: ${n} connectors, ${n} numbers, ${latency} ms latency per request, concurrency ${concurrency}, chunk size ${chunkSize} (node ${process.version})`,
      `  plan:  ${planMs.toFixed(0).padStart(5)} ms  ${String(planRequests).padStart(4)} requests  → ${p.connectors.length} connector updates, ${imports} imports, ${p.phoneNumbers.length - imports} reassignments`,
      `  apply: ${applyMs.toFixed(0).padStart(5)} ms  ${String(requests.length).padStart(4)} requests  (batch reads ${count("POST", /\/batch$/)}, batch updates ${count("PATCH", /connectors\/batch$/)}, imports ${count("POST", /phone-numbers$/)}, reassignments ${count("PATCH", /phone-numbers\/\+/)})`,
      `  result: ${result.applied} applied, ${result.failed} failed, ok ${result.ok}; a new plan lists ${again} changes`,
    ].join("\n"),
  );
  if (!result.ok || again !== 0) process.exitCode = 1;
} finally {
  await mock.close();
}
