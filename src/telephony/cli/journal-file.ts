// #23: the campaign journal the CLI keeps: a JSON-lines file, appended to and
// flushed to disk (fdatasync) before an append resolves, so the `attempting` line
// of a trigger is on disk before the trigger is sent. Appends waiting together are
// written and flushed together (one fdatasync for many rows). A last line cut short
// (the process killed mid-write) is dropped when the file is opened: its append
// never resolved, so the trigger it announced was never sent. A lock file beside
// it keeps two runs from dialling the same campaign at once.
import {
  link,
  open,
  readFile,
  realpath,
  rename,
  rm,
  stat,
  writeFile,
  type FileHandle,
} from "node:fs/promises";
import { dirname } from "node:path";
import { InvalidJournalError, type CampaignJournal } from "../journal.js";
import { CliError } from "./errors.js";

const codeOf = (e: unknown): string => (e as { code?: string }).code ?? String(e);

/** Whether process `pid` is running (EPERM: it is, as another user). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return codeOf(e) === "EPERM";
  }
}

const locked = (path: string, file: string, pid: number) =>
  new CliError(
    `--journal ${path}: another run (process ${pid}) is using this journal; two runs of one campaign could ring a person twice (if no run is, process ${pid} is another program: remove ${file})`,
    "JOURNAL_LOCKED",
  );

/**
 * #23: moves aside the lock `text` a dead run left. Two runs may find it at once:
 * removing it by name could remove the lock the other has just taken, and both
 * would dial. A rename is atomic, so only one run moves that lock; a run that moved
 * the other's fresh lock instead puts it back (a hard link: only if none is there).
 */
async function moveAside(path: string, file: string, text: string): Promise<void> {
  const aside = `${file}.${process.pid}.stale`;
  try {
    await rename(file, aside);
  } catch (e) {
    if (codeOf(e) === "ENOENT") return; // another run moved it: race for the new one
    throw e;
  }
  try {
    const moved = await readFile(aside, "utf8");
    if (moved === text) return;
    await link(aside, file).catch(() => {
      throw new CliError(
        `--journal ${path}: another run took its lock while this one was taking over a dead run's; check no two runs are dialling, then remove ${file}`,
        "JOURNAL_LOCKED",
      );
    });
  } finally {
    await rm(aside, { force: true });
  }
}

/**
 * Takes `<real path>.lock` for the journal given as `path`; one left by a process
 * that is gone (killed) is taken over.
 */
async function lock(real: string, path: string): Promise<string> {
  const file = `${real}.lock`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await writeFile(file, `${process.pid}\n`, { flag: "wx" });
      return file;
    } catch (e) {
      if (codeOf(e) !== "EEXIST")
        throw new CliError(
          `--journal ${path}: cannot create its lock file ${file}: ${codeOf(e)}`,
          "JOURNAL_UNWRITABLE",
        );
    }
    const text = await readFile(file, "utf8").catch(() => undefined);
    if (text === undefined) continue; // moved aside by another run meanwhile
    const pid = Number(text.trim());
    if (Number.isInteger(pid) && pid > 0 && alive(pid)) throw locked(path, file, pid);
    await moveAside(path, file, text);
  }
  throw new CliError(`--journal ${path}: could not take its lock file ${file}`, "JOURNAL_LOCKED");
}

/** Flushes the folder of `path` (its entries: a file just created), where the platform can. */
async function syncFolder(path: string): Promise<void> {
  const folder = await open(dirname(path), "r").catch(() => undefined);
  // Windows cannot open a folder: its NTFS journals the name itself.
  await folder?.sync().catch(() => undefined);
  await folder?.close();
}

/**
 * #23: writes all of `text`. A disk that fills (or a file size limit) takes part of
 * a write and answers with the bytes taken, not an error: resolving then would send
 * triggers whose `attempting` line is not on disk. The rest is written until it is
 * all there, or the write fails (ENOSPC, EFBIG).
 */
async function writeAll(handle: FileHandle, text: string): Promise<void> {
  let rest = Buffer.from(text);
  while (rest.length > 0) {
    const { bytesWritten } = await handle.write(rest);
    if (bytesWritten === 0) throw Object.assign(new Error("no byte written"), { code: "EIO" });
    rest = rest.subarray(bytesWritten);
  }
}

/** A JSON value, or undefined for text that is not one. */
function jsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * The entries of the journal's text, and what to do with a last line without its
 * newline: `cut` a torn one (its append never resolved, so the trigger it announced
 * was never sent), or `end` a whole one with its newline. #23: a line only parses
 * whole, so one that does was written whole and then lost its newline (an editor's
 * save); dropping it could drop an `attempting` line whose trigger went out.
 */
