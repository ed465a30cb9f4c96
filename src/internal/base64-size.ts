// #23: the size PolyAI limits call metadata by, "its base64 under 26 KB". The spec
// (OutboundCallMetadata) reads it as the base64 of the value's JSON text, UTF-8,
// without spaces; the client and the local PolyAI both measure with this.

/** Bytes of the base64 of `value`'s JSON text (UTF-8, as `JSON.stringify` writes it). @internal */
export function base64Size(value: unknown): number {
  const bytes = new TextEncoder().encode(JSON.stringify(value)).byteLength;
  return 4 * Math.ceil(bytes / 3);
}
