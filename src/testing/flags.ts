// The bin's numeric flags (#20): decimal digits only. Number() reads "" and " " as 0
// and takes "0x10" and "1e3", so `--max-body-bytes ''` once meant a limit of 0.

/**
 * The value of `--flag` as an integer from `min` to `max`.
 * @throws {RangeError} naming the flag when `raw` is not decimal digits or is out of
 *   range (the bin reports it as a usage error).
 */
export function integerFlag(flag: string, raw: string, min: number, max: number): number {
  const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!(value >= min && value <= max))
    throw new RangeError(
      `--${flag} must be a whole number from ${min} to ${max} in decimal digits, got ${JSON.stringify(raw)}`,
    );
  return value;
}
