// Consumer test, ESM: `import` from the installed tarball, start the mock, update
// a connector through the client against it. Run by scripts/consumer-test.mjs in
// a temp project; not part of the repo's own test run.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import {
  APIError,
  InvalidInputError,
  NotFoundError,
  PolyAIError,
  applyConnectorPatch,
  clearVariant,
  createPolyAIClient,
  parseVoiceName,
  ttsLangCodeFromVoice,
} from "polyai-connectors";
import { createMockPolyAI } from "polyai-connectors/testing";

const { agentId, connectors } = JSON.parse(
  readFileSync(new URL("./seed.json", import.meta.url), "utf8"),
);
const mock = await createMockPolyAI({ apiKey: "consumer-key", connectors });
try {
  const poly = createPolyAIClient({ apiKey: "consumer-key", baseUrl: mock.url, maxRetries: 0 });

  const before = await poly.connectors.get(agentId, "CONN-main");
  const updated = await poly.connectors.update(agentId, "CONN-main", {
    voiceName: "en-GB-Neural2-A",
  });
  assert.equal(updated.voiceName, "en-GB-Neural2-A");
  assert.equal(updated.ttsLangCode, ttsLangCodeFromVoice("en-GB-Neural2-A"));
  assert.deepEqual(updated, applyConnectorPatch(before, { voiceName: "en-GB-Neural2-A" }));
  assert.deepEqual(mock.requests.at(-1)?.body, { voiceName: "en-GB-Neural2-A" });

  const cleared = await poly.connectors.update(agentId, "CONN-main", clearVariant());
  assert.deepEqual(cleared, applyConnectorPatch(updated, clearVariant()));

  assert.equal(parseVoiceName("en-GB-Neural2-A").family, "Neural2");

  const missing = await poly.connectors.get(agentId, "CONN-nope").catch((err) => err);
  assert.ok(
    missing instanceof NotFoundError &&
      missing instanceof APIError &&
      missing instanceof PolyAIError,
  );
  assert.equal(missing.status, 404);
  assert.throws(() => createPolyAIClient({ apiKey: "" }), InvalidInputError);

  console.log(
    `esm: ok (voice ${before.voiceName} -> ${updated.voiceName}, tts ${updated.ttsLangCode}, variant ${JSON.stringify(cleared.variantId)})`,
  );
} finally {
  await mock.close();
}
