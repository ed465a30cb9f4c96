#!/usr/bin/env node
// `npm run build`: dist/ for npm.
//
//   dist/esm/  ESM: one bundled .js per public entry (src/index.js, src/telephony/
//              index.js, src/testing/index.js, and the bins src/telephony/cli.js,
//              src/testing/cli.js), each with its .js.map, plus the .d.ts of every
//              source file (tsc, tsconfig.build.json), in the source layout
//   dist/cjs/  CommonJS: the same bundles but the bins (ESM only), the same .d.ts
//              copied, and a package.json {"type":"commonjs"} so Node and TypeScript
//              read every file under it as CommonJS (the .d.ts text is the same)
//   dist/openapi.json   generated/openapi.json as it is: the bundled spec, exported
//              as `polyai-connectors/openapi.json` (for Prism, steady, your own tools)
//   dist/desired-state.schema.json   the JSON Schema of a desired-state file
//              (`polyai-connectors/desired-state.schema.json`, for editors)
//
// #21: one file per entry, because Node pays per module it loads (the core was 27).
// The telephony and testing entries import the core's own file for what it exports,
// so an InvalidInputError is one class whichever entry throws it; the mock's bin
// imports the testing entry's file (scripts/bundle.mjs says how, and fails the build
// on a second copy of a class).
//
// The build also proves the core entry portable, and fails if it is not:
//   1. tsc over src/*.ts with `types: []` and lib ES2022 + DOM
//      (tsconfig.build.core.json): no node: import, no Node global;
//   2. the core is bundled for platform "neutral" (a node: import does not resolve);
//   3. esbuild bundles dist/esm/src/index.js and dist/cjs/src/index.js for
//      platform "neutral" with nothing external (openapi-fetch included); neither
//      graph may reach a node: builtin or a file of src/testing.
import { execFile } from "node:child_process";
import { builtinModules } from "node:module";
import { chmod, copyFile, mkdir, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import * as esbuild from "esbuild";
import { ENTRIES, bundle, esbuildMessages } from "./bundle.mjs";

const run = promisify(execFile);
const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
const tsc = join(root, "node_modules/typescript/bin/tsc");
const started = performance.now();

async function project(config) {
  try {
    await run(process.execPath, [tsc, "-p", join(root, config)], {
      cwd: root,
      maxBuffer: 64 << 20,
    });
  } catch (err) {
    const out = `${err.stdout ?? ""}${err.stderr ?? ""}`.trim() || String(err);
    throw new Error(`tsc -p ${config} failed:\n${out}`);
  }
}

async function* walk(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else yield path;
  }
}

/** dist/cjs gets the .d.ts files tsc wrote into dist/esm. */
async function copyDeclarations() {
  const esm = join(dist, "esm");
  const jobs = [];
  for await (const file of walk(esm)) {
    if (!file.endsWith(".d.ts")) continue;
    const out = join(dist, "cjs", relative(esm, file));
    jobs.push(mkdir(dirname(out), { recursive: true }).then(() => copyFile(file, out)));
  }
  await Promise.all(jobs);
}

const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** Bundles a built core entry the way an edge runtime's bundler would, and inspects its module graph. */
async function checkPortable(entry, format) {
  const result = await esbuild
    .build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      platform: "neutral",
      format,
      // esbuild's neutral platform knows no main fields or conditions; these are the
      // ones edge bundlers (workers, deno, vercel edge) use.
      mainFields: format === "cjs" ? ["main"] : ["module", "main"],
      conditions: format === "cjs" ? ["require"] : ["import"],
      metafile: true,
      logLevel: "silent",
    })
    .catch((err) => {
      throw new Error(
        `core entry ${relative(root, entry)} does not bundle for platform=neutral:\n${esbuildMessages(err)}`,
      );
    });
  const problems = [];
  for (const [file, input] of Object.entries(result.metafile.inputs)) {
    if (/(^|\/)src\/testing\//.test(file))
      problems.push(`${file} (the testing entry) is reachable from the core entry`);
    for (const imp of input.imports) {
      if (imp.path.startsWith("node:") || BUILTINS.has(imp.path))
        problems.push(`${file} imports ${imp.path}`);
    }
  }
  if (problems.length)
    throw new Error(
      `core entry ${relative(root, entry)} is not runtime-neutral:\n  ${problems.join("\n  ")}`,
    );
}

async function main() {
  await rm(dist, { recursive: true, force: true });
  const [, , bundles] = await Promise.all([
    project("tsconfig.build.json"),
    project("tsconfig.build.core.json"),
    bundle(dist),
  ]);
  await copyDeclarations();
  await copyFile(join(root, "generated/openapi.json"), join(dist, "openapi.json"));

  await copyFile(
    join(root, "src/telephony/desired-state.schema.json"),
    join(dist, "desired-state.schema.json"),
  );

  for (const { src, bin } of ENTRIES.filter((e) => e.bin)) {
    const file = `esm/${src.replace(/\.ts$/, ".js")}`;
    const cli = join(dist, file);
    const cliText = await readFile(cli, "utf8").catch(() => null);
    if (cliText === null) throw new Error(`dist/${file} was not emitted (the ${bin} bin)`);
    if (!cliText.startsWith("#!/usr/bin/env node\n"))
      await writeFile(cli, `#!/usr/bin/env node\n${cliText.replace(/^#!.*\n/, "")}`);
    await chmod(cli, 0o755);
  }

  await Promise.all([
    checkPortable(join(dist, "esm/src/index.js"), "esm"),
    checkPortable(join(dist, "cjs/src/index.js"), "cjs"),
  ]);

  let files = 0;
  for await (const _ of walk(dist)) files++;
  const secs = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    `built dist/ (esm + cjs, ${files} files) in ${secs} s; core entry checked runtime-neutral`,
  );
  // What each entry that imports others' files carries of theirs: helpers and data
  // they do not export.
  for (const { entry, format, copies } of bundles) {
    if (format !== "esm" || !entry.uses?.length) continue;
    const kb = (copies.reduce((sum, c) => sum + c.bytes, 0) / 1000).toFixed(1);
    console.log(`  ${entry.src}: imports the built ${entry.uses.join(", ")}; copies ${kb} kB`);
  }
}

main().catch((err) => {
  console.error(err.message ?? err);
  process.exit(1);
});
