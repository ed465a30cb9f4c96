// #20: when a write the client gave up on lands is decided by the soak harness,
// not by a timer that must outrun the machine. Every request is tracked, per
// connector, until the mock has answered or dropped it; a held request is not sent
// until the harness releases it, which it does only after the call that made it
// has ended (so after its attempt timed out, and after any retry of it).

/** Requests to the mock that may still change a connector, by connector ID. */
export class Landings {
  readonly #inFlight = new Map<string, Set<Promise<unknown>>>();
  readonly #held = new Map<string, (() => void)[]>();

  /** Tracks `request` (a fetch to the mock) until it settles, whatever the client does. */
  track(connectorId: string, request: Promise<unknown>): void {
    const set = this.#inFlight.get(connectorId) ?? new Set();
    this.#inFlight.set(connectorId, set);
    const done: Promise<unknown> = request.then(
      () => set.delete(done),
      () => set.delete(done),
    );
    set.add(done);
  }

  /** Resolves when {@link release} (or {@link releaseAll}) lets this connector's held requests go. */
  hold(connectorId: string): Promise<void> {
    return new Promise((resolve) => {
      const list = this.#held.get(connectorId) ?? [];
      this.#held.set(connectorId, list);
      list.push(resolve);
    });
  }

  /** Sends the connector's held requests. */
  release(connectorId: string): void {
    for (const send of this.#held.get(connectorId) ?? []) send();
    this.#held.delete(connectorId);
  }

  /** Sends every held request. */
  releaseAll(): void {
    for (const id of [...this.#held.keys()]) this.release(id);
  }

  /** Waits until the mock has settled every request of the connector; true if any was still out. */
  async landed(connectorId: string): Promise<boolean> {
    const set = this.#inFlight.get(connectorId);
    if (!set || set.size === 0) return false;
    while (set.size > 0) await Promise.all(set);
    return true;
  }

  /** Waits until the mock has settled every request (release held ones first). */
  async allLanded(): Promise<void> {
    for (const id of this.#inFlight.keys()) await this.landed(id);
  }
}
