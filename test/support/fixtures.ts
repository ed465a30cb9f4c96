// Shared by the unit and property tests: where the repo is, the reference list of
// Google TTS voices, fast-check generators of valid inputs, and a fetch that
// records what the client sends. Not a test file (no .test. in the name).
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import type { ClientEnv, Connector, ConnectorPatch } from "../../src/index.js";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** One row of google-tts-voices.tsv. */
export interface VoiceRow {
  readonly voiceName: string;
  readonly languageCode: string;
}

/**
 * The reference voices (Google's TTS voice list as PolyAI publishes it), kept in the
 * repository so a clone runs every test on its own.
 */
export function loadVoiceRows(): VoiceRow[] {
  const file = path.resolve(repoRoot, "test/fixtures/google-tts-voices.tsv");
  const text = readFileSync(file, "utf8");
  const [header = "", ...lines] = text.split("\n");
  const columns = header.split("\t");
  const nameAt = columns.indexOf("voiceName");
  const codeAt = columns.indexOf("languageCode");
  if (nameAt === -1 || codeAt === -1)
    throw new Error(`${file}: header has no voiceName/languageCode column: ${header}`);
  return lines
    .filter((line) => line.trim() !== "")
    .map((line) => {
      const cells = line.split("\t");
      return { voiceName: cells[nameAt] ?? "", languageCode: cells[codeAt] ?? "" };
    });
}

const ASCII_VISIBLE = fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c));

/** IDs as the spec allows them: visible ASCII, not `.` or `..`. */
export const idArb = fc
  .string({ unit: ASCII_VISIBLE, minLength: 1, maxLength: 24 })
  .filter((s) => s !== "." && s !== "..");

/** Connector IDs additionally exclude the reserved `batch` and `lookup`. */
export const connectorIdArb = idArb.filter((s) => s !== "batch" && s !== "lookup");

/** BCP 47 tags of the shape the spec's LanguageCode pattern accepts, in any case. */
export const bcp47Arb = fc
  .tuple(
    fc.stringMatching(/^[A-Za-z]{2,3}$/),
    fc.option(fc.stringMatching(/^[A-Za-z]{4}$/), { nil: undefined }),
    fc.option(fc.stringMatching(/^(?:[A-Za-z]{2}|[0-9]{3})$/), { nil: undefined }),
    fc.array(fc.stringMatching(/^(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3})$/), { maxLength: 2 }),
  )
  .map(([language, script, region, variants]) =>
    [language, script, region, ...variants].filter((p) => p !== undefined).join("-"),
  );

/** A voice name and the parts it should parse into. */
export interface VoiceCase {
  readonly name: string;
  readonly languageCode: string;
  readonly family: string;
  readonly variant: string;
}

/** Voice names built from parts, in any case, with one- or two-segment families. */
export const builtVoiceArb: fc.Arbitrary<VoiceCase> = fc
  .tuple(
    fc.stringMatching(/^[A-Za-z]{2,3}$/),
    fc.stringMatching(/^(?:[A-Za-z]{2}|[0-9]{3})$/),
    fc.array(fc.stringMatching(/^[A-Za-z0-9]{1,10}$/), { minLength: 1, maxLength: 2 }),
    fc.stringMatching(/^[A-Za-z0-9]{1,10}$/),
  )
  .map(([language, region, familyParts, variant]) => {
    const family = familyParts.join("-");
    return {
      name: `${language}-${region}-${family}-${variant}`,
      languageCode: `${language.toLowerCase()}-${region.toUpperCase()}`,
      family,
      variant,
    };
  });

/** Real voice names from the reference list, or built ones. */
export function voiceNameArb(rows: readonly VoiceRow[]): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(...rows.map((r) => r.voiceName)),
    builtVoiceArb.map((v) => v.name),
  );
}

const CLIENT_ENVS: readonly ClientEnv[] = ["sandbox", "pre-release", "live"];

export function connectorArb(rows: readonly VoiceRow[]): fc.Arbitrary<Connector> {
  return fc.record({
    connectorId: connectorIdArb,
    name: fc.string({ maxLength: 20 }),
    accountId: idArb,
    projectId: idArb,
    clientEnv: fc.constantFrom(...CLIENT_ENVS),
    variantId: fc.oneof(fc.constant(""), idArb),
    asrLangCode: bcp47Arb,
    ttsLangCode: bcp47Arb,
    voiceName: voiceNameArb(rows),
    disableHandoff: fc.boolean(),
  });
}

/** Valid values for each patchable field. */
export function patchValueArbs(rows: readonly VoiceRow[]) {
  return {
    variantId: fc.option(idArb, { nil: null }),
    asrLangCode: bcp47Arb,
    voiceName: voiceNameArb(rows),
    projectId: idArb,
  };
}

/** Valid, non-empty patches: any subset of the fields, each with a valid value. */
export function patchArb(rows: readonly VoiceRow[]): fc.Arbitrary<ConnectorPatch> {
  return fc
    .record(patchValueArbs(rows), { requiredKeys: [] })
    .filter((p) => Object.keys(p).length > 0);
}

/** What a recording fetch saw of one request. */
export interface Recorded {
  readonly method: string;
  readonly url: URL;
  readonly headers: Headers;
  readonly body: string;
}

/**
 * A `fetch` for createPolyAIClient that records each request and answers 200 with
 * `answer` as JSON. No network.
 */
export function recordingFetch(answer: unknown | ((request: Recorded) => unknown)): {
  fetch: typeof globalThis.fetch;
  seen: Recorded[];
} {
  const seen: Recorded[] = [];
  const fetchImpl: typeof globalThis.fetch = async (input, init) => {
    const request = new Request(input, init);
    const recorded: Recorded = {
      method: request.method,
      url: new URL(request.url),
      headers: request.headers,
      body: await request.text(),
    };
    seen.push(recorded);
    const body = typeof answer === "function" ? answer(recorded) : answer;
    return new Response(JSON.stringify(body), {
      status: 200,
      headers: { "content-type": "application/json" },
    });
  };
  return { fetch: fetchImpl, seen };
}

/**
 * A consistent success answer for `recordingFetch`: the sample connector under the
 * requested ID, or one success per item of a batch update, in request order.
 */
export function echoConnector(request: Recorded): unknown {
  const last = decodeURIComponent(request.url.pathname.split("/").at(-1) ?? "");
  if (request.method === "PATCH" && last === "batch") {
    const { updates } = JSON.parse(request.body) as { updates: { connectorId: string }[] };
    return {
      results: updates.map(({ connectorId }) => ({
        connectorId,
        success: true,
        data: { ...sampleConnector, connectorId },
      })),
    };
  }
  return { ...sampleConnector, connectorId: last };
}

/** A node:http server on 127.0.0.1 and an ephemeral port. Close it with `close()`. */
export async function startServer(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

export const sampleConnector: Connector = {
  connectorId: "CONN-7d2f9a",
  name: "Main line",
  accountId: "ws-fd112d8f",
  projectId: "PROJECT-58RP822I",
  clientEnv: "live",
  variantId: "VARIANT-spring-promo",
  asrLangCode: "en-US",
  ttsLangCode: "en-US",
  voiceName: "en-US-Neural2-A",
  disableHandoff: false,
};
