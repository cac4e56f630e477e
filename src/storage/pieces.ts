import { inArray } from 'drizzle-orm';
import type { BodyStore, Database } from '../config';
import { type BodyPiece, bodyPieces, type NewBodyPiece } from './schema';

/**
 * Pieces: the parts of bodies that repeat (system prompts, tool lists, frames, large messages),
 * stored once in `body_pieces`, named by the hash of their JSON text.
 */

const encoder = new TextEncoder();

/** Pieces from this size on are gzipped: a tool list shrinks to a fifth. */
export const GZIP_FROM_CHARS = 4096;
const PREVIEW_CHARS = 200;

/** base64url of the first 128 bits of the text's SHA-256: 22 characters. */
export async function pieceHash(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)), 0, 16);
  return btoa(String.fromCharCode(...digest))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');
}

/**
 * Hashes of texts this isolate hashed lately. A system prompt or tool list comes back on every
 * request: comparing the text with the one hashed before (V8 compares long strings by length,
 * then bytes) costs far less than hashing it again.
 */
const recentHashes = new Map<string, string>();
const RECENT_HASHES = 64;
/** Larger texts (images, documents) are hashed again if they come back: 64 of them could fill an isolate. */
export const MAX_REMEMBERED_CHARS = 256 * 1024;

export async function cachedPieceHash(text: string): Promise<string> {
  const known = recentHashes.get(text);
  if (known) return known;
  const hash = await pieceHash(text);
  if (text.length >= 1024 && text.length <= MAX_REMEMBERED_CHARS) {
    if (recentHashes.size >= RECENT_HASHES) recentHashes.delete(recentHashes.keys().next().value!);
    recentHashes.set(text, hash);
  }
  return hash;
}

/** Pieces this isolate knows are stored with `last_day` = the day noted: no statement needed for them that day. */
const storedOn = new Map<string, string>();
const STORED_ON = 10_000;

export function knownStored(hash: string, day: string): boolean {
  return storedOn.get(hash) === day;
}

export function noteStored(hashes: Iterable<string>, day: string): void {
  for (const hash of hashes) {
    storedOn.delete(hash);
    storedOn.set(hash, day);
  }
  while (storedOn.size > STORED_ON) storedOn.delete(storedOn.keys().next().value!);
}

/** Forgets what this isolate learnt (tests, and after a failed write). */
export function forgetStoredPieces(): void {
  storedOn.clear();
  recentHashes.clear();
}

export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

async function gzip(text: string): Promise<Uint8Array> {
  return new Uint8Array(await new Response(new Response(text).body!.pipeThrough(new CompressionStream('gzip'))).arrayBuffer());
}

async function gunzip(bytes: Uint8Array): Promise<string> {
  return new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'))).text();
}

export function pieceObjectKey(hash: string): string {
  return `pieces/${hash}.json.gz`;
}

/**
 * The row for a new piece: readable JSON when small, gzipped from GZIP_FROM_CHARS on, in R2 when
 * a bucket is bound and the piece passes its threshold (an upload that fails keeps it in D1).
 */
export async function pieceRow(hash: string, kind: string, text: string, now: number, store: BodyStore | null): Promise<NewBodyPiece> {
  const base = { hash, kind, chars: text.length, createdAt: new Date(now), lastDay: utcDay(now) };
  if (text.length < GZIP_FROM_CHARS && !(store && text.length > store.thresholdBytes)) return { ...base, json: text };
  const compressed = await gzip(text);
  const preview = text.slice(0, PREVIEW_CHARS);
  if (store && (text.length > store.thresholdBytes || compressed.byteLength > MAX_PIECE_BYTES)) {
    const key = pieceObjectKey(hash);
    try {
      await store.bucket.put(key, compressed, { httpMetadata: { contentType: 'application/json', contentEncoding: 'gzip' }, customMetadata: { kind } });
      return { ...base, r2Key: key, preview };
    } catch {
      // Kept in D1 below, if it fits.
    }
  }
  return { ...base, gzip: compressed, preview };
}

/** D1 caps a row at 2 MB: a piece larger than this, compressed, needs R2. */
export const MAX_PIECE_BYTES = 1_900_000;

/** The bytes a piece row takes in D1. */
export function pieceBytes(row: NewBodyPiece): number {
  return row.gzip?.byteLength ?? (row.json ? row.json.length * 3 : 0);
}

/**
 * Pieces read lately, by hash: a hash names one text forever, and the traces of a session share
 * their frame, system prompt and tools, so the viewer and the API read them once, not once a turn.
 */
const readCache = new Map<string, { text: string; value?: unknown }>();
let readCacheChars = 0;
const READ_CACHE_CHARS = 4_000_000;

function cacheRead(hash: string, text: string): void {
  if (readCache.has(hash) || text.length > READ_CACHE_CHARS / 4) return;
  readCache.set(hash, { text });
  readCacheChars += text.length;
  for (const [oldest, entry] of readCache) {
    if (readCacheChars <= READ_CACHE_CHARS) break;
    readCache.delete(oldest);
    readCacheChars -= entry.text.length;
  }
}

/** A piece's value, parsed once while it stays in the read cache (callers never change it). */
export function pieceValue(hash: string, text: string): unknown {
  const cached = readCache.get(hash);
  if (cached?.text !== text) return JSON.parse(text);
  cached.value ??= JSON.parse(text);
  return cached.value;
}

export function forgetReadPieces(): void {
  readCache.clear();
  readCacheChars = 0;
}

/** The pieces' texts, by hash (R2 pieces from the bucket; a piece that is gone is left out). */
export async function loadPieces(db: Database, hashes: Iterable<string>, bucket?: R2Bucket): Promise<Map<string, string>> {
  const texts = new Map<string, string>();
  const wanted: string[] = [];
  for (const hash of new Set(hashes)) {
    const cached = readCache.get(hash);
    if (cached) texts.set(hash, cached.text);
    else wanted.push(hash);
  }
  const rows: BodyPiece[] = [];
  // D1 binds at most 100 parameters a statement.
  for (let i = 0; i < wanted.length; i += 90)
    rows.push(
      ...(await db
        .select()
        .from(bodyPieces)
        .where(inArray(bodyPieces.hash, wanted.slice(i, i + 90)))),
    );
  await Promise.all(
    rows.map(async (row) => {
      let text: string | null = null;
      if (row.json !== null) text = row.json;
      else if (row.gzip) text = await gunzip(row.gzip);
      else if (row.r2Key && bucket) {
        const object = await bucket.get(row.r2Key);
        if (object) text = await new Response(object.body.pipeThrough(new DecompressionStream('gzip'))).text();
      }
      if (text === null) return;
      texts.set(row.hash, text);
      cacheRead(row.hash, text);
    }),
  );
  return texts;
}
