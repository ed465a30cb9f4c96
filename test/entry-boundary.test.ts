// The entries' boundaries. From the sources: the core entry must run wherever fetch
// does and stay small (openapi-fetch and nothing else, no node: module, never the
// testing entry). As built (#21, scripts/bundle.mjs): one file per entry and format,
// and one copy of the core at run time, so an error the telephony entry throws is the
// class `polyai-connectors` exports and the core's client is the one the other
// entries take, in ESM and in CommonJS.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { promisify } from "node:util";
import * as esbuild from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ENTRIES, bundle, type Bundled } from "../scripts/bundle.mjs";

const root = resolve(import.meta.dirname, "..");
const run = promisify(execFile);

async function inputsOf(entry: string): Promise<string[]> {
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [entry],
    bundle: true,
    write: false,
    platform: "neutral",
    format: "esm",
    metafile: true,
    logLevel: "silent",
  });
  return Object.keys(result.metafile.inputs);
}

describe("entry boundaries (sources)", () => {
  it("the core entry bundles for a neutral (edge) platform from src/, generated/ and openapi-fetch only", async () => {
    const inputs = await inputsOf("src/index.ts");
    expect(inputs.some((f) => f.includes("node_modules/openapi-fetch/"))).toBe(true);
    const outside = inputs.filter(
      (f) => !/^(src\/|generated\/|node_modules\/openapi-fetch\/)/.test(f),
    );
    expect(outside).toEqual([]);
    expect(inputs.filter((f) => f.startsWith("src/testing/"))).toEqual([]);
    expect(inputs).not.toContain("generated/spec.ts");
  });

  it("the testing entry does pull in the mock, ajv and the spec (so the check above can fail)", async () => {
    await expect(inputsOf("src/testing/index.ts")).rejects.toThrow(/node:|http/);
    const result = await esbuild.build({
      absWorkingDir: root,
      entryPoints: ["src/testing/index.ts"],
      bundle: true,
      write: false,
      platform: "node",
      format: "esm",
      metafile: true,
      logLevel: "silent",
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs).toContain("generated/spec.ts");
    expect(inputs.some((f) => f.includes("node_modules/ajv/"))).toBe(true);
  });
});

// What the probes below check, in one process per format: every entry loaded from
// its built file, the mock serving the core's client, telephony planning and applying
// with it, and telephony's errors being the core's classes.
const PROBE = `
const seed = {
  connectorId: "CONN-main", name: "Main line", accountId: "ws-fd112d8f",
  projectId: "PROJECT-58RP822I", clientEnv: "live", variantId: "VARIANT-spring",
  asrLangCode: "en-US", ttsLangCode: "en-US", voiceName: "en-US-Neural2-A",
  disableHandoff: false, phoneNumbers: [],
};
async function probe(core, telephony, testing) {
  const out = {};
  const agentId = seed.projectId;
  const bad = await telephony.plan({}, { agentId: 5 }).catch((e) => e);
  out.planInputError = bad instanceof core.InvalidInputError && bad instanceof core.PolyAIError;
  out.telephonyClasses = ["PlanStaleError", "InvalidPlanError", "UnknownConnectorError", "ChangeRejectedError"]
    .every((name) => Object.getPrototypeOf(telephony[name].prototype) === core.PolyAIError.prototype);
  const mock = await testing.createMockPolyAI({ apiKey: "probe-key-123", connectors: [seed] });
  try {
    const poly = core.createPolyAIClient({ apiKey: "probe-key-123", baseUrl: mock.url, maxRetries: 0 });
    const forged = await telephony.apply(poly, { forged: true }).catch((e) => e);
    out.applyPlanError = forged instanceof telephony.InvalidPlanError && forged instanceof core.PolyAIError;
    const planned = await telephony.plan(poly, { agentId, connectors: { "CONN-main": { voiceName: "en-GB-Neural2-A" } } });
    await telephony.apply(poly, planned);
    out.appliedVoice = (await poly.connectors.get(agentId, "CONN-main")).voiceName;
    const missing = await poly.connectors.get(agentId, "CONN-nope").catch((e) => e);
    out.mockAnswerIsCoreError = missing instanceof core.NotFoundError;
  } finally {
    await mock.close();
  }
  return out;
}
`;

const EXPECTED = {
  planInputError: true,
  telephonyClasses: true,
  applyPlanError: true,
  appliedVoice: "en-GB-Neural2-A",
  mockAnswerIsCoreError: true,
};

const CORE_CLASSES = ["PolyAIError", "InvalidInputError", "APIError", "APIPromise"];
// esbuild writes a bundled class as `var Name = class …` (`Name2` for a second one).
const declares = (name: string) => new RegExp(`\\b${name}\\d* = class\\b|\\bclass ${name}\\b`, "g");

describe("entry boundaries (built, one file per entry)", () => {
  let out: string;
  let built: Bundled[];
  const text = (b: Bundled) => readFile(b.outfile, "utf8");
  const find = (src: string, format: "esm" | "cjs") =>
    built.find((b) => b.entry.src === src && b.format === format);

  beforeAll(async () => {
    // Under node_modules/ so the bundles find openapi-fetch and ajv as in a project.
    out = await mkdtemp(join(root, "node_modules", ".entry-boundary-"));
    built = await bundle(out);
  });
  afterAll(async () => {
    if (out) await rm(out, { recursive: true, force: true });
  });

  it("writes one .js and one source map per entry and format (the bins ESM only)", async () => {
    const written = built.map((b) => relative(out, b.outfile).split("\\").join("/")).sort();
    expect(written).toEqual([
      "cjs/src/index.js",
      "cjs/src/telephony/index.js",
      "cjs/src/testing/index.js",
      "esm/src/index.js",
      "esm/src/telephony/cli.js",
      "esm/src/telephony/index.js",
      "esm/src/testing/cli.js",
      "esm/src/testing/index.js",
    ]);
    expect(ENTRIES.filter((e) => e.bin).map((e) => e.bin)).toEqual([
      "polyai-connectors",
      "polyai-connectors-mock",
    ]);
    for (const b of built) {
      const map = JSON.parse(await readFile(`${b.outfile}.map`, "utf8"));
      expect(map.sources.length).toBeGreaterThan(0);
      // Our TypeScript, and openapi-fetch's published source where it is bundled in.
      const foreign = map.sources.filter(
        (s: string) => !s.endsWith(".ts") && !/(^|\/)openapi-fetch\/src\//.test(s),
      );
      expect(foreign).toEqual([]);
      expect(map.sourcesContent).toHaveLength(map.sources.length);
    }
  });

  it("the core file declares each of its classes once; telephony and testing import it and declare none", async () => {
    for (const format of ["esm", "cjs"] as const) {
      const core = await text(find("src/index.ts", format)!);
      for (const name of CORE_CLASSES) expect(core.match(declares(name))).toHaveLength(1);
      for (const src of ["src/telephony/index.ts", "src/testing/index.ts"]) {
        const b = find(src, format)!;
        const code = await text(b);
        expect(code).toContain(format === "esm" ? 'from "../index.js"' : 'require("../index.js")');
        for (const name of CORE_CLASSES)
          expect(code).not.toMatch(new RegExp(`\\bclass ${name}\\b`));
        expect(b.copies.map((c) => c.file)).not.toContain("src/errors.ts");
      }
    }
  });

  it("openapi-fetch is bundled into the core's file and the CLI, with its MIT notice, and imported by none", async () => {
    for (const b of built) {
      const code = await text(b);
      const inlines = b.entry.core === true || b.entry.bin === "polyai-connectors";
      expect(code.includes("Bundles openapi-fetch") && code.includes("MIT License")).toBe(inlines);
      expect(code).not.toMatch(/(from |require\()"openapi-fetch"/);
    }
  });

  it("the CLI holds its whole program, core included; the mock's bin imports the testing entry's file", async () => {
    const imports = (code: string) =>
      [...code.matchAll(/\b(?:from|import\()\s*"(\.\.?\/[^"]+)"/g)].map((m) => m[1]);
    for (const b of built.filter((x) => x.entry.bin)) {
      const code = await text(b);
      expect(code.startsWith("#!/usr/bin/env node\n")).toBe(true);
      const whole = b.entry.bin === "polyai-connectors";
      expect(imports(code)).toEqual(whole ? [] : ["./index.js"]);
      // One copy of each class in the process: the CLI's own, or the core file's.
      for (const name of CORE_CLASSES)
        expect(code.match(declares(name)) ?? []).toHaveLength(whole ? 1 : 0);
    }
  });

  it("ESM: telephony's errors are the core's classes and it takes the core's client; the mock serves it", async () => {
    const probe = join(out, "probe.mjs");
    await writeFile(
      probe,
      `${PROBE}
const core = await import("./esm/src/index.js");
const telephony = await import("./esm/src/telephony/index.js");
const testing = await import("./esm/src/testing/index.js");
console.log(JSON.stringify(await probe(core, telephony, testing)));
`,
    );
    const { stdout } = await run(process.execPath, [probe], { cwd: out });
    expect(JSON.parse(stdout)).toEqual(EXPECTED);
  });

  it("CommonJS: the same, and require loads each file of the package once", async () => {
    const probe = join(out, "probe.cjs");
    await writeFile(
      probe,
      `${PROBE}
const core = require("./cjs/src/index.js");
const telephony = require("./cjs/src/telephony/index.js");
const testing = require("./cjs/src/testing/index.js");
probe(core, telephony, testing).then((result) => {
  result.loaded = Object.keys(require.cache)
    .filter((f) => f.startsWith(__dirname) && f !== __filename)
    .map((f) => f.slice(__dirname.length + 1).split("\\\\").join("/"))
    .sort();
  console.log(JSON.stringify(result));
});
`,
    );
    const { stdout } = await run(process.execPath, [probe], { cwd: out });
    expect(JSON.parse(stdout)).toEqual({
      ...EXPECTED,
      loaded: ["cjs/src/index.js", "cjs/src/telephony/index.js", "cjs/src/testing/index.js"],
    });
  });

  it("the probe can fail: telephony bundled with its own copy of the core throws another InvalidInputError", async () => {
    const own = join(out, "own-copy/telephony.mjs");
    await esbuild.build({
      absWorkingDir: root,
      entryPoints: ["src/telephony/index.ts"],
      outfile: own,
      bundle: true,
      format: "esm",
      platform: "node",
      packages: "external",
      logLevel: "silent",
    });
    const probe = join(out, "probe-own.mjs");
    await writeFile(
      probe,
      `const core = await import("./esm/src/index.js");
const telephony = await import("./own-copy/telephony.mjs");
const bad = await telephony.plan({}, { agentId: 5 }).catch((e) => e);
console.log(JSON.stringify({ name: bad.name, same: bad instanceof core.InvalidInputError }));
`,
    );
    const { stdout } = await run(process.execPath, [probe], { cwd: out });
    expect(JSON.parse(stdout)).toEqual({ name: "InvalidInputError", same: false });
    expect(await readFile(own, "utf8")).toMatch(declares("InvalidInputError"));
  });
});
