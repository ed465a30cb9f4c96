// The spec pipeline end to end: scripts/generate.mjs on temporary copies of
// openapi/. Each run takes ~3 s of CPU (redocly twice, openapi-typescript, prettier),
// so the runs are few (four) and concurrent.
import { spawn } from "node:child_process";
import { cp, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "./support/fixtures.js";

/** A hang guard: four concurrent runs take ~5 s on two quiet cores. */
const TIMEOUT = 180_000;
const GENERATED = ["openapi.json", "openapi.ts", "operations.ts", "resources.ts", "spec.ts"];
const temps: string[] = [];

afterAll(async () => {
  await Promise.all(temps.map((dir) => rm(dir, { recursive: true, force: true })));
});

interface Run {
  readonly code: number | null;
  readonly output: string;
}

function generate(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repoRoot, "scripts/generate.mjs"), ...args], {
      cwd: repoRoot,
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}

/** A temporary copy of openapi/, after `edit` (file path relative to openapi/ → new text). */
async function specCopy(
  edit: (
    read: (file: string) => Promise<string>,
  ) => Promise<Record<string, string>> = async () => ({}),
) {
  const dir = await mkdtemp(path.join(tmpdir(), "polyai-pipeline-"));
  temps.push(dir);
  await cp(path.join(repoRoot, "openapi"), path.join(dir, "openapi"), { recursive: true });
  const read = (file: string) => readFile(path.join(dir, "openapi", file), "utf8");
  for (const [file, text] of Object.entries(await edit(read)))
    await writeFile(path.join(dir, "openapi", file), text);
  return { dir, spec: `--spec=${path.join(dir, "openapi/openapi.yaml")}` };
}

/** `text` with `from` replaced once; fails when `from` is not there, so an edit never silently misses. */
function replaceOnce(text: string, from: string, to: string): string {
  expect(text).toContain(from);
  return text.replace(from, to);
}

describe.concurrent("npm run generate", () => {
  it(
    "fails lint, naming the rule and the operation, when a 429 response and an operationId are missing",
    async () => {
      const { dir, spec } = await specCopy(async (read) => ({
        "paths/connectors.yaml": replaceOnce(
          await read("paths/connectors.yaml"),
          "    '429':\n      $ref: ../components/responses/RateLimited.yaml\n",
          "",
        ),
        "paths/connectors-lookup.yaml": replaceOnce(
          await read("paths/connectors-lookup.yaml"),
          "  operationId: lookupConnector\n",
          "",
        ),
      }));
      const run = await generate([spec, `--out=${path.join(dir, "out")}`]);
      expect(run.code).not.toBe(0);
      expect(run.output).toMatch(/spec lint failed: 2 error\(s\)/);
      expect(run.output).toMatch(
        /rule\/operation-documents-auth-and-rate-limit: Every operation must document 401, 403 and 429 responses\. \(.*paths\/connectors\.yaml#\/get\/responses\)/,
      );
      expect(run.output).toMatch(
        /operation-operationId: .*\(.*paths\/connectors-lookup\.yaml#\/post/,
      );
      await expect(readdir(dir)).resolves.toEqual(["openapi"]);
    },
    TIMEOUT,
  );

  it(
    "--check against the committed generated/ fails after a description changes, naming generated/openapi.ts",
    async () => {
      const { spec } = await specCopy(async (read) => ({
        "paths/connector.yaml": replaceOnce(
          await read("paths/connector.yaml"),
          "One connector, with every field.",
          "One connector, with all of its fields.",
        ),
      }));
      const committed = await readFile(path.join(repoRoot, "generated/openapi.ts"), "utf8");
      const run = await generate(["--check", spec, `--out=${path.join(repoRoot, "generated")}`]);
      expect(run.code).not.toBe(0);
      expect(run.output).toContain("generated/ is stale");
      expect(run.output).toContain(path.join(repoRoot, "generated/openapi.ts"));
      // A description is documentation: the operation table does not change.
      expect(run.output).not.toContain("operations.ts");
      // --check writes nothing.
      await expect(readFile(path.join(repoRoot, "generated/openapi.ts"), "utf8")).resolves.toBe(
        committed,
      );
    },
    TIMEOUT,
  );

  // #20: the second run is the one that wrote generated/ (generate:check below shows
  // it is what the repo's openapi/ gives now), so one more run is enough.
  it(
    "generates byte-identical files when run twice: a copy elsewhere gives the committed generated/",
    async () => {
      const { dir, spec } = await specCopy();
      const out = path.join(dir, "out");
      const run = await generate([spec, `--out=${out}`]);
      expect(run.code, run.output).toBe(0);
      expect((await readdir(out)).sort()).toEqual(GENERATED);
      for (const name of GENERATED) {
        const fresh = await readFile(path.join(out, name));
        const committed = await readFile(path.join(repoRoot, "generated", name));
        expect(
          fresh.equals(committed),
          `${name} differs from generated/${name} (if generate:check fails too, generated/ is stale: npm run generate)`,
        ).toBe(true);
        expect(fresh.includes(dir), `${name} contains the temp path`).toBe(false);
      }
    },
    TIMEOUT,
  );

  it(
    "generate:check passes on the repo as committed",
    async () => {
      const run = await generate(["--check"]);
      expect(run.code, run.output).toBe(0);
      expect(run.output).toContain("generated/ is up to date (5 files)");
    },
    TIMEOUT,
  );
});
