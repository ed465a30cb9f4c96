// The promise every method returns (issue 14): awaited, it gives the data, typed as
// the spec says; `.withResponse()` also gives the HTTP answer and the correlation ID
// to quote to PolyAI. The data is read from the answer only when awaited, so a caller
// who only asks for `.withResponse()` gets no second, unhandled rejection.

/** What {@link APIPromise.withResponse} resolves to. */
export interface WithResponse<T> {
  /** The same value a plain `await` gives. */
  readonly data: T;
  /**
   * The HTTP answer: status and headers as received (the key redacted), and its body
   * unread. For a dry run, the answer of the read it was predicted from.
   */
  readonly response: Response;
  /** The `X-PolyAI-Correlation-Id` the call sent, the same on every retry. */
  readonly correlationId: string;
  /**
   * How many attempts the call took. Above 1, an earlier attempt may have been applied
   * although its answer was lost: a `deleteMany` then lists as errors ("not found")
   * the numbers that attempt released.
   */
  readonly attempts: number;
}

/**
 * A Promise of a call's data with `.withResponse()`.
 *
 * @example
 * const { data, response, correlationId } = await poly.connectors
 *   .update(agentId, connectorId, { voiceName: "en-GB-Neural2-A" })
 *   .withResponse();
 * console.log(response.status, correlationId, data.ttsLangCode);
 */
export class APIPromise<T> extends Promise<T> {
  // `then` of a subclass builds its result with the subclass; results are plain Promises.
  static override get [Symbol.species](): PromiseConstructor {
    return Promise;
  }
  readonly #full: Promise<WithResponse<T>>;
  #data: Promise<T> | undefined;

  /** @internal */
  constructor(full: Promise<WithResponse<T>>) {
    super((resolve) => resolve(undefined as T));
    this.#full = full;
  }

  /** The data together with the HTTP answer and the correlation ID. */
  withResponse(): Promise<WithResponse<T>> {
    return this.#full;
  }

  #parsed(): Promise<T> {
    this.#data ??= this.#full.then((full) => full.data);
    return this.#data;
  }

  override then<A = T, B = never>(
    onfulfilled?: ((value: T) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.#parsed().then(onfulfilled, onrejected);
  }

  override catch<B = never>(
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<T | B> {
    return this.#parsed().catch(onrejected);
  }

  override finally(onfinally?: (() => void) | null): Promise<T> {
    return this.#parsed().finally(onfinally);
  }
}
