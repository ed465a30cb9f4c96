// A small, pure-JS string hash for plan fingerprints (no node:crypto, so it runs
// wherever fetch does). It detects change, it does not resist an attacker: whoever
// can edit a plan can also edit its fingerprint, and apply re-derives both anyway.

/**
 * 64 bits of hash of `text` as 16 hex digits: two 32-bit multiply-xorshift lanes
 * over the UTF-16 code units (the mixing of cyrb53, both lanes kept whole).
 */
export function hash64(text: string): string {
  let h1 = 0xdeadbeef ^ text.length;
  let h2 = 0x41c6ce57 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  const hex = (n: number) => (n >>> 0).toString(16).padStart(8, "0");
  return hex(h2) + hex(h1);
}
