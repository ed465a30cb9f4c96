// Counts by kind, for the soak's report.

/** Counts by kind. */
export class Tally extends Map<string, number> {
  add(key: string, n = 1): void {
    this.set(key, (this.get(key) ?? 0) + n);
  }
  total(): number {
    return [...this.values()].reduce((a, b) => a + b, 0);
  }
  show(): string {
    return this.size === 0
      ? "none"
      : [...this.entries()]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([k, v]) => `${k} ${v}`)
          .join(", ");
  }
}
