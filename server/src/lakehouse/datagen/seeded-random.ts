/**
 * A tiny deterministic hash → [0, 1) for the few draws made in JS (per-day rounding). The bulk of
 * the data is drawn inside DuckDB with `hash()`, see `datagen-macros.ts`.
 */
export function seededUnit(seed: number, key: string): number {
  // FNV-1a over the key, mixed with the seed, then a final avalanche (murmur3 fmix32).
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return (h >>> 0) / 0x1_0000_0000;
}
