// #24: how `npm run spec:upstream` shows its result: a report for people, JSON for
// machines, and docs/upstream-differences.md (the table of deliberate differences).
import { ANNOTATION } from "./upstream-annotations.mjs";

/**
 * @typedef {{ aspect: string, annotateAt: string, messages: string[],
 *   where: { ours: string | null, upstream: string | null }[], operations: string[],
 *   reason?: string }} Finding
 * @typedef {{ upstream: { title: string, version: string, label: string },
 *   drift: Finding[], deliberate: Finding[],
 *   stale: { at: string, aspect: string, reason: string }[],
 *   invalid: { at: string, message: string }[],
 *   changed?: { at: string, aspects: string[], differences: string[], operations: string[],
 *     reason: string }[] }} UpstreamResult
 */

const SHOWN = 3; // places listed per finding; the rest are counted

const opName = (op) => op.match(/\(([^)]+)\)$/)?.[1] ?? op;

function places(f) {
  const lines = f.where.slice(0, SHOWN).map((w) => {
    const ours = w.ours ?? "(none)";
    const up = w.upstream ?? "(none)";
    return `      ours ${ours}\n      PolyAI ${up}`;
  });
  if (f.where.length > SHOWN) lines.push(`      … and ${f.where.length - SHOWN} more place(s)`);
  if (f.operations.length)
    lines.push(`      operations: ${f.operations.map(opName).sort().join(", ")}`);
  return lines;
}

/** Whether the result holds anything to act on. */
export const hasProblems = (r) =>
  r.drift.length + r.stale.length + r.invalid.length + (r.changed?.length ?? 0) > 0 ||
  Boolean(r.docsStale);

/** The human-readable report. */
export function formatUpstreamReport(r) {
  const lines = [`spec:upstream: openapi/ against ${r.upstream.label}`];
  for (const f of r.drift) {
    lines.push(`  DRIFT  ${f.annotateAt} [${f.aspect}]: ${f.messages.join("; ")}`);
    lines.push(...places(f));
  }
  for (const s of r.stale)
    lines.push(
      `  STALE  ${s.at} [${s.aspect}]: ${ANNOTATION} names no difference any more (its reason: ${JSON.stringify(s.reason)})`,
    );
  for (const c of r.changed ?? [])
    lines.push(
      `  CHANGED  ${c.at} [${c.aspects.join(", ")}]: now ${c.differences.join("; ")}; not as docs/upstream-differences.md records it`,
    );
  for (const i of r.invalid) lines.push(`  INVALID  ${i.at}: ${i.message}`);
  if (r.docsStale)
    lines.push(
      `  STALE  ${r.docsStale}: not the table of this result; run npm run spec:upstream -- --write-docs`,
    );
  lines.push(
    `${r.deliberate.length} deliberate difference(s), ${r.drift.length} drift, ${r.stale.length} stale annotation(s)`,
  );
  if (r.drift.length)
    lines.push(
      `Drift: follow PolyAI in openapi/, or, where we differ on purpose, add the aspect with its reason to ${ANNOTATION} at the place named first (see openapi/README.md).`,
    );
  if (r.stale.length) lines.push("Stale: remove the aspect from the annotation.");
  if (r.changed?.length)
    lines.push(
      "Changed: PolyAI's side of a deliberate difference moved (or a reason is new): check the reason still holds, then npm run spec:upstream -- --write-docs.",
    );
  return lines.join("\n");
}

const cell = (s) => s.replace(/\|/g, "\\|").replace(/\s*\n\s*/g, " ");

/**
 * One row per reason, with the aspects it covers, the differences as they are now and
 * the operations they are in. #24: these pin PolyAI's side, so a change there under a
 * reason shows (its own limit, or a 429 it now documents for one operation).
 */
function rowsOf(r) {
  const rows = new Map();
  for (const f of r.deliberate) {
    const key = `${f.annotateAt}\u0000${f.reason}`;
    const row = rows.get(key) ?? {
      at: f.annotateAt,
      reason: f.reason,
      aspects: new Set(),
      differences: new Set(),
      operations: new Set(),
    };
    row.aspects.add(f.aspect);
    for (const m of f.messages) row.differences.add(m);
    for (const op of f.operations) row.operations.add(opName(op));
    rows.set(key, row);
  }
  return [...rows.values()]
    .map((row) => ({
      at: row.at,
      aspects: [...row.aspects].sort(),
      differences: [...row.differences].sort(),
      operations: [...row.operations].sort(),
      reason: row.reason,
    }))
    .sort((a, b) => a.at.localeCompare(b.at) || a.reason.localeCompare(b.reason));
}

const code = (s) => `\`${cell(s)}\``;
const rowLine = (row) =>
  `| ${code(row.at)} | ${row.aspects.map(code).join(", ")} | ${row.differences.map(code).join("; ")} | ${row.operations.join(", ")} | ${cell(row.reason)} |`;

/**
 * The deliberate differences the table (docs/upstream-differences.md as committed)
 * does not record as they are now: PolyAI changed its side of one, or a reason is new.
 */
export const unpinned = (r, table) => {
  const recorded = new Set(table.split("\n"));
  return rowsOf(r).filter((row) => !recorded.has(rowLine(row)));
};

/** docs/upstream-differences.md: one row per reason, with the aspects it covers. */
export function renderDifferencesDoc(r, source) {
  const rows = rowsOf(r);
  return [
    "<!-- Generated by `npm run spec:upstream -- --write-docs` from openapi/ and openapi/upstream/. Do not edit by hand. -->",
    "",
    "# Where our spec differs from PolyAI's, and why",
    "",
    `Our spec (\`openapi/\`) is compared with PolyAI's published Agents API spec, version`,
    `${source.version} ([${source.path}](${source.repository}/blob/${source.commit}/${source.path}),`,
    `commit \`${source.commit.slice(0, 12)}\`, vendored in \`openapi/upstream/\`). Each row is one`,
    `\`${ANNOTATION}\` reason in our spec; \`npm run spec:upstream\` reports any other difference`,
    "as drift. The place is a JSON pointer into the bundled spec (`generated/openapi.json`);",
    "`#/components/schemas/Connector` is `openapi/components/schemas/Connector.yaml`.",
    "Each difference is recorded as it was when annotated, with the operations it is in: if",
    "PolyAI changes its side of one, `npm run spec:upstream` reports it as `CHANGED` until the",
    "reason is checked and this table rewritten.",
    "",
    `${r.deliberate.length} deliberate differences, ${rows.length} reasons.`,
    "",
    "| where (our spec) | aspect | the difference | in operations | reason |",
    "|---|---|---|---|---|",
    ...rows.map(rowLine),
    "",
  ].join("\n");
}
