// #23: a campaign's file, CSV or JSON lines, read into rows for dialMany, and the
// place in the file of each row, so a problem is named by line and column.
// CSV: a header row; `toNumber`, `countryCode` and `variantId` columns are the
// call's, every other column is metadata (an empty cell is left out). JSON lines:
// one row object per line, as dialMany takes it. `.csv` is CSV, `.jsonl`/`.ndjson`
// JSON lines; any other name is JSON lines when its first character is `{`.
import { InvalidInputError } from "../../index.js";
import { setOwn } from "../util.js";
import { parseCsv, CsvSyntaxError, type CsvRecord } from "./csv.js";
import { CliError } from "./errors.js";
import { readCapped } from "./files.js";
import { findJsonProblem } from "./json-text.js";

/** The rows of a campaign file, and the line each starts on. */
export interface CampaignFile {
  readonly format: "csv" | "jsonl";
  readonly rows: Record<string, unknown>[];
  readonly lines: number[];
}

const CALL_COLUMNS = ["toNumber", "countryCode", "variantId"];

const norm = (s: string) => s.toLowerCase().replace(/[_\-\s]/g, "");

function formatOf(file: string, text: string): "csv" | "jsonl" {
  if (/\.csv$/i.test(file)) return "csv";
  if (/\.(jsonl|ndjson)$/i.test(file)) return "jsonl";
  return text.trimStart().startsWith("{") ? "jsonl" : "csv";
}

function columnsOf(header: CsvRecord, invalid: (m: string) => CliError): string[] {
  const names = header.fields.map((f) => f.trim());
  // #23: a Set, not names.indexOf per column: 100,000 columns took 22 s to check.
  const seen = new Set<string>();
  names.forEach((name, i) => {
    if (name === "") throw invalid(`line ${header.line}: column ${i + 1} has no name`);
    if (seen.has(name))
      throw invalid(`line ${header.line}: column ${JSON.stringify(name)} is named twice`);
    seen.add(name);
    const near = CALL_COLUMNS.find((c) => c !== name && norm(c) === norm(name));
    // #23: "tonumber" as metadata would leave every row without a number.
    if (near !== undefined)
      throw invalid(
        `line ${header.line}: column ${JSON.stringify(name)}: did you mean ${JSON.stringify(near)}?`,
      );
  });
  if (!seen.has("toNumber"))
    throw invalid(
      `line ${header.line}: no toNumber column (the header row names the columns: toNumber, and optionally countryCode, variantId and metadata columns)`,
    );
  return names;
}

function csvRows(text: string, invalid: (m: string) => CliError): CampaignFile {
  let records: CsvRecord[];
  try {
    records = parseCsv(text);
  } catch (e) {
    if (e instanceof CsvSyntaxError) throw invalid(`not valid CSV: ${e.message}`);
    throw e;
  }
  const [header, ...body] = records;
  if (header === undefined) throw invalid("the file is empty; expected a header row and rows");
  const columns = columnsOf(header, invalid);
  if (body.length === 0) throw invalid(`the file has a header row and no rows`);
  const rows = body.map((record) => {
    if (record.fields.length !== columns.length)
      throw invalid(
        `line ${record.line}: ${record.fields.length} fields, but the header has ${columns.length}`,
      );
    const row: Record<string, unknown> = {};
    const metadata: Record<string, string> = {};
    columns.forEach((name, i) => {
      const value = record.fields[i] as string;
      if (CALL_COLUMNS.includes(name)) {
        if (value !== "" || name === "toNumber") row[name] = value;
      } else if (value !== "") setOwn(metadata, name, value);
    });
    if (Object.keys(metadata).length > 0) row["metadata"] = metadata;
    return row;
  });
  return { format: "csv", rows, lines: body.map((r) => r.line) };
}

function jsonRows(text: string, invalid: (m: string) => CliError): CampaignFile {
  const rows: Record<string, unknown>[] = [];
  const lines: number[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.replace(/\r$/, "");
    if (line.trim() === "") return;
    const problem = findJsonProblem(line);
    if (problem?.kind === "syntax")
      throw invalid(`line ${i + 1}: not valid JSON: ${problem.reason} (column ${problem.column})`);
    if (problem?.kind === "duplicate")
      throw invalid(`line ${i + 1}: ${problem.path}: is written twice; say it once`);
    rows.push(JSON.parse(line) as Record<string, unknown>);
    lines.push(i + 1);
  });
  if (rows.length === 0) throw invalid("the file has no rows");
  return { format: "jsonl", rows, lines };
}

/** Reads a campaign file (at most MAX_FILE_BYTES); a problem is a CliError naming the line. */
export async function readCampaignFile(file: string): Promise<CampaignFile> {
  const text = (await readCapped(file)).replace(/^\uFEFF/, "");
  const invalid = (message: string) => new CliError(`${file}: ${message}`, "FILE_INVALID");
  return formatOf(file, text) === "csv" ? csvRows(text, invalid) : jsonRows(text, invalid);
}

/** Where in a row: a CSV column by name (metadata's by their own), else the field's path. */
function placeIn(format: CampaignFile["format"], path: string): string {
  if (path === "") return "";
  if (format === "jsonl") return `: ${path}`;
  // #23: metadata as a whole (its size) is every column that is not the call's.
  if (path === "metadata") return ", the metadata columns together";
  return `, column ${path.replace(/^metadata\./, "")}`;
}

/**
 * dialMany's InvalidInputError about `rows[i]…` as a place in the file: `line 7,
 * column countryCode` for CSV (metadata columns by name), `line 7: metadata.x` for
 * JSON lines. Anything else is returned as it is.
 */
export function inFile(file: string, data: CampaignFile, e: unknown): unknown {
  if (!(e instanceof InvalidInputError)) return e;
  const m = /^rows\[([0-9]+)\](?:\.(.*))?$/s.exec(e.field);
  if (!m) return e;
  const line = data.lines[Number(m[1])];
  const path = m[2] ?? "";
  const where = `line ${line}${placeIn(data.format, path)}`;
  // "the number of rows[2] too": the other row by its line as well.
  const reason = e.reason.replace(
    /rows\[([0-9]+)\]/g,
    (_, i: string) => `line ${data.lines[Number(i)]}`,
  );
  return new CliError(`${file}: ${where}: ${reason}`, "FILE_INVALID", { cause: e });
}
