// The files the CLI reads and writes. Reading: a JSON file with its problems named
// by line and column, never quoted (#2, #6), and at most MAX_FILE_BYTES of it (#19).
// Writing: a regular file atomically, a temporary file renamed over the target, so
// an interrupted run never leaves half a file (#9); never over the file the run
// reads (#9: `plan X --out X`); and anything else (a FIFO, /dev/stdout, a device)
// written in place, never replaced (#19: `--out /dev/null` as root).
import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import {
  access,
  lstat,
  open,
  readlink,
  realpath,
  rename,
  rm,
  stat,
  writeFile,
  type FileHandle,
} from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { CliError, UsageError } from "./errors.js";
import { scanJson, type JsonScan } from "./json-text.js";

/** #19: the largest file read: far above any agent's (a plan of 2,600 numbers is under 1 MiB). */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;

const READ_CHUNK = 1024 * 1024;

const codeOf = (e: unknown): string | undefined => (e as { code?: string }).code;

/** The words for the codes a mistyped path gives; any other code is shown as is. */
const UNREADABLE = new Map([
  ["ENOENT", "no such file"],
  ["EISDIR", "it is a directory"],
]);

function cannotRead(file: string, e: unknown): CliError {
  const code = codeOf(e);
  const why = (code && UNREADABLE.get(code)) ?? code ?? (e as Error).message;
  return new CliError(`${file}: cannot read it: ${why}`, "FILE_UNREADABLE");
}

const tooLarge = (file: string) =>
  new CliError(
    `${file}: larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB, the most a desired-state or plan file may be; not read`,
    "FILE_TOO_LARGE",
  );

/**
 * The text of `file`, at most MAX_FILE_BYTES: a regular file is measured before it
 * is read; anything else (a FIFO, /dev/zero) is read up to one byte past the cap.
 */
export async function readCapped(file: string): Promise<string> {
  const handle = await open(file, "r").catch((e: unknown) => {
    throw cannotRead(file, e);
  });
  try {
    const info = await handle.stat();
    if (info.isDirectory()) throw cannotRead(file, { code: "EISDIR" });
    if (info.isFile() && info.size > MAX_FILE_BYTES) throw tooLarge(file);
    return await cappedText(chunksOf(handle), file);
  } catch (e) {
    throw e instanceof CliError ? e : cannotRead(file, e);
  } finally {
    await handle.close();
  }
}

/** A file's bytes, a chunk at a time. */
async function* chunksOf(handle: FileHandle): AsyncGenerator<Buffer> {
  const buffer = Buffer.allocUnsafe(READ_CHUNK);
  for (;;) {
    const { bytesRead } = await handle.read(buffer, 0, READ_CHUNK);
    if (bytesRead === 0) return;
    yield Buffer.from(buffer.subarray(0, bytesRead));
  }
}

/** The UTF-8 text of `chunks` (a file's, or standard input's), refused past MAX_FILE_BYTES. */
async function cappedText(chunks: AsyncIterable<unknown>, file: string): Promise<string> {
  const kept: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of chunks) {
      const bytes = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
      total += bytes.length;
      if (total > MAX_FILE_BYTES) throw tooLarge(file);
      kept.push(bytes);
    }
  } catch (e) {
    throw e instanceof CliError ? e : cannotRead(file, e);
  }
  return utf8(Buffer.concat(kept), file);
}

/**
 * The text of `bytes`, which must be UTF-8 (#22 review: a byte that is not read as
 * U+FFFD, and a file in Latin-1 was reported as a "look-alike" character, or its
 * names sent as metadata with U+FFFD in them). The line of the first bad byte is named.
 */
function utf8(bytes: Buffer, file: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    const lossy = bytes.toString("utf8");
    const line = lossy.slice(0, lossy.indexOf("\uFFFD")).split("\n").length;
    throw new CliError(
      `${file}: line ${line}: not UTF-8 text (a binary file, or another encoding such as Latin-1: save it as UTF-8)`,
      "FILE_INVALID",
    );
  }
}

/** #22: `validate -` reads standard input: the name its problems are shown under. */
export const STDIN_NAME = "<stdin>";

/** A stream's text (standard input), at most MAX_FILE_BYTES, as a file's is. */
export function readStreamCapped(stream: AsyncIterable<unknown>): Promise<string> {
  return cappedText(stream, STDIN_NAME);
}

/** Why a key written twice is refused. */
export const DUPLICATE_REASON = (line: number) =>
  `is written twice (again on line ${line}); JSON keeps only the last, so say it once`;

/** A JSON file read and scanned: its value, and what the scanner found (#22: lines, repeats). */
export interface JsonDocument {
  value: unknown;
  scan: JsonScan;
}

/**
 * The JSON value of `file` and its scan; a syntax error is a CliError naming the place.
 * `read` gives the text (a file's by default; standard input's for `validate -`).
 */
