// The files the CLI reads and writes. Reading: a JSON file with its problems named
// by line and column, never quoted (#2, #6). Writing: atomically, a temporary file
// renamed over the target, so an interrupted run never leaves half a file (#9); and
// never over the file the run reads (#9: `plan X --out X`).
import { randomBytes } from "node:crypto";
import { readFile, realpath, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { CliError } from "./usage.js";
import { findJsonProblem } from "./json-text.js";

function cannotRead(file: string, e: unknown): CliError {
  const code = (e as { code?: string }).code;
  const why =
    code === "ENOENT"
      ? "no such file"
      : code === "EISDIR"
        ? "it is a directory"
        : (code ?? (e as Error).message);
  return new CliError(`${file}: cannot read it: ${why}`);
}

/** The JSON value of `file`; a problem is a CliError naming the file and the place. */
export async function readJsonFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    throw cannotRead(file, e);
  }
  text = text.replace(/^\uFEFF/, "");
  if (text.trim() === "") throw new CliError(`${file}: the file is empty; expected a JSON object`);
  const problem = findJsonProblem(text);
  if (problem?.kind === "syntax")
    throw new CliError(
      `${file}: not valid JSON: ${problem.reason} (line ${problem.line}, column ${problem.column})`,
    );
  if (problem?.kind === "duplicate")
    throw new CliError(
      `${file}: ${problem.path}: is written twice (again on line ${problem.line}); JSON keeps only the last, so say it once`,
    );
  return JSON.parse(text) as unknown;
}

/** The real path of `file`, or of its folder joined with its name when it does not exist yet. */
async function realTarget(file: string): Promise<string> {
  try {
    return await realpath(file);
  } catch {
    try {
      return join(await realpath(dirname(file)), basename(file));
    } catch {
      throw new CliError(`--out ${file}: its folder does not exist`, true);
    }
  }
}

/**
 * Checks `--out` before anything is read or sent: its folder exists, and it is not
 * the input file (by real path, or the same file under another name: a hard link).
 */
export async function checkOutFile(out: string, input: string | undefined): Promise<void> {
  const target = await realTarget(out);
  if (input === undefined) return;
  const same = async () => {
    if (target === (await realpath(input).catch(() => undefined))) return true;
    const [a, b] = await Promise.all([stat(out).catch(() => null), stat(input).catch(() => null)]);
    return a !== null && b !== null && a.dev === b.dev && a.ino === b.ino;
  };
  if (await same())
    throw new CliError(
      `--out ${out}: is the input file; writing there would overwrite it: choose another file`,
      true,
    );
}

/** Writes `text` to `file` through a temporary file in the same folder, renamed over it. */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const target = await realTarget(file);
  const temp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    await writeFile(temp, text, { flag: "wx" });
    await rename(temp, target);
  } catch (e) {
    await rm(temp, { force: true });
    throw new CliError(
      `--out ${file}: cannot write it: ${(e as { code?: string }).code ?? (e as Error).message}`,
    );
  }
}
