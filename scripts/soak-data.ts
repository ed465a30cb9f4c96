// What the soak writes: its seed connectors and, for each connector and step, a patch
// that depends on the seed alone, whatever the timing.
import type { Connector, ConnectorPatch } from "../src/index.js";
import type { SeedConnector } from "../src/testing/index.js";
import { mulberry32 } from "./seeded-random.js";

export const KEY = "sk-soak-test-key";
export const AGENT = "PROJECT-SOAK";
const VOICES = [
  "en-GB-Neural2-A",
  "en-US-Wavenet-B",
  "de-DE-Standard-C",
  "fr-FR-Chirp3-HD-Achernar",
  "es-US-Polyglot-1",
  "ja-JP-Neural2-B",
  "cmn-CN-Wavenet-A",
  "en-AU-Studio-O",
];
const LANGS = ["en-GB", "en-US", "de-DE", "fr-FR", "es-US", "ja-JP", "cmn-Hans-CN"];

const pick = <T>(rng: () => number, items: readonly T[]): T =>
  items[Math.floor(rng() * items.length)] as T;

/** `count` connectors of the soak's agent, all alike but for their ID and name. */
export function seedConnectors(count: number): (Connector & SeedConnector)[] {
  return Array.from({ length: count }, (_, i) => ({
    connectorId: `CONN-soak-${String(i).padStart(3, "0")}`,
    name: `Soak line ${i}`,
    accountId: "ws-soak",
    projectId: AGENT,
    clientEnv: "sandbox",
    variantId: "",
    asrLangCode: "en-GB",
    ttsLangCode: "en-GB",
    voiceName: "en-GB-Neural2-A",
    disableHandoff: false,
  }));
}

/** The patch `step` of connector `index`: the same for a given seed, whatever the timing. */
export function patchFor(seed: number, index: number, step: number): ConnectorPatch {
  const rng = mulberry32(seed * 1_000_003 + index * 10_007 + step);
  // variantId is unique per step (or cleared), so a read-back tells which patch it shows.
  const patch: ConnectorPatch = { variantId: rng() < 0.1 ? null : `VARIANT-${index}-${step}` };
  if (rng() < 0.6) patch.voiceName = pick(rng, VOICES);
  if (rng() < 0.4) patch.asrLangCode = pick(rng, LANGS);
  return patch;
}
