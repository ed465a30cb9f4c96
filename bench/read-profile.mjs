#!/usr/bin/env node
// Lists the top self-time functions of a .cpuprofile (from node --cpu-prof), and
// the share of time spent under each src/ function (inclusive), for bench/README.md.
//   node bench/read-profile.mjs file.cpuprofile [top=30]
import { readFileSync } from "node:fs";

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error("usage: node bench/read-profile.mjs file.cpuprofile [top]");
  process.exit(2);
}
const top = Number(topArg ?? 30);
const profile = JSON.parse(readFileSync(file, "utf8"));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

// Self time per node from the sample timeline.
const self = new Map();
const deltas = profile.timeDeltas;
let total = 0;
profile.samples.forEach((id, i) => {
  const dt = deltas[i + 1] ?? 0;
  self.set(id, (self.get(id) ?? 0) + dt);
  total += dt;
});

const short = (url) =>
  url
    ? url.replace(/^file:\/\/.*?\/(node_modules\/|bench\/\.out\/)/, "$1").replace(/^node:/, "node:")
    : "";
const label = (n) => {
  const f = n.callFrame;
  return `${f.functionName || "(anonymous)"} ${short(f.url)}${f.url ? `:${f.lineNumber + 1}` : ""}`;
};

// Self time by function.
const selfBy = new Map();
for (const [id, t] of self) {
  const key = label(byId.get(id));
  selfBy.set(key, (selfBy.get(key) ?? 0) + t);
}
const pct = (t) => `${((100 * t) / total).toFixed(1).padStart(5)}%`;
console.log(`${file}: ${(total / 1000).toFixed(0)} ms sampled\n\nTop self time:`);
for (const [k, t] of [...selfBy].sort((a, b) => b[1] - a[1]).slice(0, top))
  console.log(`${pct(t)}  ${k}`);

// Inclusive time by function (each sample counted once per distinct function on its stack).
const incl = new Map();
profile.samples.forEach((id, i) => {
  const dt = deltas[i + 1] ?? 0;
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const key = label(byId.get(cur));
    if (seen.has(key)) continue;
    seen.add(key);
    incl.set(key, (incl.get(key) ?? 0) + dt);
  }
});
console.log(`\nTop inclusive time (bundle functions only):`);
for (const [k, t] of [...incl]
  .filter(([k]) => /\.out\/|\.mjs/.test(k) && !/^\(/.test(k))
  .sort((a, b) => b[1] - a[1])
  .slice(0, top))
  console.log(`${pct(t)}  ${k}`);

// With --callers=NAME: where NAME's self time comes from (its call paths, 4 frames up).
const callersArg = process.argv.find((a) => a.startsWith("--callers="));
if (callersArg) {
  const name = callersArg.slice(10);
  const paths = new Map();
  let sum = 0;
  profile.samples.forEach((id, i) => {
    const n = byId.get(id);
    if (n.callFrame.functionName !== name) return;
    const dt = deltas[i + 1] ?? 0;
    sum += dt;
    const chain = [];
    for (let cur = parent.get(id); cur !== undefined && chain.length < 4; cur = parent.get(cur))
      chain.push(label(byId.get(cur)));
    const key = chain.join(" ← ");
    paths.set(key, (paths.get(key) ?? 0) + dt);
  });
  console.log(`\nCallers of ${name} (${pct(sum)} self in all):`);
  for (const [k, t] of [...paths].sort((a, b) => b[1] - a[1]).slice(0, 12))
    console.log(`${pct(t)}  ${k}`);
}
