// #19: the CLI's JSON scanner (src/telephony/cli/json-text.ts), property-tested: it
// accepts exactly what JSON.parse accepts, in any legal spelling (any whitespace
// between tokens, keys spelled with escapes), finds a key written twice in one
// object however it is spelled and wherever it is, and never quotes the text.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { findJsonProblem } from "../src/telephony/cli/json-text.js";

const WHITESPACE = fc.stringMatching(/^[ \t\r\n]{0,60}$/);

/** A spelling of `value` as JSON: `ws()` between every two tokens, string characters escaped where `escape()` says. */
function spell(value: unknown, ws: () => string, escape: () => boolean): string {
  const str = (s: string) =>
    `"${[...s]
      .map((ch) => {
        const plain = JSON.stringify(ch).slice(1, -1);
        if (!escape() || ch.length > 1) return plain;
        return `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`;
      })
      .join("")}"`;
  if (typeof value === "string") return str(value);
  if (Array.isArray(value))
    return `[${ws()}${value.map((v) => spell(v, ws, escape)).join(`${ws()},${ws()}`)}${ws()}]`;
  if (value !== null && typeof value === "object")
    return `{${ws()}${Object.entries(value)
      .map(([k, v]) => `${str(k)}${ws()}:${ws()}${spell(v, ws, escape)}`)
      .join(`${ws()},${ws()}`)}${ws()}}`;
  return JSON.stringify(value);
}

/** Cycles through generated choices, so a spelling is reproducible from its arbitrary. */
function cycle<T>(items: readonly T[], fallback: T): () => T {
  let i = 0;
  return () => (items.length === 0 ? fallback : (items[i++ % items.length] as T));
}

const spelling = fc.record({
  ws: fc.array(WHITESPACE, { maxLength: 20 }),
  escapes: fc.array(fc.boolean(), { maxLength: 20 }),
});

describe("findJsonProblem", () => {
  it("accepts every JSON value in any legal spelling (whitespace, escapes)", () => {
    fc.assert(
      fc.property(fc.jsonValue(), spelling, WHITESPACE, (value, s, outer) => {
        const text = `${outer}${spell(value, cycle(s.ws, ""), cycle(s.escapes, false))}${outer}`;
        expect(findJsonProblem(text)).toBeUndefined();
        expect(JSON.stringify(JSON.parse(text))).toBe(JSON.stringify(value));
      }),
    );
  });

  it("finds a key written twice in one object, however it is spelled and wherever the object is", () => {
    const key = fc.string({ minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(
        fc.dictionary(key, fc.jsonValue({ maxDepth: 2 })),
        key,
        fc.jsonValue({ maxDepth: 1 }),
        fc.jsonValue({ maxDepth: 1 }),
        spelling,
        fc.boolean(),
        (rest, twice, first, second, s, nested) => {
          const ws = cycle(s.ws, "");
          const escape = cycle(s.escapes, false);
          const entries = Object.entries(rest).filter(([k]) => k !== twice);
          const members = [
            ...entries.map(
              ([k, v]) => `${spell(k, ws, escape)}${ws()}:${ws()}${spell(v, ws, escape)}`,
            ),
            `${spell(twice, ws, escape)}${ws()}:${ws()}${spell(first, ws, escape)}`,
            `${spell(twice, ws, escape)}${ws()}:${ws()}${spell(second, ws, escape)}`,
          ];
          const open = `{${ws()}`;
          const separator = `${ws()},${ws()}`;
          const object = `${open}${members.join(separator)}${ws()}}`;
          const text = nested ? `{"outer":${ws()}[${ws()}1,${ws()}${object}]}` : object;
          const problem = findJsonProblem(text);
          expect(problem).toMatchObject({
            kind: "duplicate",
            path: nested ? `outer[1].${twice}` : twice,
          });
          // The line is the second key's. Its offset is counted from how the text was
          // built, not searched for: the second value may hold the same key (CI seed
          // -1522299014 put {"x":0} after "x", and a search found the inner "x").
          const objectAt = nested ? text.length - object.length - "]}".length : 0;
          const secondAt =
            objectAt + open.length + members.slice(0, -1).join(separator).length + separator.length;
          expect(problem?.kind === "duplicate" && problem.line).toBe(
            text.slice(0, secondAt).split(/\r\n|\r|\n/).length,
          );
        },
      ),
    );
  });

  it("says a text is not JSON exactly when JSON.parse does", () => {
    const mutated = fc
      .tuple(fc.json(), fc.nat(), fc.nat({ max: 3 }), fc.string({ maxLength: 2 }))
      .map(([text, at, cut, insert]) => {
        const i = at % (text.length + 1);
        return text.slice(0, i) + insert + text.slice(i + cut);
      });
    fc.assert(
      fc.property(fc.oneof(mutated, fc.string(), fc.json()), (text) => {
        let parses = true;
        try {
          JSON.parse(text);
        } catch {
          parses = false;
        }
        expect(findJsonProblem(text)?.kind === "syntax").toBe(!parses);
      }),
      { numRuns: 500 },
    );
  });

  it("never quotes the text: a reason holds none of a key's characters in a row", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9_-]{8,40}$/), WHITESPACE, (key, ws) => {
        fc.pre(!["true", "false", "null"].some((l) => key.startsWith(l)) && !/^-?[0-9]/.test(key));
        // The fixed words of the reason ("an object, array, …") are not a quote: a key
        // that starts with three of them ("objectA1b2") proves nothing either way.
        const fixed = findJsonProblem(`${ws}~`);
        fc.pre(!(fixed?.kind === "syntax" && fixed.reason.includes(key.slice(0, 3))));
        const problem = findJsonProblem(`${ws}${key}`);
        expect(problem?.kind).toBe("syntax");
        if (problem?.kind === "syntax") expect(problem.reason).not.toContain(key.slice(0, 3));
      }),
    );
  });

  it("names the line and column of a syntax error, and the path of a duplicate by its decoded key", () => {
    expect(findJsonProblem('{\n  "a": 1,\n  "b": {,}\n}')).toEqual({
      kind: "syntax",
      reason: "expected a key (a string in double quotes)",
      line: 3,
      column: 9,
    });
    expect(findJsonProblem('{"a": 1,\r\n"\\u0061"\t\t:2}')).toEqual({
      kind: "duplicate",
      path: "a",
      line: 2,
    });
    // #19: \r\n, a lone \r and \n each end a line.
    expect(findJsonProblem('{"a": 1,\r"b": 2,\r\n"c": 3,\n\r"a": 4}')).toEqual({
      kind: "duplicate",
      path: "a",
      line: 5,
    });
    expect(findJsonProblem('{\r  "a": 1,\r\n  "b": {,}\r}')).toEqual({
      kind: "syntax",
      reason: "expected a key (a string in double quotes)",
      line: 3,
      column: 9,
    });
    expect(findJsonProblem('[{"a": 1}, {"a": 2}]')).toBeUndefined(); // two objects, one key each
    expect(findJsonProblem('{"a": "\\"a\\": 1", "b": 2}')).toBeUndefined(); // a key's text inside a value
    expect(findJsonProblem('{"a": 1')).toMatchObject({
      kind: "syntax",
      reason: "expected ',' or '}' after a value in an object, got the end of the file",
    });
    expect(findJsonProblem(`${"[".repeat(300)}${"]".repeat(300)}`)).toMatchObject({
      kind: "syntax",
      reason: "nested more than 256 deep",
    });
  });
});
