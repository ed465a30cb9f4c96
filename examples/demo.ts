// `npm run demo`: the main job of this SDK, end to end, against the local PolyAI
// from `polyai-connectors/testing` (no account, no network beyond 127.0.0.1).
//
// With a real key and agent it runs read-only steps against PolyAI instead:
//   POLYAI_API_KEY=... npm run demo -- --agent PROJECT-XXXX [--region eu]
// It writes to a real account only with --write (and then only the update given by
// --connector and --voice).
import { parseArgs } from "node:util";
import {
  APIError,
  NotFoundError,
  clearVariant,
  createPolyAIClient,
  ttsLangCodeFromVoice,
  type Connector,
  type PolyAIClient,
  type Region,
} from "../src/index.js";
import { createMockPolyAI, type SeedConnector } from "../src/testing/index.js";

const AGENT = "PROJECT-58RP822I";
const SEED: SeedConnector[] = [
  {
    connectorId: "CONN-main",
    name: "Main line",
    accountId: "ws-fd112d8f",
    projectId: AGENT,
    clientEnv: "live",
    variantId: "VARIANT-spring",
    asrLangCode: "en-US",
    ttsLangCode: "en-US",
    voiceName: "en-US-Neural2-A",
    disableHandoff: false,
    phoneNumbers: ["+14155550123"],
  },
  {
    connectorId: "CONN-support",
    name: "Support",
    accountId: "ws-fd112d8f",
    projectId: AGENT,
    clientEnv: "live",
    variantId: "",
    asrLangCode: "en-US",
    ttsLangCode: "en-US",
    voiceName: "en-US-Wavenet-D",
    disableHandoff: true,
    phoneNumbers: ["+14155550124"],
  },
  {
    connectorId: "CONN-staging",
    name: "Staging",
    accountId: "ws-fd112d8f",
    projectId: AGENT,
    clientEnv: "pre-release",
    variantId: "",
    asrLangCode: "en-GB",
    ttsLangCode: "en-GB",
    voiceName: "en-GB-Standard-B",
    disableHandoff: false,
  },
];

const bold = (s: string) => (process.stdout.isTTY ? `\x1b[1m${s}\x1b[0m` : s);
const step = (n: number, title: string) => console.log(`\n${bold(`${n}. ${title}`)}`);
const row = (c: Connector) =>
  `   ${c.connectorId.padEnd(13)} ${c.name.padEnd(10)} ${c.clientEnv.padEnd(11)} voice=${c.voiceName.padEnd(18)} tts=${c.ttsLangCode.padEnd(6)} variant=${JSON.stringify(c.variantId)}`;

