#!/usr/bin/env node
// `npm run docs`: the API reference, docs/index.html, rendered from openapi/ by
// Redocly's build-docs. --inlineBundle embeds the Redoc script in the page so it
// opens offline (from file://, with no CDN). Telemetry is off. The HTML is
// generated, so it is gitignored.
import { execFile } from "node:child_process";
import { readFile, stat } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "docs/index.html");
const redocly = join(root, "node_modules/@redocly/cli/bin/cli.js");
const env = {
  ...process.env,
  REDOCLY_TELEMETRY: "off",
  REDOCLY_SUPPRESS_UPDATE_NOTICE: "true",
  NO_COLOR: "1",
};

try {
  await run(
    process.execPath,
    [
      redocly,
      "build-docs",
      join(root, "openapi/openapi.yaml"),
      `--config=${join(root, "redocly.yaml")}`,
      `--output=${out}`,
      "--inlineBundle",
    ],
    { cwd: root, env, maxBuffer: 64 << 20 },
  );
} catch (err) {
  console.error(
    `redocly build-docs failed:\n${`${err.stdout ?? ""}${err.stderr ?? ""}`.trim() || err.message}`,
  );
  process.exit(1);
}
const html = await readFile(out, "utf8");
const external = [...html.matchAll(/<script[^>]*\ssrc="(https?:)?\/\/[^"]*"/g)].map((m) => m[0]);
if (external.length) {
  console.error(
    `${relative(root, out)} loads scripts from the network, so it would not open offline:\n  ${external.join("\n  ")}`,
  );
  process.exit(1);
}
console.log(
  `wrote ${relative(root, out)} (${Math.round((await stat(out)).size / 1024)} KiB, self-contained)`,
);
