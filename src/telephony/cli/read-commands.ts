// #22: the questions asked every day without a script: `connectors list`, `numbers
// list [--connector ID]`, `lookup +E164`. Reads only, with the key and region of
// plan and apply. A table on a terminal, tab-separated lines piped (table.ts),
// `{ "ok": true, … }` with every field the API returns for --json. The API's lists
// are not paginated (openapi/paths: "Not paginated"): one request answers all.
// Exit 0 when found (an empty list too), 1 otherwise.
import { NotFoundError, type Connector, type PhoneNumber, type PolyAIClient } from "../../index.js";
import { CliError } from "./errors.js";
import type { Writer } from "./output.js";
import { toJson } from "./report.js";
import { tabSeparated, table, type Column, type Redact } from "./table.js";
import type { ReadCommand } from "./usage.js";

/** Where rows go: a table `columns` wide on a terminal, else tab-separated lines. */
export interface Sheet {
  readonly out: Writer;
  /** The terminal's width; 80 when a terminal does not say (undefined or 0). */
  readonly columns: number | undefined;
  /** The key's redaction, applied to each cell before it is cut. */
  readonly redact: Redact;
  /** #22: the run's SIGINT/SIGTERM: a read in flight is aborted (ABORTED). */
  readonly signal?: AbortSignal | undefined;
}

const CONNECTOR_COLUMNS: readonly Column[] = [
  { header: "CONNECTOR" },
  { header: "NAME", cut: true },
  { header: "ENV" },
  { header: "VOICE", cut: true },
  { header: "ASR" },
  { header: "VARIANT", cut: true },
];

const NUMBER_COLUMNS: readonly Column[] = [
  { header: "NUMBER" },
  { header: "CONNECTOR" },
  { header: "ENV" },
];

const connectorRow = (c: Connector): string[] => [
  c.connectorId,
  c.name,
  c.clientEnv,
  c.voiceName,
  c.asrLangCode,
  c.variantId,
];

/** Sorted by `key`, code unit order (the same in every locale). */
function sortedBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  return [...items].sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    if (x === y) return 0;
    return x < y ? -1 : 1;
  });
}

function write(sheet: Sheet, columns: readonly Column[], rows: readonly string[][]): void {
  const { out, redact } = sheet;
  // #22: a pty of unknown size (`script`, `docker run -t`) says 0 columns: not a width to fit.
  const width = sheet.columns || 80;
  out(out.isTTY ? table(columns, rows, width, redact) : tabSeparated(rows, redact));
}

async function connectorsList(poly: PolyAIClient, cmd: ReadCommand, sheet: Sheet) {
  // The numbers are read for the count column only: --json lists the connectors as the API has them.
  const [connectors, numbers] = await Promise.all([
    poly.connectors.list(cmd.agent, { signal: sheet.signal }),
    cmd.json ? [] : poly.phoneNumbers.list(cmd.agent, undefined, { signal: sheet.signal }),
  ]);
  const sorted = sortedBy(connectors, (c) => c.connectorId);
  if (cmd.json) return sheet.out(toJson({ ok: true, connectors: sorted }));
  const count = new Map<string, number>();
  for (const n of numbers)
    if (n.connectorId !== undefined) count.set(n.connectorId, (count.get(n.connectorId) ?? 0) + 1);
  const rows = sorted.map((c) => [...connectorRow(c), String(count.get(c.connectorId) ?? 0)]);
  write(sheet, [...CONNECTOR_COLUMNS, { header: "NUMBERS", right: true }], rows);
}

/** With --connector, one that the agent does not have is an error: the API answers it with an empty list. */
async function numbersList(
  poly: PolyAIClient,
  cmd: Extract<ReadCommand, { name: "numbers" }>,
  sheet: Sheet,
) {
  const only = cmd.connector;
  const [numbers] = await Promise.all([
    poly.phoneNumbers.list(cmd.agent, only === undefined ? undefined : { connectorId: only }, {
      signal: sheet.signal,
    }),
    only === undefined ? undefined : known(poly, cmd.agent, only, sheet.signal),
  ]);
  const sorted: PhoneNumber[] = sortedBy(numbers, (n) => n.number);
  if (cmd.json) return sheet.out(toJson({ ok: true, phoneNumbers: sorted }));
  const rows = sorted.map((n) => [n.number, n.connectorId ?? "", n.clientEnv]);
  write(sheet, NUMBER_COLUMNS, rows);
}

async function known(
  poly: PolyAIClient,
  agent: string,
  connectorId: string,
  signal: AbortSignal | undefined,
): Promise<void> {
  try {
    await poly.connectors.get(agent, connectorId, { signal });
  } catch (e) {
    if (!(e instanceof NotFoundError)) throw e;
    // Plan's code for the same mistake; not the API's 404, which would say "not found" of a list.
    throw new CliError(
      `--connector ${connectorId}: agent ${agent} has no such connector`,
      "UNKNOWN_CONNECTOR",
    );
  }
}

async function lookup(
  poly: PolyAIClient,
  cmd: Extract<ReadCommand, { name: "lookup" }>,
  sheet: Sheet,
) {
  let connector: Connector;
  try {
    connector = await poly.connectors.lookup(cmd.agent, cmd.number, { signal: sheet.signal });
  } catch (e) {
    if (!(e instanceof NotFoundError)) throw e;
    throw new CliError(
      `${cmd.number}: not found: agent ${cmd.agent} has no such number, or it routes to no connector (${e.status}${e.code === undefined ? "" : ` ${e.code}`})`,
      e.code ?? "NOT_FOUND",
      { cause: e },
    );
  }
  if (cmd.json) return sheet.out(toJson({ ok: true, connector }));
  write(sheet, CONNECTOR_COLUMNS, [connectorRow(connector)]);
}

/** Runs a read command; resolves with its exit code (0: found). */
export async function runRead(poly: PolyAIClient, cmd: ReadCommand, sheet: Sheet): Promise<number> {
  switch (cmd.name) {
    case "connectors":
      await connectorsList(poly, cmd, sheet);
      break;
    case "numbers":
      await numbersList(poly, cmd, sheet);
      break;
    case "lookup":
      await lookup(poly, cmd, sheet);
  }
  return 0;
}
