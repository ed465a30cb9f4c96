// The core entry must run wherever fetch does and stay small: it may depend on
// openapi-fetch and nothing else, must not reach node: modules, and must never
// pull in the testing entry (node:http, ajv, the whole spec).
import { resolve } from "node:path";
import * as esbuild from "esbuild";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "..");

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

describe("entry boundaries", () => {
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
