// What the CLI tests share: the key, the seed and desired state of the example in
// docs/phone-lines-as-code.md, a mock and a scratch folder per test, and the checks that no output
// holds the key in any spelling the client redacts.
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ExpectStatic } from "vitest";
import { keyRedactor } from "../../src/internal/redact.js";
import type { DesiredState } from "../../src/telephony/index.js";
import {
  createMockPolyAI,
  type MockPolyAI,
  type RecordedRequest,
  type SeedConnector,
  type SeedPhoneNumber,
} from "../../src/testing/index.js";

export const KEY = "sk-cli-test-key-0123456789";
export const AGENT = "PROJECT-58RP822I";

export function connector(id: string, over: Partial<SeedConnector> = {}): SeedConnector {
  return {
    connectorId: id,
    name: `Line ${id}`,
    accountId: "ws-fd112d8f",
    projectId: AGENT,
    clientEnv: "live",
    variantId: "",
    asrLangCode: "en-US",
    ttsLangCode: "en-US",
    voiceName: "en-US-Neural2-C",
    disableHandoff: false,
    ...over,
  };
}

export const SEED = (): SeedConnector[] => [
  connector("CONN-main", { variantId: "VARIANT-spring", phoneNumbers: ["+442079460000"] }),
  connector("CONN-support"),
  connector("CONN-other", { phoneNumbers: ["+442079460011"] }),
];

export const DESIRED: DesiredState = {
  agentId: AGENT,
  connectors: {
    "CONN-main": { voiceName: "en-GB-Neural2-A", variantId: null },
    "CONN-support": { asrLangCode: "en-GB" },
  },
  phoneNumbers: { "+442079460000": "CONN-support", "+442079460009": "CONN-main" },
};

/** What one run printed, and its exit code. */
export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface Scratch {
  mock: MockPolyAI;
  dir: string;
  /** The path of `name` in the scratch folder; with `data`, written there first (JSON unless a string). */
  file: (name: string, data?: unknown) => Promise<string>;
  /** Every file in the scratch folder, by name. */
  files: () => Promise<Record<string, string>>;
  close: () => Promise<void>;
}

/** What {@link setup} seeds the mock with. */
export interface SetupOptions {
  connectors?: SeedConnector[];
  phoneNumbers?: SeedPhoneNumber[];
  unavailableVoices?: string[];
  /** The key the mock takes (default KEY). */
  apiKey?: string;
}

/** A mock and a scratch folder for one test, both removed by close(). */
export async function setup(options: SetupOptions = {}): Promise<Scratch> {
  const mock = await createMockPolyAI({ apiKey: KEY, connectors: SEED(), ...options });
  const dir = await mkdtemp(join(tmpdir(), "polyai-cli-"));
  return {
    mock,
    dir,
    file: async (name, data) => {
      const path = join(dir, name);
      if (data !== undefined)
        await writeFile(path, typeof data === "string" ? data : JSON.stringify(data, null, 2));
      return path;
    },
    files: async () => {
      const out: Record<string, string> = {};
      for (const name of await readdir(dir)) out[name] = await readFile(join(dir, name), "utf8");
      return out;
    },
    close: async () => {
      await mock.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Runs `fn` with a fresh {@link setup}, closed afterwards whatever `fn` does. */
export async function withSetup<T>(
  options: SetupOptions,
  fn: (t: Scratch) => Promise<T>,
): Promise<T> {
  const t = await setup(options);
  try {
    return await fn(t);
  } finally {
    await t.close();
  }
}

/** What {@link countingFetch} saw: requests sent, and the most in flight at once. */
export interface FetchCount {
  fetch: typeof fetch;
  sent: number;
  most: number;
}

/** A fetch that counts, to check a concurrency bound where requests leave (#19). */
export function countingFetch(): FetchCount {
  let inFlight = 0;
  const count: FetchCount = {
    sent: 0,
    most: 0,
    fetch: async (input, init) => {
      count.sent++;
      count.most = Math.max(count.most, ++inFlight);
      try {
        return await fetch(input, init);
      } finally {
        inFlight--;
      }
    },
  };
  return count;
}

/** The requests that write (reads are GET, or POST to …/batch and …/lookup). */
export function writes(requests: readonly RecordedRequest[]): RecordedRequest[] {
  return requests.filter(
    (r) => r.method !== "GET" && !(r.method === "POST" && /\/(batch|lookup)$/.test(r.path)),
  );
}

const spellsKey = keyRedactor(KEY);

/** No text holds the key in any spelling the client redacts (raw, JSON, percent, HTML, any case). */
export function keyless(expect: ExpectStatic, ...texts: string[]): void {
  for (const text of texts) expect(spellsKey(text)).toBe(text);
}

/** No output of any run holds the key. */
export function runsKeyless(expect: ExpectStatic, ...runs: Run[]): void {
  keyless(expect, ...runs.flatMap((r) => [r.stdout, r.stderr]));
}
