const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'; // Crockford base32, as in ULID

let lastTime = -1;
const lastRandom = new Uint8Array(10);

/**
 * A ULID: 48-bit millisecond time + 80 random bits, 26 characters, lexically sortable by time.
 * Ids made in the same millisecond increment the random part, so they sort in creation order too.
 */
export function newTraceId(now = Date.now()): string {
  if (now <= lastTime) {
    now = lastTime;
    incrementRandom(lastRandom);
  } else {
    lastTime = now;
    // Ids need uniqueness, not secrecy: Math.random avoids a native call per request.
    for (let i = 0; i < 10; i++) lastRandom[i] = (Math.random() * 256) | 0;
  }
  return timePrefix(now) + encodeRandom(lastRandom);
}

/** The 10-character time part of a ULID for a moment: ids sort by it, so it bounds time ranges. */
export function timePrefix(ms: number): string {
  let time = '';
  let t = Math.max(0, Math.floor(ms));
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[t % 32] + time;
    t = Math.floor(t / 32);
  }
  return time;
}

/** Bounds on ids for a time range: every id made at or after `ms` is ≥ the first, before it < the first. */
export function idFloor(ms: number): string {
  return `${timePrefix(ms)}0000000000000000`;
}

function incrementRandom(bytes: Uint8Array): void {
  for (let i = bytes.length - 1; i >= 0; i--) {
    if (bytes[i] === 255) {
      bytes[i] = 0;
    } else {
      bytes[i] = bytes[i]! + 1;
      return;
    }
  }
}

/** 80 bits as 16 base32 characters, 5 bits at a time from the most significant end. */
function encodeRandom(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(buffer >> bits) & 31];
    }
    buffer &= (1 << bits) - 1;
  }
  return out;
}
