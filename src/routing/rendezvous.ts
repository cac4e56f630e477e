/**
 * Weighted rendezvous hashing (highest random weight): every (key, item) pair gets a score from a
 * hash, scaled by the item's weight, and items are taken highest score first. Over many keys the
 * first item is item i with probability weight_i / Σ weights; for one key the order never changes
 * while the items stay the same; adding an item moves only the keys it now wins.
 */
export function rendezvousOrder<T>(items: readonly T[], key: string, idOf: (item: T) => string, weightOf: (item: T) => number): T[] {
  if (items.length < 2) return [...items];
  const keyHash = fnv1a(key, FNV_OFFSET);
  return items
    .map((item) => ({ item, score: score(unitInterval(fnv1a(idOf(item), keyHash)), weightOf(item)) }))
    .sort((a, b) => b.score - a.score)
    .map(({ item }) => item);
}

/** -w / ln(u) for u uniform in (0, 1): the weighted form of "highest hash wins" (Schindelhauer & Schomaker). */
function score(u: number, weight: number): number {
  return -weight / Math.log(u);
}

const FNV_OFFSET = 0x811c9dc5;

/** 32-bit FNV-1a over UTF-16 units, continuing from `seed`. */
function fnv1a(text: string, seed: number): number {
  let hash = seed;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Murmur3's finaliser spreads FNV's bits (its low bits alone are poorly mixed), then maps to (0, 1). */
function unitInterval(hash: number): number {
  let h = hash;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return ((h >>> 0) + 0.5) / 4294967296;
}
