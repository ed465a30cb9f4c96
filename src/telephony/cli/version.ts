// #11: `--version`. The version is read from the package's own package.json, found
// by walking up from the running file: that holds from src/telephony/cli.ts, from
// dist/esm/src/telephony/cli.js (whose nearest package.json is dist/esm's
// `{ "type": "module" }`, so it is skipped by name), and from a bin bundled into one
// file anywhere inside the package.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const NAME = "polyai-connectors";

/** The version in the nearest package.json named polyai-connectors above `fromUrl`. */
export function packageVersion(fromUrl: string): string {
  let dir = dirname(fileURLToPath(fromUrl));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
        name?: unknown;
        version?: unknown;
      };
      if (pkg.name === NAME && typeof pkg.version === "string") return pkg.version;
    } catch {
      // No package.json here (or not JSON): keep walking up.
    }
    const parent = dirname(dir);
    if (parent === dir) return "unknown";
    dir = parent;
  }
}
