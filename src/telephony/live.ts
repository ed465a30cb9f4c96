// Reading the live state a desired state depends on, with the API's batch reads:
// connectors.batchGet for the connectors it refers to, phoneNumbers.batchGet for
// the numbers it names (the agent's connector list when it names nothing). Reads
// only; a few requests whatever the size.
import type { Connector, PhoneNumber, PolyAIClient } from "../index.js";
import { referencedConnectors } from "./desired.js";
import { snapshotFromLive, type Snapshot } from "./diff.js";
import type { CheckedDesiredState } from "./types.js";
import { chunk, mapLimit, type Limit } from "./util.js";

/** Batch reads in flight at once. */
const READ_CONCURRENCY = 4;

/** Default IDs per batch read. */
export const DEFAULT_READ_CHUNK = 500;

/** Reads what `desired` depends on and returns its snapshot; `limit` bounds the requests too. */
export async function readLive(
  poly: PolyAIClient,
  desired: CheckedDesiredState,
  options: { signal?: AbortSignal | undefined; readChunkSize: number },
  limit: Limit = (task) => task(),
): Promise<Snapshot> {
  const { agentId } = desired;
  const call = { signal: options.signal };
  const ids = [...referencedConnectors(desired).keys()];
  const numbers = Object.keys(desired.phoneNumbers);
  const connectors: Connector[] = [];
  const phoneNumbers: PhoneNumber[] = [];
  const jobs = [
    ...chunk(ids, options.readChunkSize).map((part) => async () => {
      connectors.push(...(await poly.connectors.batchGet(agentId, part, call)).found);
    }),
    ...chunk(numbers, options.readChunkSize).map((part) => async () => {
      phoneNumbers.push(...(await poly.phoneNumbers.batchGet(agentId, part, call)).found);
    }),
  ];
  // #19: a desired state that names nothing still reads once, so a wrong agent
  // (403, 404) fails as it does for any other file instead of planning "No changes".
  if (jobs.length === 0)
    jobs.push(async () => {
      await poly.connectors.list(agentId, call);
    });
  await mapLimit(jobs, READ_CONCURRENCY, (job) => limit(job));
  return snapshotFromLive(desired, connectors, phoneNumbers);
}
