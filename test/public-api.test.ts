// The public API's contract with its readers: every name exported from an entry
// carries TSDoc, and is used in the entry's example and in the consumer test's file.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "..");
const entries = ["src/index.ts", "src/testing/index.ts", "src/telephony/index.ts"].map((f) =>
  resolve(root, f),
);
const program = ts.createProgram(entries, {
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  strict: true,
  skipLibCheck: true,
  noEmit: true,
});
const checker = program.getTypeChecker();

function exportsOf(file: string): { name: string; doc: string }[] {
  const source = program.getSourceFile(file);
  if (!source) throw new Error(`${file} not in program`);
  const moduleSymbol = checker.getSymbolAtLocation(source);
  if (!moduleSymbol) throw new Error(`${file} has no module symbol`);
  return checker.getExportsOfModule(moduleSymbol).map((symbol) => {
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    const doc = ts.displayPartsToString(target.getDocumentationComment(checker)).trim();
    return { name: symbol.getName(), doc };
  });
}

/** The exported names that `text` never mentions as a whole word. */
function unusedIn(text: string, exported: { name: string }[]): string[] {
  return exported.map((e) => e.name).filter((name) => !new RegExp(`\\b${name}\\b`).test(text));
}

describe("public API", () => {
  it.each(entries.map((e) => [e.slice(root.length + 1)]))(
    "every export of %s has TSDoc",
    (entry) => {
      const exported = exportsOf(resolve(root, entry));
      expect(exported.length).toBeGreaterThan(0);
      expect(exported.filter((e) => e.doc === "").map((e) => e.name)).toEqual([]);
    },
  );

  // The example of each entry, without its imports, uses every name the entry exports.
  it.each([
    ["src/index.ts", "examples/usage.ts", "../src/index.js"],
    ["src/testing/index.ts", "examples/testing-usage.test.ts", "../src/testing/index.js"],
    ["src/telephony/index.ts", "examples/telephony-usage.test.ts", "../src/telephony/index.js"],
  ])("every export of %s is used in %s", (entry, file, from) => {
    const example = readFileSync(resolve(root, file), "utf8").replace(
      new RegExp(`^import[\\s\\S]*?from "${from.replace(/[./]/g, "\\$&")}";`, "m"),
      "",
    );
    expect(example).not.toContain(`from "${from}"`);
    expect(unusedIn(example, exportsOf(resolve(root, entry)))).toEqual([]);
  });

  it("every export of the three entries is used in the consumer test's file, outside its imports", () => {
    // The consumer test compiles this file against the packed tarball, so this is
    // the check that every public name works for an installed package.
    const consumer = readFileSync(resolve(root, "test/consumer/consumer.ts"), "utf8").replace(
      /^import[\s\S]*?from "polyai-connectors(\/testing|\/telephony)?";/gm,
      "",
    );
    expect(unusedIn(consumer, entries.flatMap(exportsOf))).toEqual([]);
  });
});
