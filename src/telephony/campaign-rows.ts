// #23: the rows of a campaign, checked whole before any call is placed: their shape
// (the SDK checks each field's rules with its own, see dial.ts), and one number
// per person, since ringing someone twice is the thing a campaign must never do.
import { InvalidInputError, type OutboundCallRequest } from "../index.js";
import { suggestKey, unknownKey } from "../internal/keys.js";
import { describeType, isPlainObject } from "../internal/validate.js";
import { hash64 } from "./hash.js";
import { canonical, setOwn } from "./util.js";

/**
 * One call of a campaign: who to ring, and what the agent is told about them. The
 * trigger's own fields (the spec's `InitiateOutboundCallBody`), less what the whole
 * campaign sets (`environment`) and what a row does not choose (`encryption`).
 */
export type CampaignRow = Readonly<
  Pick<OutboundCallRequest, "toNumber" | "countryCode" | "variantId" | "metadata">
>;

const ROW_KEYS = [
  "toNumber",
  "countryCode",
  "variantId",
  "metadata",
] as const satisfies readonly (keyof CampaignRow)[];

/** A row as checked: only the keys it has, metadata an own-keyed copy. */
function checkRow(value: unknown, field: string): CampaignRow {
  if (!isPlainObject(value))
    throw new InvalidInputError(field, `expected an object, got ${describeType(value)}`);
  const extra = unknownKey(value, ROW_KEYS);
  if (extra !== undefined)
    throw new InvalidInputError(
      `${field}.${extra}`,
      `is not a field of a row${suggestKey(extra, ROW_KEYS, "the fields are")}`,
    );
  const row: Record<string, unknown> = {};
  for (const key of ["toNumber", "countryCode", "variantId"]) {
    const v = value[key];
    if (v === undefined && key !== "toNumber") continue;
    if (typeof v !== "string")
      throw new InvalidInputError(`${field}.${key}`, `expected a string, got ${describeType(v)}`);
    row[key] = v;
  }
  const metadata = value["metadata"];
  if (metadata !== undefined) {
    if (!isPlainObject(metadata))
      throw new InvalidInputError(
        `${field}.metadata`,
        `expected an object of strings, got ${describeType(metadata)}`,
      );
    const copy: Record<string, string> = {};
    for (const [key, v] of Object.entries(metadata)) {
      if (typeof v !== "string")
        throw new InvalidInputError(
          `${field}.metadata.${key}`,
          `expected a string (metadata travels as SIP headers), got ${describeType(v)}`,
        );
      setOwn(copy, key, v);
    }
    row["metadata"] = copy;
  }
  return row as unknown as CampaignRow;
}

/**
 * The number a row rings, spelt one way: two rows with the same one ring the same
 * person. #23: the spaces, brackets, dots and dashes the spec allows are dropped, and
 * a number with its `+` prefix stands alone (its countryCode is moot). A national
 * number is not turned into E.164 (that needs each country's trunk-prefix rules), so
 * `020 7946 0000` with GB and `+442079460000` are not seen as one.
 */
function numberKey(row: CampaignRow): string {
  const digits = row.toNumber.replace(/[ ().-]/g, "");
  return digits.startsWith("+") ? digits : `${row.countryCode ?? ""} ${digits}`;
}

/**
 * Checks every row's shape, and refuses a number that two rows share unless
 * `allowDuplicates` (#23: the second row would ring the same person again).
 */
export function checkRows(rows: unknown, allowDuplicates: boolean): CampaignRow[] {
  if (!Array.isArray(rows))
    throw new InvalidInputError("rows", `expected an array, got ${describeType(rows)}`);
  const checked = rows.map((r, i) => checkRow(r, `rows[${i}]`));
  if (allowDuplicates) return checked;
  const first = new Map<string, number>();
  checked.forEach((row, i) => {
    const seen = first.get(numberKey(row));
    if (seen !== undefined)
      throw new InvalidInputError(
        `rows[${i}].toNumber`,
        `is the number of rows[${seen}] too: the campaign would ring that person twice (remove one, or pass allowDuplicates if ringing twice is meant)`,
      );
    first.set(numberKey(row), i);
  });
  return checked;
}

/** A row's digest: which row a journal line speaks of, beside its index. */
export const rowDigest = (row: CampaignRow): string => hash64(canonical(row));

/** What a journal belongs to: these rows, this agent, this environment. */
export function campaignDigest(
  agentId: string,
  environment: string,
  digests: readonly string[],
): string {
  return hash64(canonical({ agentId, environment, rows: digests }));
}
