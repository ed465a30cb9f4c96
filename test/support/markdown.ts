// Reading Markdown for test/docs.test.ts (#25): fenced code blocks, the programs they
// make, links outside code, and the anchors GitHub gives headings.

/** A fenced code block: its language, its flags and where its code starts (1-based). */
export interface CodeBlock {
  readonly page: string;
  readonly line: number;
  readonly lang: string;
  /** ```ts fragment: deliberately incomplete, not compiled. */
  readonly fragment: boolean;
  /** ```ts continued: compiled after the previous ts block of its page, as one program. */
  readonly continued: boolean;
  readonly code: string;
}

/** A block, or a block and those that continue it, as one module to compile. */
export interface Program {
  readonly page: string;
  /** A virtual file at the root, so it is ESM as the package's own files are. */
  readonly fileName: string;
  readonly text: string;
  /** The page's line of a line (0-based) of `text`. */
  pageLine(line: number): number;
}

const FENCE = /^(`{3,}|~{3,})\s*(.*)$/;

/** Each line of the page with whether it is inside a fenced block (fences included). */
function fenced(text: string): { line: string; inFence: boolean }[] {
  let fence: string | undefined;
  return text.split("\n").map((line) => {
    const open = FENCE.exec(line);
    if (fence === undefined) {
      if (open) fence = open[1];
      return { line, inFence: Boolean(open) };
    }
    if (open && open[1]!.startsWith(fence) && open[2] === "") fence = undefined;
    return { line, inFence: true };
  });
}

export function codeBlocks(page: string, text: string): CodeBlock[] {
  const lines = text.split("\n");
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]!);
    if (!open) continue;
    const [, fence = "", info = ""] = open;
    const [word = "", ...flags] = info.trim().split(/\s+/);
    const start = i + 1;
    let end = start;
    while (end < lines.length && !(lines[end]!.startsWith(fence) && lines[end]!.trim() === fence))
      end++;
    blocks.push({
      page,
      line: start + 1,
      lang: word === "typescript" ? "ts" : word,
      fragment: flags.includes("fragment"),
      continued: flags.includes("continued"),
      code: lines.slice(start, end).join("\n"),
    });
    i = end;
  }
  return blocks;
}

/** One module per block, but a `continued` block joins the program before it on its page. */
export function programs(blocks: readonly CodeBlock[]): Program[] {
  const out: { page: string; parts: CodeBlock[] }[] = [];
  for (const block of blocks) {
    const last = out.at(-1);
    if (block.continued && last?.page === block.page) last.parts.push(block);
    else out.push({ page: block.page, parts: [block] });
  }
  return out.map(({ page, parts }) => {
    const starts: { at: number; line: number }[] = [];
    let at = 0;
    for (const part of parts) {
      starts.push({ at, line: part.line });
      at += part.code.split("\n").length;
    }
    return {
      page,
      fileName: `.docs-check/${page.replace(/[/.]/g, "_")}_${parts[0]!.line}.ts`,
      // `export {}` makes a block without imports a module too (top-level await).
      text: `${parts.map((p) => p.code).join("\n")}\nexport {};\n`,
      pageLine(line: number): number {
        const part = [...starts].reverse().find((s) => s.at <= line) ?? starts[0]!;
        return part.line + line - part.at;
      },
    };
  });
}

/** Relative links and images outside code, with their line (1-based). */
export function markdownLinks(text: string): { target: string; line: number }[] {
  const links: { target: string; line: number }[] = [];
  fenced(text).forEach(({ line, inFence }, i) => {
    if (inFence) return;
    const prose = line.replace(/(`+)[^`]*?\1/g, "");
    for (const m of prose.matchAll(/\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      const target = m[1]!;
      if (!/^[a-z][a-z0-9+.-]*:/i.test(target)) links.push({ target, line: i + 1 });
    }
  });
  return links;
}

/** The anchors of a page's headings, as GitHub makes them. */
export function headingSlugs(text: string): Set<string> {
  const slugs = new Set<string>();
  for (const { line, inFence } of fenced(text)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (inFence || !heading) continue;
    const base = heading[1]!
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
      .replace(/ /g, "-");
    let slug = base;
    for (let n = 1; slugs.has(slug); n++) slug = `${base}-${n}`;
    slugs.add(slug);
  }
  return slugs;
}
