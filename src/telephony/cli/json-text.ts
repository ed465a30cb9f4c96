// #6: a JSON scanner that walks every token, for the two things JSON.parse does not
// say: a key written twice in one object (JSON.parse keeps the last silently, so a
// number pasted twice with two routes would plan as one), and where a syntax error
// is without quoting the text (#2: a key file passed by mistake must not be echoed).

import { keyPath } from "../util.js";

/** What is wrong with a JSON text, and where. */
export type JsonProblem =
  | { kind: "syntax"; reason: string; line: number; column: number }
  | { kind: "duplicate"; path: string; line: number };

/** Deeper than any desired state or plan; a guard for the recursion. */
const MAX_DEPTH = 256;

const WHITESPACE = new Set([" ", "\t", "\n", "\r"]);
const SIMPLE_ESCAPES = new Set(['"', "\\", "/", "b", "f", "n", "r", "t"]);
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const HEX4 = /[0-9a-fA-F]{4}/y;

class SyntaxProblem {
  constructor(
    readonly reason: string,
    readonly at: number,
  ) {}
}

/** #19: a line ends at \r\n, \r or \n (JSON allows each as whitespace; old Mac files end in \r). */
const LINE_END = /\r\n?|\n/g;

/** The line and column (both from 1) of `at` in `text`. */
function placeOf(text: string, at: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  LINE_END.lastIndex = 0;
  for (let m = LINE_END.exec(text); m !== null && m.index < at; m = LINE_END.exec(text)) {
    line++;
    start = m.index + m[0].length;
  }
  return { line, column: at - start + 1 };
}

/**
 * The first problem of `text` as JSON: a syntax error (line and column, a reason
 * that quotes nothing), else the first key written twice in one object (its path,
 * `phoneNumbers.+442079460000`, and the line of the second). Undefined when it is
 * JSON with every key once.
 */
export function findJsonProblem(text: string): JsonProblem | undefined {
  const scan = scanJson(text);
  if (scan.syntax) return scan.syntax;
  const first = scan.duplicates[0];
  return first && { kind: "duplicate", ...first };
}

/** What {@link scanJson} finds in a JSON text. */
export interface JsonScan {
  /** The syntax error, if any (then nothing else is complete). */
  syntax?: Extract<JsonProblem, { kind: "syntax" }>;
  /** #22: every key written twice in one object (the line of each repeat). */
  duplicates: { path: string; line: number }[];
  /** #22: the line of every key, by its path (`connectors.CONN-main.voiceName`). */
  lines: Map<string, number>;
}

/** The first line of each key offset, in one pass: offsets come in increasing order. */
function linesOf(text: string, keys: readonly { path: string; at: number }[]): number[] {
  const out: number[] = [];
  let line = 1;
  LINE_END.lastIndex = 0;
  let m = LINE_END.exec(text);
  for (const { at } of keys) {
    while (m !== null && m.index < at) {
      line++;
      m = LINE_END.exec(text);
    }
    out.push(line);
  }
  return out;
}

/**
 * Walks every token of `text`: its syntax error (line and column, a reason that
 * quotes nothing), every key written twice, and the line of every key by path.
 */
export function scanJson(text: string): JsonScan {
  let pos = 0;
  const keyOffsets: { path: string; at: number }[] = [];
  const repeated: { path: string; at: number }[] = [];

  const skip = () => {
    while (pos < text.length && WHITESPACE.has(text[pos] as string)) pos++;
  };
  const fail = (reason: string): never => {
    throw new SyntaxProblem(
      pos >= text.length ? `${reason}, got the end of the file` : reason,
      pos,
    );
  };
  const expect = (ch: string, reason: string) => {
    skip();
    if (text[pos] !== ch) fail(reason);
    pos++;
  };

  const string = (): string => {
    const start = pos;
    pos++; // the opening quote
    for (;;) {
      const ch = text[pos];
      if (ch === undefined) fail("a string is not closed");
      if (ch === '"') break;
      if ((ch as string) < " ") fail("a control character inside a string must be escaped");
      if (ch === "\\") {
        const next = text[pos + 1];
        if (next === "u") {
          HEX4.lastIndex = pos + 2;
          if (!HEX4.test(text)) fail("a \\u escape needs four hex digits");
          pos += 6;
          continue;
        }
        if (next === undefined || !SIMPLE_ESCAPES.has(next)) fail("not a valid escape");
        pos += 2;
        continue;
      }
      pos++;
    }
    pos++; // the closing quote
    return JSON.parse(text.slice(start, pos)) as string;
  };

  const value = (path: string, depth: number): void => {
    skip();
    if (depth > MAX_DEPTH) fail(`nested more than ${MAX_DEPTH} deep`);
    const ch = text[pos];
    if (ch === "{") return object(path, depth);
    if (ch === "[") return array(path, depth);
    if (ch === '"') return void string();
    for (const literal of ["true", "false", "null"])
      if (text.startsWith(literal, pos)) {
        pos += literal.length;
        return;
      }
    NUMBER.lastIndex = pos;
    if (NUMBER.test(text)) {
      pos = NUMBER.lastIndex;
      return;
    }
    fail("expected a value (an object, array, string, number, true, false or null)");
  };

  const object = (path: string, depth: number): void => {
    pos++; // {
    const keys = new Set<string>();
    skip();
    if (text[pos] === "}") {
      pos++;
      return;
    }
    for (;;) {
      skip();
      if (text[pos] !== '"') fail("expected a key (a string in double quotes)");
      const keyAt = pos;
      const key = string();
      const child = keyPath(path, key);
      if (keys.has(key)) repeated.push({ path: child, at: keyAt });
      keys.add(key);
      keyOffsets.push({ path: child, at: keyAt });
      expect(":", "expected ':' after a key");
      value(child, depth + 1);
      skip();
      if (text[pos] === ",") {
        pos++;
        continue;
      }
      expect("}", "expected ',' or '}' after a value in an object");
      return;
    }
  };

  const array = (path: string, depth: number): void => {
    pos++; // [
    skip();
    if (text[pos] === "]") {
      pos++;
      return;
    }
    for (let index = 0; ; index++) {
      value(`${path}[${index}]`, depth + 1);
      skip();
      if (text[pos] === ",") {
        pos++;
        continue;
      }
      expect("]", "expected ',' or ']' after a value in an array");
      return;
    }
  };

  try {
    value("", 0);
    skip();
    if (pos < text.length) fail("unexpected text after the JSON value");
  } catch (e) {
    if (!(e instanceof SyntaxProblem)) throw e;
    const syntax = { kind: "syntax" as const, reason: e.reason, ...placeOf(text, e.at) };
    return { syntax, duplicates: [], lines: new Map() };
  }
  const keyLines = linesOf(text, keyOffsets);
  const lines = new Map<string, number>();
  // The first place a path is written: a repeat is reported at its own line.
  keyOffsets.forEach(({ path }, i) => {
    if (!lines.has(path)) lines.set(path, keyLines[i] as number);
  });
  const repeatLines = linesOf(text, repeated);
  const duplicates = repeated.map(({ path }, i) => ({ path, line: repeatLines[i] as number }));
  return { duplicates, lines };
}
