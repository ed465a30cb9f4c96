// The public API's contract with its readers: every name exported from an entry
// carries TSDoc, and every core export is used in examples/usage.ts.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "..");
const entries = ["src/index.ts", "src/testing/index.ts"].map((f) => resolve(root, f));
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

describe("public API", () => {
  it.each(entries.map((e) => [e.slice(root.length + 1)]))(
    "every export of %s has TSDoc",
    (entry) => {
      const exported = exportsOf(resolve(root, entry));
      expect(exported.length).toBeGreaterThan(0);
      expect(exported.filter((e) => e.doc === "").map((e) => e.name)).toEqual([]);
    },
  );

  it("every export of the testing entry is used in examples/testing-usage.test.ts", () => {
    const example = readFileSync(resolve(root, "examples/testing-usage.test.ts"), "utf8").replace(
      /^import[\s\S]*?from "..\/src\/testing\/index.js";/m,
      "",
    );
    const unused = exportsOf(entries[1] as string)
      .map((e) => e.name)
      .filter((name) => !new RegExp(`\\b${name}\\b`).test(example));
    expect(unused).toEqual([]);
  });

  it("every export of the core entry is used in examples/usage.ts", () => {
    const example = readFileSync(resolve(root, "examples/usage.ts"), "utf8").replace(
      /^import[\s\S]*?from "..\/src\/index.js";/m,
      "",
    );
    const unused = exportsOf(entries[0] as string)
      .map((e) => e.name)
      .filter((name) => !new RegExp(`\\b${name}\\b`).test(example));
    expect(unused).toEqual([]);
  });

  it("every export of both entries is used in the consumer test's file, outside its imports", () => {
    // The consumer test compiles this file against the packed tarball, so this is
    // the check that every public name works for an installed package.
    const consumer = readFileSync(resolve(root, "test/consumer/consumer.ts"), "utf8").replace(
      /^import[\s\S]*?from "polyai-connectors(\/testing)?";/gm,
      "",
    );
    const unused = [...exportsOf(entries[0] as string), ...exportsOf(entries[1] as string)]
      .map((e) => e.name)
      .filter((name) => !new RegExp(`\\b${name}\\b`).test(consumer));
    expect(unused).toEqual([]);
  });
});
