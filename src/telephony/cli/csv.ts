// #23: CSV as RFC 4180 writes it: fields separated by commas, records by CRLF or LF,
// a field in double quotes may hold commas, line breaks and `""` for a quote. A
// problem is named by line and column, and never quotes the file's text (#2).

/** One record, and the line of the file it starts on (a quoted field may span lines). */
export interface CsvRecord {
  readonly fields: string[];
  readonly line: number;
}

/** A CSV that does not follow RFC 4180. */
export class CsvSyntaxError extends Error {
  override name = "CsvSyntaxError";
  constructor(
    readonly reason: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${reason} (line ${line}, column ${column})`);
  }
}

/** Where an unquoted field ends (or a stray quote in it is). */
const FIELD_END = /[,\r\n"]/g;

/** The records of `text` (a BOM tolerated); a line with nothing on it is skipped. */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  let lineStart = pos;
  const fail = (reason: string): never => {
    throw new CsvSyntaxError(reason, line, pos - lineStart + 1);
  };
  const newline = (at: number) => {
    line++;
    lineStart = at;
  };
  while (pos < text.length) {
    const fields: string[] = [];
    const startLine = line;
    for (;;) {
      let value = "";
      if (text[pos] === '"') {
        pos++;
        for (;;) {
          const quote = text.indexOf('"', pos);
          if (quote === -1) fail("a quoted field is not closed");
          const chunk = text.slice(pos, quote);
          for (let i = chunk.indexOf("\n"); i !== -1; i = chunk.indexOf("\n", i + 1))
            newline(pos + i + 1);
          value += chunk;
          pos = quote + 1;
          if (text[pos] !== '"') break;
          value += '"';
          pos++;
        }
        const next = text[pos];
        if (next !== undefined && next !== "," && next !== "\n" && next !== "\r")
          fail("expected a comma or the end of the line after a closing quote");
      } else {
        FIELD_END.lastIndex = pos;
        const stop = FIELD_END.exec(text)?.index ?? text.length;
        if (text[stop] === '"')
          fail(
            'a quote inside a field that does not start with one (write it as "" inside quotes)',
          );
        value = text.slice(pos, stop);
        pos = stop;
      }
      fields.push(value);
      if (text[pos] !== ",") break;
      pos++;
    }
    if (text[pos] === "\r") {
      pos++;
      if (text[pos] !== "\n") fail("a carriage return not followed by a line feed");
    }
    if (text[pos] === "\n") {
      pos++;
      newline(pos);
    }
    if (!(fields.length === 1 && fields[0] === "")) records.push({ fields, line: startLine });
  }
  return records;
}
