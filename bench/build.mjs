// Step 1 of `npm run bench`: compiles everything the bench runs with esbuild, so
// that the timed code is plain JavaScript run by plain node (no tsx transform in
// the measured process), and builds the bundles the size and start-up rows measure.
// Everything goes to bench/.out/ (gitignored).
import { existsSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import { bundle } from "../scripts/bundle.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "bench/.out");
await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });

const common = {
  absWorkingDir: root,
  bundle: true,
  format: "esm",
  logLevel: "warning",
  legalComments: "none",
};
const node = { ...common, platform: "node", target: "node20" };
// A library as an application's bundler would ship it to a browser.
const browser = { ...common, platform: "browser", target: "es2022", minify: true };
const stdin = (contents) => ({ contents, resolveDir: root, loader: "js" });

// The bench itself. Packages stay external: openapi-fetch and axios load from
// node_modules exactly as an application would load them; only our TypeScript
// (bench/, src/, generated/) is compiled.
await esbuild.build({
  ...node,
  entryPoints: ["bench/bench.ts"],
  outfile: join(out, "bench.mjs"),
  packages: "external",
});
// Profiling aids (bench/README.md): not run by `npm run bench`.
await esbuild.build({
  ...node,
  entryPoints: ["bench/profile.ts"],
  outfile: join(out, "profile.mjs"),
  packages: "external",
});
await esbuild.build({
  ...node,
  entryPoints: ["bench/ablation.ts"],
  outfile: join(out, "ablation.mjs"),
  packages: "external",
});

// The mock server, when it exists (it is being written alongside this bench).
const mockEntry = join(root, "src/testing/index.ts");
let mock = "absent";
if (existsSync(mockEntry)) {
  try {
    await esbuild.build({
      ...node,
      entryPoints: [mockEntry],
      outfile: join(out, "mock.mjs"),
      packages: "external",
      logLevel: "silent",
    });
    mock = "built";
  } catch (err) {
    mock = `failed to build: ${String(err.message).split("\n")[0]}`;
  }
}

// Size: minified ESM for the browser, every dependency included.
await esbuild.build({
  ...browser,
  entryPoints: ["src/index.ts"],
  outfile: join(out, "size/core.min.js"),
});
await esbuild.build({
  ...browser,
  entryPoints: ["src/index.ts"],
  outfile: join(out, "size/core-own.min.js"),
  external: ["openapi-fetch"],
});
await esbuild.build({
  ...browser,
  stdin: stdin('export * from "openapi-fetch"; export { default } from "openapi-fetch";'),
  outfile: join(out, "size/openapi-fetch.min.js"),
});
await esbuild.build({
  ...browser,
  stdin: stdin('export * from "axios"; export { default } from "axios";'),
  outfile: join(out, "size/axios.min.js"),
});

// Start-up (#21): the package's entries as `npm run build` bundles them, so the
// start-up rows time what an installed package loads.
await bundle(join(out, "pkg"));

await writeFile(join(out, "build.json"), JSON.stringify({ mock }, null, 2));