async function offline(): Promise<void> {
  const mock = await createMockPolyAI({ apiKey: "demo-key", connectors: SEED });
  try {
    console.log(`Local PolyAI listening on ${mock.url} (from polyai-connectors/testing)`);
    const poly = createPolyAIClient({
      apiKey: "demo-key",
      baseUrl: mock.url,
      backoff: { initialMs: 200 },
      onRetry: (e) =>
        console.log(
          `   ↻ attempt ${e.attempt} got ${e.status ?? e.error?.name}; retrying in ${e.delayMs} ms`,
        ),
    });

    step(1, `List the connectors of ${AGENT}`);
    for (const c of await poly.connectors.list(AGENT)) console.log(row(c));

    step(2, "Change the main line's voice (only voiceName is sent)");
    const voiced = await poly.connectors.update(AGENT, "CONN-main", {
      voiceName: "en-GB-Neural2-A",
    });
    console.log(row(voiced));
    console.log(
      `   sent ${JSON.stringify(mock.requests.at(-1)?.body)}; ttsLangCode derived: ${voiced.ttsLangCode} (ttsLangCodeFromVoice says ${ttsLangCodeFromVoice("en-GB-Neural2-A")})`,
    );

    step(3, "Unassign its variant with clearVariant()");
    const cleared = await poly.connectors.update(AGENT, "CONN-main", clearVariant());
    console.log(row(cleared));
    console.log(
      `   sent ${JSON.stringify(mock.requests.at(-1)?.body)}; every other field unchanged`,
    );

    step(4, "Batch update: two good items and one unknown connector");
    const results = await poly.connectors.batchUpdate(AGENT, [
      { connectorId: "CONN-support", voiceName: "en-US-Chirp3-HD-Achernar" },
      { connectorId: "CONN-staging", asrLangCode: "en-US" },
      { connectorId: "CONN-gone", voiceName: "en-US-Neural2-C" },
    ]);
    for (const r of results) {
      console.log(
        r.success
          ? `   ✔ ${r.connectorId}: voice=${r.data.voiceName} tts=${r.data.ttsLangCode} asr=${r.data.asrLangCode}`
          : `   ✘ ${r.connectorId}: ${r.error}`,
      );
    }

    step(5, "A typed error, caught");
    try {
      await poly.connectors.get(AGENT, "CONN-gone");
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
      console.log(`   ${err.name} status=${err.status} code=${err.code} errorId=${err.errorId}`);
      console.log(`   message: ${err.message}`);
    }

    step(6, "The server fails twice with 503; the client retries");
    mock.failNext({ status: 503, times: 2 });
    const after = await poly.connectors.get(AGENT, "CONN-main");
    console.log(`   succeeded: ${after.connectorId} voice=${after.voiceName}`);

    step(7, "Provision a line: import a number, route it, and give its connector a voice");
    const { imported } = await poly.phoneNumbers.importOne(AGENT, "+14155550199");
    console.log(`   imported ${imported}; sent POST ${mock.requests.at(-1)?.path}`);
    const routed = await poly.phoneNumbers.reassign(AGENT, imported, "CONN-support");
    console.log(`   routed ${routed.number} → ${routed.connectorId} (${routed.clientEnv})`);
    const line = await poly.connectors.update(AGENT, "CONN-support", {
      voiceName: "en-US-Neural2-F",
    });
    const answered = await poly.connectors.lookup(AGENT, imported);
    console.log(`   ${imported} is answered by ${answered.connectorId} in ${line.voiceName}`);
    const numbers = await poly.phoneNumbers.list(AGENT, { connectorId: "CONN-support" });
    console.log(`   CONN-support answers ${numbers.map((n) => n.number).join(", ")}`);

    step(8, "Final state");
    for (const c of await poly.connectors.list(AGENT)) console.log(row(c));
    console.log(
      `\n${mock.requests.length} requests served; the mock logged the key as x-api-key: ${String(mock.requests[0]?.headers["x-api-key"])}`,
    );
  } finally {
    await mock.close();
  }
}

async function online(
  poly: PolyAIClient,
  agent: string,
  write: boolean,
  connectorId?: string,
  voice?: string,
): Promise<void> {
  console.log(
    `PolyAI at ${poly.baseUrl}: read-only steps${write ? " plus the one write you asked for" : ""}`,
  );
  step(1, `List the connectors of ${agent}`);
  const all = await poly.connectors.list(agent);
  for (const c of all) console.log(row(c));
  const id = connectorId ?? all[0]?.connectorId;
  if (!id) return;
  step(2, `Get ${id}`);
  console.log(row(await poly.connectors.get(agent, id)));
  const numbers = await poly.phoneNumbers.list(agent, { connectorId: id });
  console.log(
    `   phone numbers routed to it: ${numbers.map((n) => n.number).join(", ") || "none"}`,
  );
  if (voice) {
    step(3, `${write ? "Update" : "Dry run: predict"} voice → ${voice}`);
    console.log(
      row(await poly.connectors.update(agent, id, { voiceName: voice }, { dryRun: !write })),
    );
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      agent: { type: "string" },
      region: { type: "string" },
      connector: { type: "string" },
      voice: { type: "string" },
      write: { type: "boolean", default: false },
    },
  });
  if (process.env["POLYAI_API_KEY"] && values.agent) {
    const poly = createPolyAIClient(values.region ? { region: values.region as Region } : {});
    await online(poly, values.agent, values.write, values.connector, values.voice);
  } else {
    await offline();
  }
}

const started = performance.now();
main().then(
  () => console.log(`\nDone in ${Math.round(performance.now() - started)} ms.`),
  (err: unknown) => {
    console.error(
      err instanceof APIError || err instanceof Error ? `${err.name}: ${err.message}` : err,
    );
    process.exitCode = 1;
  },
);
