#!/usr/bin/env node
// `npm run docs`: the API reference, docs/index.html, rendered from openapi/ by
// Redocly's build-docs. --inlineBundle embeds the Redoc script in the page so it
// opens offline (from file://, with no CDN). Telemetry is off. The HTML is
// generated, so it is gitignored.
import { readFile, stat } from "node:fs/promises";
import { join, relative } from "node:path";
import { redoclyCmd, root } from "./spec-model.mjs";

const out = join(root, "docs/index.html");
const res = await redoclyCmd([
  "build-docs",
  join(root, "openapi/openapi.yaml"),
  `--config=${join(root, "redocly.yaml")}`,
  `--output=${out}`,
  "--inlineBundle",
]);
if (res.failed) {
  console.error(`redocly build-docs failed:\n${`${res.stdout}${res.stderr}`.trim()}`);
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
