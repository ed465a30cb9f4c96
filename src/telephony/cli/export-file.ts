// #22: what `export` adds around the state it writes. A `$schema` that resolves,
// from the folder of the file written, to the schema in the installed package, so an
// editor completes and checks the file from the first export; and no file replaced
// without a yes: a terminal is asked, anything else needs --force.
import { existsSync } from "node:fs";
import { stat } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { CliError } from "./errors.js";
import { escapeLine } from "./escape.js";
import { outMode } from "./files.js";
import { NAME, ownPackage, packageAt, type OwnPackage } from "./version.js";

/** The package's export of the schema. */
const SCHEMA_EXPORT = "./desired-state.schema.json";

/** In a source checkout (no build), the schema's own file. */
const SCHEMA_SOURCE = "src/telephony/desired-state.schema.json";

/** The schema file of a package: its export's target, else (a checkout not built) the source file. */
function schemaIn(own: OwnPackage): string {
  const exported = (own.json["exports"] as Record<string, unknown> | undefined)?.[SCHEMA_EXPORT];
  const candidates = [typeof exported === "string" ? exported : undefined, SCHEMA_SOURCE]
    .filter((c) => c !== undefined)
    .map((c) => resolve(own.dir, c));
  return candidates.find((c) => existsSync(c)) ?? (candidates[0] as string);
}

/**
 * The schema file of the package `fromUrl` is in (the running CLI's own);
 * undefined outside the package.
 */
export function packageSchemaFile(fromUrl: string): string | undefined {
  const own = ownPackage(fromUrl);
  return own === undefined ? undefined : schemaIn(own);
}

/**
 * The schema a file written in `base` should name: the package as the project
 * installed it (`node_modules/polyai-connectors`, looked up from `base` as Node
 * resolves a package), so the path holds in the project's repository even when the
 * CLI runs from elsewhere (`npx` from its cache, a global install); else the running
 * CLI's own.
 */
export function schemaFor(base: string, fromUrl: string): string | undefined {
  for (let dir = base; ; dir = dirname(dir)) {
    const installed = packageAt(join(dir, "node_modules", NAME));
    if (installed !== undefined) return schemaIn(installed);
    if (dirname(dir) === dir) return packageSchemaFile(fromUrl);
  }
}

/**
 * `schema` as a `$schema` reference from the folder `base`: a relative path with `/`
 * (a URI reference), `./` first; a `file:` URL when no relative path exists (another
 * drive on Windows).
 */
export function schemaRef(schema: string, base: string): string {
  const rel = relative(base, schema);
  if (isAbsolute(rel)) return pathToFileURL(schema).href;
  const posix = rel.split(sep).join("/");
  return posix.startsWith("../") ? posix : `./${posix}`;
}

/**
 * The folder a `$schema` is relative to: the folder of `--out` when it is a file,
 * else the working directory (stdout, or an --out written in place: a FIFO, /dev/stdout).
 */
export async function schemaBase(out: string | undefined, cwd: string): Promise<string> {
  if (out === undefined || (await outMode(out)) === "in-place") return cwd;
  return dirname(resolve(cwd, out));
}

/**
 * #22: `--out` onto an existing file: replaced with --force, or after a yes on a
 * terminal; else refused (CONFIRMATION_REQUIRED) naming the file. A FIFO or device is written in
 * place, not replaced, so it is not asked about.
 */
export async function checkOverwrite(
  out: string,
  force: boolean,
  ask: ((question: string) => Promise<boolean>) | undefined,
): Promise<void> {
  if (force || (await outMode(out)) === "in-place") return;
  const exists = await stat(out).then(
    () => true,
    () => false,
  );
  if (!exists) return;
  // #22: apply's code for the same refusal (no --yes off a terminal), so a script handles both alike.
  if (ask === undefined)
    throw new CliError(
      `--out ${out}: the file exists; pass --force to replace it (stdin is not a terminal, so no one can confirm)`,
      "CONFIRMATION_REQUIRED",
    );
  if (!(await ask(`${escapeLine(out)} exists. Replace it? [y/N] `)))
    throw new CliError(`cancelled: ${out} was left as it was.`, "CANCELLED");
}
