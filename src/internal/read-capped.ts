// Reads an answer's body with a size cap, counting decoded bytes, so a broken
// proxy or a hostile server cannot exhaust memory (issue 4).

/**
 * The body's bytes, or null when it has none. Calls `tooLarge` (which must throw)
 * as soon as the body is known to pass `cap` bytes, after cancelling it.
 * @internal
 */
export async function readCapped(
  response: Response,
  cap: number,
  tooLarge: () => Error,
): Promise<Uint8Array<ArrayBuffer> | null> {
  if (!response.body) return null;
  const declared = response.headers.get("content-length");
  const encoding = response.headers.get("content-encoding");
  if (declared !== null && /^\d+$/.test(declared)) {
    if (Number(declared) > cap) {
      await response.body.cancel().catch(() => {});
      throw tooLarge();
    }
    // Without a content coding, HTTP framing stops at Content-Length, so the cap
    // holds. A compressed body's Content-Length is its compressed size: count it.
    if (encoding === null || encoding === "identity")
      return new Uint8Array(await response.arrayBuffer());
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > cap) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0] as Uint8Array<ArrayBuffer>;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
