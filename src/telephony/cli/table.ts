// #22: rows for the read commands. On a terminal, a table: a header, columns aligned
// by display width (a CJK character or an emoji takes two cells, a combining mark
// none), long free-text values cut with `…` so a row fits the terminal (IDs and
// numbers are never cut: a cut ID is useless). Piped, one line per row, cells
// separated by a tab, no header and nothing cut: `cut -f2`, `awk -F'\t'`, `grep`.
// Every cell is escaped first (escapeLine: a tab or newline in a value cannot
// break a row), and an empty cell is `-` in both, so no column shifts.
import { escapeLine } from "./escape.js";

/** A column: its header, and whether a long value may be cut to fit (free text). */
export interface Column {
  readonly header: string;
  readonly cut?: boolean;
  /** Right-aligned (counts). */
  readonly right?: boolean;
}

/** The longest a cuttable cell is shown on a terminal, however wide. */
const MAX_CELL = 40;

/** The narrowest a cuttable column is cut to. */
const MIN_CELL = 8;

const GAP = "  ";

/** Two cells wide on a terminal: the East Asian wide and fullwidth blocks, and emoji. */
const WIDE =
  /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{1f300}-\u{1f64f}\u{1f900}-\u{1f9ff}\u{20000}-\u{3fffd}]/u;

/** No cell of its own: combining marks, zero-width joiners and variation selectors. */
const ZERO = /[\p{M}\u200b-\u200d\ufe00-\ufe0f]/u;

function charWidth(ch: string): number {
  if (ZERO.test(ch)) return 0;
  return WIDE.test(ch) ? 2 : 1;
}

/** The cells `text` takes on a terminal. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) width += charWidth(ch);
  return width;
}

/** `text` cut to at most `width` cells, ending in `…` when cut. */
function cut(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  let out = "";
  let used = 0;
  for (const ch of text) {
    const w = charWidth(ch);
    if (used + w > width - 1) break;
    out += ch;
    used += w;
  }
  return `${out}…`;
}

/** Makes a cell safe to show: the key redacted (#22: before a cell is cut, so no part of a key is left). */
export type Redact = (text: string) => string;

const cellOf =
  (redact: Redact) =>
  (value: string): string =>
    value === "" ? "-" : redact(escapeLine(value));

/** Rows as tab-separated lines, for a pipe. */
export function tabSeparated(rows: readonly (readonly string[])[], redact: Redact): string {
  const cell = cellOf(redact);
  let text = "";
  for (const row of rows) text += `${row.map(cell).join("\t")}\n`;
  return text;
}

/** The width of each column once cuttable ones are cut to fit `columns` cells (as far as they can). */
function fitWidths(columns: readonly Column[], natural: number[], total: number): number[] {
  const widths = natural.map((w, i) => (columns[i]?.cut ? Math.min(w, MAX_CELL) : w));
  let over = widths.reduce((a, b) => a + b, 0) + GAP.length * (widths.length - 1) - total;
  while (over > 0) {
    // Cut the widest cuttable column by one cell, until the row fits or none can give more.
    let widest = -1;
    for (let i = 0; i < widths.length; i++)
      if (columns[i]?.cut && (widths[i] as number) > MIN_CELL)
        if (widest === -1 || (widths[i] as number) > (widths[widest] as number)) widest = i;
    if (widest === -1) break;
    widths[widest] = (widths[widest] as number) - 1;
    over--;
  }
  return widths;
}

/** Rows as an aligned table with a header, each row fitted to `total` cells where it can be. */
export function table(
  columns: readonly Column[],
  rows: readonly (readonly string[])[],
  total: number,
  redact: Redact,
): string {
  const cell = cellOf(redact);
  const cells = [columns.map((c) => c.header), ...rows.map((row) => row.map(cell))];
  const natural = columns.map((_, i) =>
    cells.reduce((max, row) => Math.max(max, displayWidth(row[i] ?? "")), 0),
  );
  const widths = fitWidths(columns, natural, total);
  let text = "";
  for (const row of cells) {
    const line = row.map((value, i) => {
      const width = widths[i] as number;
      const shown = columns[i]?.cut ? cut(value, width) : value;
      const pad = " ".repeat(Math.max(0, width - displayWidth(shown)));
      if (columns[i]?.right) return pad + shown;
      return i === row.length - 1 ? shown : shown + pad;
    });
    text += `${line.join(GAP).trimEnd()}\n`;
  }
  return text;
}
