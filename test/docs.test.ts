// The documentation a user reads, README.md and the guides in docs/ (#25): every
// ```ts block compiles against the package as users import it, and every relative
// link leads somewhere, in the repository and in the installed package.
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import {
  codeBlocks,
  headingSlugs,
  markdownLinks,
  programs,
  type Program,
} from "./support/markdown.js";

const root = resolve(import.meta.dirname, "..");

/** README.md and every guide under docs/, as paths from the root. */
function pages(): string[] {
  const guides = readdirSync(join(root, "docs"), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".md"))
    .map((e) => relative(root, join(e.parentPath, e.name)));
  return ["README.md", ...guides.sort()];
}

// The package as a user imports it: its entries resolve to the sources, so no build
// is needed, with the options of the repository's tsconfig (strict,
// exactOptionalPropertyTypes, noUncheckedIndexedAccess).
const ENTRIES: Record<string, string[]> = {
  "polyai-connectors": ["./src/index.ts"],
  "polyai-connectors/testing": ["./src/testing/index.ts"],
  "polyai-connectors/telephony": ["./src/telephony/index.ts"],
  "polyai-connectors/openapi.json": ["./generated/openapi.json"],
  "polyai-connectors/desired-state.schema.json": ["./generated/desired-state.schema.json"],
};

function compilerOptions(): ts.CompilerOptions {
  const file = join(root, "tsconfig.json");
  const { config } = ts.readConfigFile(file, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, root, undefined, file);
  return {
    ...parsed.options,
    noEmit: true,
    resolveJsonModule: true,
    allowImportingTsExtensions: true,
    baseUrl: root,
    paths: ENTRIES,
  };
}

const parsedFiles = new Map<string, ts.SourceFile | undefined>();

/** Type-checks every program at once; the errors of each, placed in its page. */
function typeCheck(all: readonly Program[]): string[] {
  const files = new Map(all.map((p) => [join(root, p.fileName), p]));
  const options = compilerOptions();
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.readFile = (name) => files.get(name)?.text ?? readFile(name);
  host.fileExists = (name) => files.has(name) || fileExists(name);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language, onError) => {
    const program = files.get(name);
    if (program) return ts.createSourceFile(name, program.text, language, true);
    // The package's own files parse once for every check of this file.
    let parsed = parsedFiles.get(name);
    if (!parsed) parsedFiles.set(name, (parsed = getSourceFile(name, language, onError)));
    return parsed;
  };
  const program = ts.createProgram([...files.keys()], options, host);
  // Only the blocks' own errors: the package's sources are `npm run typecheck`'s job,
  // and checking just the blocks is what keeps this test fast.
  const diagnostics = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...[...files.keys()].flatMap((name) => {
      const file = program.getSourceFile(name);
      return file
        ? [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)]
        : [];
    }),
  ];
  return diagnostics.map((d) => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, "\n");
    const owner = d.file && files.get(d.file.fileName);
    if (!owner || d.start === undefined) return `${d.file?.fileName ?? "(options)"}: ${message}`;
    const { line } = d.file!.getLineAndCharacterOfPosition(d.start);
    return `${owner.page}:${owner.pageLine(line)}: ${message}`;
  });
}

describe("documentation (#25)", () => {
  const all = pages();

  it("README.md and the guides in docs/ are read (so the checks below can fail)", () => {
    expect(all).toContain("README.md");
    expect(all.length).toBeGreaterThan(8);
  });

  it("every ```ts block of README.md and docs/ compiles against polyai-connectors and its subpaths", () => {
    const blocks = all.flatMap((page) => codeBlocks(page, readFileSync(join(root, page), "utf8")));
    const tsBlocks = blocks.filter((b) => b.lang === "ts");
    const checked = tsBlocks.filter((b) => !b.fragment);
    const progs = programs(checked);
    const errors = typeCheck(progs);
    // The count the issue asks to report, in the test's own output.
    console.info(
      `docs: ${checked.length} ts blocks checked as ${progs.length} programs, ` +
        `${tsBlocks.length - checked.length} skipped as fragments, in ${all.length} pages`,
    );
    expect(errors).toEqual([]);
    expect(checked.length).toBeGreaterThanOrEqual(15);
  });

  it("the check finds a block that does not compile, and places the error in its page", () => {
    const page = "docs/example.md";
    const text = [
      "# Example",
      "",
      "```ts",
      'import { createPolyAIClient } from "polyai-connectors";',
      "const poly = createPolyAIClient();",
      "```",
      "",
      "```ts continued",
      'poly.connectors.update("PROJECT-1", "CONN-1", { voiceName: null });',
      "```",
      "",
      "```ts fragment",
      "this is not TypeScript",
      "```",
    ].join("\n");
    const blocks = codeBlocks(page, text);
    expect(blocks.map((b) => [b.line, b.fragment, b.continued])).toEqual([
      [4, false, false],
      [9, false, true],
      [13, true, false],
    ]);
    const errors = typeCheck(programs(blocks.filter((b) => !b.fragment)));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^docs\/example\.md:9: .*null/);
  });

  it("every relative link of README.md and docs/ leads to a file of the package, and every #anchor to a heading", () => {
    const shipped = shippedPaths();
    const problems: string[] = [];
    let count = 0;
    for (const page of all) {
      for (const link of markdownLinks(readFileSync(join(root, page), "utf8"))) {
        count++;
        const [path = "", anchor] = link.target.split("#");
        const target = path ? relative(root, resolve(root, dirname(page), path)) : page;
        const where = `${page}:${link.line}: ${link.target}`;
        if (!existsSync(join(root, target))) problems.push(`${where}: no such file`);
        else if (!shipped(target)) problems.push(`${where}: not in the package (see "files")`);
        else if (anchor !== undefined && target.endsWith(".md")) {
          const slugs = headingSlugs(readFileSync(join(root, target), "utf8"));
          if (!slugs.has(anchor)) problems.push(`${where}: no heading #${anchor} in ${target}`);
        }
      }
    }
    console.info(`docs: ${count} relative links checked in ${all.length} pages`);
    expect(problems).toEqual([]);
    expect(count).toBeGreaterThan(20);
  });

  it("anchors are GitHub's: lower case, punctuation dropped, spaces as hyphens, repeats numbered", () => {
    const text = "# A `b()`, c\n\n```md\n# not a heading\n```\n\n## Same\n\n## Same\n";
    expect([...headingSlugs(text)]).toEqual(["a-b-c", "same", "same-1"]);
    const links = markdownLinks(
      "See [a](docs/a.md#x), [b](https://x.y), `[c](nope.md)` and [d](#top).\n\n```\n[e](no.md)\n```\n",
    );
    expect(links.map((l) => l.target)).toEqual(["docs/a.md#x", "#top"]);
  });
});

/** Whether `npm pack` ships a path: package.json's "files", plus what npm always adds. */
function shippedPaths(): (path: string) => boolean {
  const { files } = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
    files: string[];
  };
  const patterns = [...files, "package.json", "README.md", "LICENSE"].map(
    (entry) =>
      new RegExp(
        `^${entry.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*")}(?:/.*)?$`,
      ),
  );
  return (path) => patterns.some((p) => p.test(path));
}
