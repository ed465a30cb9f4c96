// #11: `--version`. The version is read from the package's own package.json, found
// by walking up from the running file: that holds from src/telephony/cli.ts, from
// dist/esm/src/telephony/cli.js (whose nearest package.json is dist/esm's
// `{ "type": "module" }`, so it is skipped by name), and from a bin bundled into one
// file anywhere inside the package. #22: export finds the schema it names the same way.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The package's name, as its package.json says. */
export const NAME = "polyai-connectors";

/** The package's own package.json: its folder and content. */
export interface OwnPackage {
  readonly dir: string;
  readonly json: Record<string, unknown>;
}

/** The package.json in `dir`, when it is polyai-connectors'. */
export function packageAt(dir: string): OwnPackage | undefined {
  try {
    const json = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as unknown;
    if (typeof json === "object" && json !== null && (json as { name?: unknown }).name === NAME)
      return { dir, json: json as Record<string, unknown> };
  } catch {
    // No package.json here (or not JSON).
  }
  return undefined;
}

/** The nearest package.json named polyai-connectors above `fromUrl`, if any. */
export function ownPackage(fromUrl: string): OwnPackage | undefined {
  for (let dir = dirname(fileURLToPath(fromUrl)); ; dir = dirname(dir)) {
    const own = packageAt(dir);
    if (own !== undefined) return own;
    if (dirname(dir) === dir) return undefined;
  }
}

/** The version in the nearest package.json named polyai-connectors above `fromUrl`. */
export function packageVersion(fromUrl: string): string {
  const version = ownPackage(fromUrl)?.json["version"];
  return typeof version === "string" ? version : "unknown";
}
