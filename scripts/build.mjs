#!/usr/bin/env node
// `npm run build`: dist/ for npm.
//
//   dist/esm/  ESM  (.js, .d.ts, .js.map)   tsconfig.build.json
//   dist/cjs/  CJS  (.js, .d.ts, .js.map)   each source file esbuild-transformed
//              to CommonJS, the .d.ts copied from dist/esm, plus a package.json
//              {"type":"commonjs"} so Node and TypeScript read every file under it
//              as CommonJS (the .d.ts text is the same for both formats)
//   dist/openapi.json   generated/openapi.json as it is: the bundled spec, exported
//              as `polyai-connectors/openapi.json` (for Prism, steady, your own tools)
//   dist/desired-state.schema.json   the JSON Schema of a desired-state file
//              (`polyai-connectors/desired-state.schema.json`, for editors)
//
// Both trees keep the source layout (src/, generated/), one output file per source
// file, so `polyai-connectors` and `polyai-connectors/testing` share the same
// errors.js, patch.js... (one InvalidInputError class per format, not one per entry)
// and the core entry's module graph never reaches src/testing.
//
// The build also proves the core entry portable, and fails if it is not:
//   1. tsc over src/*.ts with `types: []` and lib ES2022 + DOM
//      (tsconfig.build.core.json): no node: import, no Node global;
//   2. esbuild bundles dist/esm/src/index.js and dist/cjs/src/index.js for
//      platform "neutral" with nothing external (openapi-fetch included); neither
//      graph may reach a node: builtin or a file of src/testing.
import { execFile } from "node:child_process";
import { builtinModules } from "node:module";
import { chmod, copyFile, mkdir, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import * as esbuild from "esbuild";

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

/**
 * dist/cjs from dist/esm: for each emitted .js, its TypeScript source is
 * transformed to CommonJS and its .d.ts copied. esbuild's transform API is used
 * (not build) because it knows no file path: with one, esbuild would see this
 * "type": "module" package and give `import createClient from "openapi-fetch"`
 * Node-ESM interop (the whole exports object) instead of `exports.default`.
 */
async function buildCjs() {
  const esm = join(dist, "esm");
  const cjs = join(dist, "cjs");
  const jobs = [];
  for await (const file of walk(esm)) {
    if (!file.endsWith(".js")) continue;
    const rel = relative(esm, file);
    // The bins are ESM only.
    if (rel === join("src", "testing", "cli.js") || rel === join("src", "telephony", "cli.js"))
      continue;
    const source = join(root, rel.replace(/\.js$/, ".ts"));
    const out = join(cjs, rel);
    jobs.push(
      (async () => {
        const result = await esbuild.transform(await readFile(source, "utf8"), {
          loader: "ts",
          format: "cjs",
          target: "es2022",
          sourcemap: "external",
          sourcesContent: true,
          sourcefile: relative(dirname(out), source),
          // As tsconfig.json: class fields with define semantics (ES2022), imports kept as written.
          tsconfigRaw: {
            compilerOptions: { useDefineForClassFields: true, verbatimModuleSyntax: true },
          },
        });
        await mkdir(dirname(out), { recursive: true });
        await writeFile(out, `${result.code}//# sourceMappingURL=${basename(out)}.map\n`);
        await writeFile(`${out}.map`, result.map);
        await copyFile(file.replace(/\.js$/, ".d.ts"), out.replace(/\.js$/, ".d.ts"));
      })(),
    );
  }
  await Promise.all(jobs);
  await writeFile(join(cjs, "package.json"), `${JSON.stringify({ type: "commonjs" }, null, 2)}\n`);
}

/** generated/openapi.ts holds only types and generated/spec.ts only data: their maps are dead weight. */
async function dropUselessMaps(tree) {
  for (const name of ["openapi", "spec"]) {
    const js = join(tree, "generated", `${name}.js`);
    const text = await readFile(js, "utf8");
    await writeFile(js, text.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, "\n"));
    await rm(`${js}.map`);
  }
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
      const msgs = (err.errors ?? [])
        .map((e) => `  ${e.location ? `${e.location.file}:${e.location.line}: ` : ""}${e.text}`)
        .join("\n");
      throw new Error(
        `core entry ${relative(root, entry)} does not bundle for platform=neutral:\n${msgs || err.message}`,
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
  await Promise.all([project("tsconfig.build.json"), project("tsconfig.build.core.json")]);
  await buildCjs();
  await writeFile(
    join(dist, "esm/package.json"),
    `${JSON.stringify({ type: "module" }, null, 2)}\n`,
  );
  await Promise.all([dropUselessMaps(join(dist, "esm")), dropUselessMaps(join(dist, "cjs"))]);
  await copyFile(join(root, "generated/openapi.json"), join(dist, "openapi.json"));

  await copyFile(
    join(root, "src/telephony/desired-state.schema.json"),
    join(dist, "desired-state.schema.json"),
  );

  for (const [file, bin] of [
    ["esm/src/testing/cli.js", "polyai-connectors-mock"],
    ["esm/src/telephony/cli.js", "polyai-connectors"],
  ]) {
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
}

main().catch((err) => {
  console.error(err.message ?? err);
  process.exit(1);
});