function parse(text: string): { entries: unknown[]; tail: "none" | "cut" | "end"; whole: number } {
  const end = text.lastIndexOf("\n") + 1;
  const lines = text.slice(0, end).split("\n").slice(0, -1);
  const entries = lines.map((line, i) => {
    const entry = jsonOrUndefined(line);
    if (entry === undefined) throw new InvalidJournalError(i, "not a JSON line (edited by hand?)");
    return entry;
  });
  const whole = Buffer.byteLength(text.slice(0, end));
  if (end === text.length) return { entries, tail: "none", whole };
  const last = jsonOrUndefined(text.slice(end));
  if (last === undefined) return { entries, tail: "cut", whole };
  return { entries: [...entries, last], tail: "end", whole };
}

/** A journal file, open and locked; `close` releases both. */
export interface JournalFile extends CampaignJournal {
  close(): Promise<void>;
}

/**
 * The journal at `path`, opened (created if need be) and locked when first read:
 * after dialMany has checked every row, so a file of bad rows leaves no journal.
 * `clean` is what every line goes through (the CLI's escaping and key redaction:
 * the journal is a file the CLI writes).
 */
export function openJournalFile(path: string, clean: (text: string) => string): JournalFile {
  let opened: { handle: FileHandle; lockFile: string } | undefined;
  let failure: unknown;
  let queue: { text: string; done: () => void; fail: (e: unknown) => void }[] = [];
  let flushing = false;

  const openLocked = async () => {
    // A FIFO or a device (/dev/stdout) cannot be read back on a re-run: a journal is a file.
    const info = await stat(path).catch(() => null);
    if (info !== null && !info.isFile())
      throw new CliError(
        `--journal ${path}: is not a regular file; a journal must be read back on a re-run`,
        "JOURNAL_UNWRITABLE",
      );
    const handle = await open(path, "a+").catch((e: unknown) => {
      throw new CliError(`--journal ${path}: cannot open it: ${codeOf(e)}`, "JOURNAL_UNWRITABLE");
    });
    try {
      // #23 review: the lock is the file's, not the name's. Two runs through a symlink
      // each took their own name's lock and rang all 200 rows twice: the lock sits
      // beside the file's real path, and a file with a second name (a hard link),
      // whose runs no lock beside one name can see, is refused.
      const { nlink } = await handle.stat();
      if (nlink > 1)
        throw new CliError(
          `--journal ${path}: the file has ${nlink} names (hard links); a run through another name would not see this one's lock, so give the journal one name`,
          "JOURNAL_LOCKED",
        );
      const lockFile = await lock(await realpath(path), path);
      opened = { handle, lockFile };
      // A new journal's name is flushed too: else a power cut could lose the whole file.
      if (info === null) await syncFolder(path);
    } catch (e) {
      await handle.close();
      throw e instanceof CliError
        ? e
        : new CliError(`--journal ${path}: cannot open it: ${codeOf(e)}`, "JOURNAL_UNWRITABLE");
    }
    return handle;
  };

  const flush = async (handle: FileHandle) => {
    flushing = true;
    while (queue.length > 0) {
      const batch = queue;
      queue = [];
      try {
        if (failure !== undefined) throw failure;
        await writeAll(handle, batch.map((b) => b.text).join(""));
        await handle.datasync();
        for (const b of batch) b.done();
      } catch (e) {
        // Sticky: after one failed write, no later line is trusted to land in order.
        failure ??=
          e instanceof CliError
            ? e
            : new CliError(
                `--journal ${path}: cannot write it: ${codeOf(e)}; the campaign stopped`,
                "JOURNAL_UNWRITABLE",
              );
        for (const b of batch) b.fail(failure);
      }
    }
    flushing = false;
  };

  return {
    async read() {
      const handle = opened?.handle ?? (await openLocked());
      const text = await handle.readFile("utf8");
      const { entries, tail, whole } = parse(text);
      if (tail === "cut") await handle.truncate(whole);
      if (tail === "end") {
        await writeAll(handle, "\n");
        await handle.datasync();
      }
      return entries;
    },
    append(entry) {
      return new Promise<void>((done, fail) => {
        if (opened === undefined)
          return fail(new Error("the journal is appended to before it is read"));
        queue.push({ text: `${clean(JSON.stringify(entry))}\n`, done, fail });
        if (!flushing) void flush(opened.handle);
      });
    },
    async close() {
      if (opened === undefined) return;
      await opened.handle.close().catch(() => undefined);
      await rm(opened.lockFile, { force: true });
    },
  };
}
