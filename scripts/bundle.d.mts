// Types of scripts/bundle.mjs, for test/entry-boundary.test.ts.

/** A public entry of the package. */
export interface Entry {
  /** Its source file, from the repository root (`src/telephony/index.ts`). */
  readonly src: string;
  /** The core entry, `polyai-connectors`. */
  readonly core?: true;
  /** The command a bin entry installs (ESM only). */
  readonly bin?: string;
  /** The entries whose built files serve this one's imports (their `src`). */
  readonly uses?: readonly string[];
}

/** One file `bundle` wrote. */
export interface Bundled {
  readonly entry: Entry;
  readonly format: "esm" | "cjs";
  /** Absolute path of the .js file. */
  readonly outfile: string;
  /** Files of the entries it uses that it carries a copy of (helpers they do not export). */
  readonly copies: { file: string; bytes: number }[];
  /** The entry's export names. */
  readonly exports: string[];
}

export const ENTRIES: readonly Entry[];

/** Bundles every entry into `outDir`/esm and `outDir`/cjs. */
export function bundle(outDir: string): Promise<Bundled[]>;

/** An esbuild failure's messages, one indented line each. */
export function esbuildMessages(err: unknown): string;