export async function readJsonDocument(
  file: string,
  read: (file: string) => Promise<string> = readCapped,
): Promise<JsonDocument> {
  const text = (await read(file)).replace(/^\uFEFF/, "");
  const invalid = (message: string) => new CliError(`${file}: ${message}`, "FILE_INVALID");
  if (text.trim() === "") throw invalid("the file is empty; expected a JSON object");
  const scan = scanJson(text);
  if (scan.syntax)
    throw invalid(
      `not valid JSON: ${scan.syntax.reason} (line ${scan.syntax.line}, column ${scan.syntax.column})`,
    );
  return { value: JSON.parse(text) as unknown, scan };
}

/** The JSON value of `file`; a problem (syntax, a key written twice) is a CliError naming the file and the place. */
export async function readJsonFile(file: string): Promise<unknown> {
  const { value, scan } = await readJsonDocument(file);
  const twice = scan.duplicates[0];
  if (twice)
    throw new CliError(`${file}: ${twice.path}: ${DUPLICATE_REASON(twice.line)}`, "FILE_INVALID");
  return value;
}

/** The real path of `file`, or of its folder joined with its name when it does not exist yet. */
async function realTarget(file: string): Promise<string> {
  try {
    return await realpath(file);
  } catch {
    try {
      return join(await realpath(dirname(file)), basename(file));
    } catch {
      throw new UsageError(`--out ${file}: its folder does not exist`);
    }
  }
}

/**
 * Whether `file` reaches its target through /dev or /proc (`/dev/stdout`, a link
 * to /proc/self/fd/1): the real path of such a link is the file behind a stream,
 * which a rename would replace (#19). Follows the chain of symbolic links by hand.
 */
async function throughStreamLink(file: string): Promise<boolean> {
  let path = resolve(file);
  for (let hop = 0; hop < 40; hop++) {
    if (/^\/(?:dev|proc)\//.test(path)) return true;
    const info = await lstat(path).catch(() => null);
    if (!info?.isSymbolicLink()) return false;
    path = resolve(dirname(path), await readlink(path));
  }
  return false;
}

/**
 * How `--out` is written: "replace" (a regular file, or none yet: a temporary file
 * renamed over it) or "in-place" (a FIFO, a device, a stream: opened and written).
 */
export async function outMode(file: string): Promise<"replace" | "in-place"> {
  const info = await stat(file).catch(() => null);
  if (info === null) return "replace";
  if (info.isFile() && !(await throughStreamLink(file))) return "replace";
  return "in-place";
}

/**
 * Checks `--out` before anything is read or sent (#19): its folder exists and
 * takes a new file, it is not a directory, and it is not the input file (by real
 * path, or the same file under another name: a hard link). A usage error naming --out.
 */
export async function checkOutFile(out: string, input: string | undefined): Promise<void> {
  const target = await realTarget(out);
  const info = await stat(out).catch(() => null);
  if (info?.isDirectory()) throw new UsageError(`--out ${out}: is a directory; give a file name`);
  if ((await outMode(out)) === "in-place")
    await access(out, constants.W_OK).catch((e: unknown) => {
      throw new UsageError(`--out ${out}: cannot write it: ${codeOf(e) ?? String(e)}`);
    });
  else {
    // A probe, not access(): root passes access() on a folder it still cannot write (read-only, /sys).
    const probe = tempBeside(target);
    await writeFile(probe, "", { flag: "wx" }).catch((e: unknown) => {
      throw new UsageError(
        `--out ${out}: cannot create a file in its folder: ${codeOf(e) ?? String(e)}`,
      );
    });
    await rm(probe, { force: true });
  }
  if (input === undefined) return;
  const same = async () => {
    if (target === (await realpath(input).catch(() => undefined))) return true;
    const other = await stat(input).catch(() => null);
    return info !== null && other !== null && info.dev === other.dev && info.ino === other.ino;
  };
  if (await same())
    throw new UsageError(
      `--out ${out}: is the input file; writing there would overwrite it: choose another file`,
    );
}

const tempBeside = (target: string) =>
  join(dirname(target), `.${basename(target)}.${randomBytes(6).toString("hex")}.tmp`);

/**
 * Writes `text` to `file`: a regular file through a temporary file in the same
 * folder, renamed over it; a FIFO, device or stream in place (appending: never
 * truncating a file behind a stream).
 */
export async function writeOutFile(file: string, text: string): Promise<void> {
  const failed = (e: unknown) =>
    new CliError(
      `--out ${file}: cannot write it: ${codeOf(e) ?? (e as Error).message}`,
      "OUT_UNWRITABLE",
    );
  if ((await outMode(file)) === "in-place") {
    await writeFile(file, text, { flag: "a" }).catch((e: unknown) => {
      throw failed(e);
    });
    return;
  }
  const target = await realTarget(file);
  const temp = tempBeside(target);
  try {
    await writeFile(temp, text, { flag: "wx" });
    await rename(temp, target);
  } catch (e) {
    await rm(temp, { force: true });
    throw failed(e);
  }
}
