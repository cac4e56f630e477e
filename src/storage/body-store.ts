import { and, desc, eq, inArray, isNotNull, isNull } from 'drizzle-orm';
import type { BodyStore, Database } from '../config';
import { sameJson } from '../core/json';
import { answerElement, escapeValue, frameBody, MIN_PIECE_CHARS, PIECE_REF, type SplitBody, shareStrings, splitBody, storedText } from './body-split';
import { commonPrefix, findConversation, type StoredConversation } from './conversations';
import { cachedPieceHash, knownStored, MAX_PIECE_BYTES, MAX_REMEMBERED_CHARS, pieceBytes, pieceHash, pieceRow, utcDay } from './pieces';
import { bodyPieces, type NewBodyPiece, type NewTrace, traces } from './schema';

/**
 * The write side of body format 1: a trace's request (and translated request) stored as a frame
 * piece, the earlier trace whose conversation it continues, and what it adds. README, "How bodies
 * are stored", says what goes where and why.
 */

export const BODY_FORMAT = 1;

/** A message longer than this (as JSON) is stored as a piece, gzipped, instead of in the trace row. */
export const MESSAGE_PIECE_CHARS = 8192;
/** New messages past this size in one row are all stored as pieces: a row holds 2 MB at most. */
const ROW_MESSAGES_CHARS = 600_000;
/** What a row's new messages may take, in bytes (UTF-8, at most 3 per UTF-16 unit): the response needs room too. */
const ROW_NEWS_BYTES = 900_000;

/**
 * Headers that change from request to request: kept in the trace row; the others are the same
 * for every request of a client and go into the frame piece.
 */
const VOLATILE_HEADERS = new Set([
  'content-length',
  'cf-ray',
  'x-stainless-retry-count',
  'x-request-id',
  'traceparent',
  'tracestate',
  'sentry-trace',
  'baggage',
  'x-amzn-trace-id',
]);

/** What storing a trace's bodies needs written beside the row, and remembered once it is. */
export interface StoredBodies {
  /** Pieces to insert (or, already there, mark as used today). */
  pieces: NewBodyPiece[];
  /** Pieces already stored on an earlier day: their `last_day` moves to today. */
  touched: string[];
  /** Every piece the trace uses, for this isolate to know them stored today. */
  used: string[];
  day: string;
  /** The trace's conversation, to build the next turn on once the row is written, and the one it continued. */
  conversation: StoredConversation | null;
  continued?: { traceId: string; length: number };
}

/** Chained hashes of texts: entry i names the first i + 1 (what conversation_hash holds), continuing `from`. */
async function chainHashes(texts: readonly string[], from: readonly string[] = []): Promise<string[]> {
  const hashes = [...from];
  for (const text of texts) hashes.push(await pieceHash(`${hashes.at(-1) ?? ''}\n${text}`));
  return hashes;
}

/**
 * Values stored as pieces lately (system prompts, tool lists), with their text and hash. They
 * come back on every request: matched by value, since comparing a 50 KB tool list costs a tenth
 * of serialising it.
 */
const recentPieces: { key: string; value: unknown; text: string; hash: string }[] = [];
const RECENT_PIECES = 32;

/** A top-level value's piece, or null when it is too small to be one. */
async function fieldPiece(key: string, value: unknown): Promise<{ text: string; hash: string } | null> {
  for (let i = recentPieces.length - 1; i >= 0; i--) {
    const known = recentPieces[i]!;
    if (known.key === key && sameJson(known.value, value)) return known;
  }
  const text = JSON.stringify(value);
  if (text.length < MIN_PIECE_CHARS) return null;
  const piece = { key, value, text, hash: await pieceHash(text) };
  if (text.length > MAX_REMEMBERED_CHARS) return piece;
  recentPieces.push(piece);
  if (recentPieces.length > RECENT_PIECES) recentPieces.shift();
  return piece;
}

export function forgetRecentPieces(): void {
  recentPieces.length = 0;
}

interface Base {
  traceId: string;
  length: number;
  /** Chained hashes of the base conversation's first `length` elements. */
  hashes: readonly string[];
  /** The base's translated messages, when this isolate remembers them… */
  upstreamElements: readonly unknown[] | null;
  upstreamHashes: readonly string[];
  /** …else the hash and length D1 holds of them. */
  upstreamHash?: string | null;
  upstreamLength?: number | null;
}

/** The conversation this trace continues: from this isolate's memory, else from the session's latest traces in D1. */
async function findBase(db: Database, row: NewTrace, elements: readonly unknown[]): Promise<Base | null> {
  if (elements.length === 0) return null;
  const found = findConversation(row.apiKeyName ?? '', elements, row.createdAt.getTime());
  if (found && found.length > 0) {
    const { conversation, length } = found;
    return {
      traceId: conversation.traceId,
      length,
      hashes: conversation.hashes.slice(0, length),
      upstreamElements: conversation.upstreamElements,
      upstreamHashes: conversation.upstreamHashes ?? [],
    };
  }
  if (!row.sessionId) return null;
  const candidates = await db
    .select({
      id: traces.id,
      hash: traces.conversationHash,
      length: traces.conversationLength,
      upstreamHash: traces.upstreamConversationHash,
      upstreamLength: traces.upstreamConversationLength,
    })
    .from(traces)
    .where(
      and(
        eq(traces.sessionId, row.sessionId),
        row.apiKeyName == null ? isNull(traces.apiKeyName) : eq(traces.apiKeyName, row.apiKeyName),
        isNotNull(traces.conversationHash),
      ),
    )
    .orderBy(desc(traces.id))
    .limit(16);
  const usable = candidates.filter((c) => c.length !== null && c.length > 0 && c.length <= elements.length).sort((a, b) => b.length! - a.length!);
  if (usable.length === 0) return null;
  const hashes = await chainHashes(elements.slice(0, usable[0]!.length!).map((element) => JSON.stringify(element)));
  for (const candidate of usable) {
    if (hashes[candidate.length! - 1] !== candidate.hash) continue;
    return {
      traceId: candidate.id,
      length: candidate.length!,
      hashes: hashes.slice(0, candidate.length!),
      upstreamElements: null,
      upstreamHashes: [],
      upstreamHash: candidate.upstreamHash,
      upstreamLength: candidate.upstreamLength,
    };
  }
  return null;
}

interface SplitStored {
  frameHash: string;
  pieces: Map<string, { kind: string; text: string }>;
  newMessages: string;
  patch: unknown[] | null;
  /** Chained hashes of all the elements. */
  hashes: string[];
  historyLength: number;
  elements: unknown[];
}

/** A request's JSON object, or null when it is not one (it is then stored whole). */
function parseObject(text: string | null | undefined): Record<string, unknown> | null {
  if (typeof text !== 'string') return null;
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** The new elements' stored texts as one JSON array, large ones as pieces. */
async function storeElements(texts: readonly string[], pieces: SplitStored['pieces']): Promise<string> {
  const total = texts.reduce((n, text) => n + text.length, 0);
  const pieceFrom = total > ROW_MESSAGES_CHARS ? 1024 : MESSAGE_PIECE_CHARS;
  const parts: string[] = [];
  for (const text of texts) {
    if (text.length <= pieceFrom) {
      parts.push(text);
      continue;
    }
    const hash = await cachedPieceHash(text);
    pieces.set(hash, { kind: 'message', text });
    parts.push(JSON.stringify(PIECE_REF + hash));
  }
  return `[${parts.join(',')}]`;
}

/** One body: its frame (with `extra` fields beside the body), its pieces, and the elements after `historyLength`. */
async function storeSplit(
  split: SplitBody,
  extra: Record<string, unknown>,
  historyLength: number,
  historyHashes: readonly string[],
  shareWith: { source: readonly unknown[]; from: number } | null,
): Promise<SplitStored> {
  const pieces: SplitStored['pieces'] = new Map();
  const fieldHashes = new Map<string, string>();
  for (const field of split.fields) {
    if (field.role !== 'piece') continue;
    const piece = await fieldPiece(field.key, field.value);
    if (!piece) continue;
    fieldHashes.set(field.key, piece.hash);
    pieces.set(piece.hash, { kind: field.key, text: piece.text });
  }
  const frameText = JSON.stringify({ ...extra, body: frameBody(split, fieldHashes) });
  const frameHash = await cachedPieceHash(frameText);
  pieces.set(frameHash, { kind: 'frame', text: frameText });

  // Only what is new is serialised: the history is named, and its hashes are known.
  const elements = split.elements ?? [];
  const fresh = elements.slice(historyLength);
  const texts = fresh.map((element) => JSON.stringify(element) ?? 'null');
  let storedTexts = fresh.map((element, i) => storedText(element, texts[i]!));
  if (shareWith && fresh.length > 0) {
    const escaped = fresh.map((element, i) => (storedTexts[i] === texts[i] ? element : escapeValue(element)));
    const shared = shareStrings(escaped, shareWith.source, shareWith.from);
    storedTexts = shared.map((element, i) => (element === escaped[i] ? storedTexts[i]! : JSON.stringify(element)));
  }
  return {
    frameHash,
    pieces,
    newMessages: await storeElements(storedTexts, pieces),
    patch: split.markers.length > 0 ? split.markers : null,
    hashes: await chainHashes(texts, historyHashes),
    historyLength,
    elements,
  };
}

/**
 * Stores the row's request and translated request in body format 1, in place: the whole bodies
 * leave the row, the frame, history and news take their place. A body that is not a JSON object,
 * was cut, or nests too deep to serialise stays whole (and the row keeps body format 1: nothing
 * to convert). `answerText` is the response as stored, whole (null if cut or absent). `parsed`
 * are the bodies as parsed when they were received or sent, when the texts are those bodies
 * unchanged: parsing them again would cost as much as all the rest.
 */
export async function storeBodies(
  db: Database,
  row: NewTrace,
  answerText: string | null,
  options: { now?: number; store?: BodyStore | null; parsed?: { request?: unknown; upstream?: unknown } } = {},
): Promise<StoredBodies> {
  const now = options.now ?? Date.now();
  const result: StoredBodies = { pieces: [], touched: [], used: [], day: utcDay(now), conversation: null };
  row.bodyFormat = BODY_FORMAT;
  try {
    return await split(db, row, answerText, { ...options, now }, result);
  } catch (err) {
    // Nested too deep to walk or serialise: kept whole (the row is only changed once all is done).
    if (err instanceof RangeError) return result;
    throw err;
  }
}

const asObject = (value: unknown): Record<string, unknown> | null =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;

async function split(
  db: Database,
  row: NewTrace,
  answerText: string | null,
  options: { now: number; store?: BodyStore | null; parsed?: { request?: unknown; upstream?: unknown } },
  result: StoredBodies,
): Promise<StoredBodies> {
  const { now } = options;
  const { day } = result;
  if (row.requestBodyTruncated) return result;
  const request = options.parsed?.request !== undefined ? asObject(options.parsed.request) : parseObject(row.requestBody);
  if (!request) return result;
  const split = splitBody(request);
  const upstream = row.upstreamRequestBodyTruncated
    ? null
    : options.parsed?.upstream !== undefined
      ? asObject(options.parsed.upstream)
      : parseObject(row.upstreamRequestBody);
  const upstreamSplit = upstream ? splitBody(upstream) : null;

  const elements = split.elements ?? [];
  const base = await findBase(db, row, elements);
  const historyLength = base?.length ?? 0;
  const stable: Record<string, string> = {};
  const volatile: Record<string, string> = {};
  for (const [name, value] of Object.entries(row.requestHeaders ?? {})) (VOLATILE_HEADERS.has(name) ? volatile : stable)[name] = value;
  const stored = await storeSplit(split, { headers: stable }, historyLength, base?.hashes ?? [], null);

  // The translated request continues the same trace's translated request, as far as they agree.
  let upstreamStored: SplitStored | null = null;
  if (upstreamSplit) {
    const upElements = upstreamSplit.elements ?? [];
    let upstreamLength = 0;
    let upstreamHashes: readonly string[] = [];
    if (base?.upstreamElements) {
      upstreamLength = commonPrefix(base.upstreamElements, upElements);
      upstreamHashes = base.upstreamHashes.slice(0, upstreamLength);
    } else if (base?.upstreamHash && base.upstreamLength && base.upstreamLength <= upElements.length) {
      const hashes = await chainHashes(upElements.slice(0, base.upstreamLength).map((element) => JSON.stringify(element)));
      if (hashes.at(-1) === base.upstreamHash) {
        upstreamLength = base.upstreamLength;
        upstreamHashes = hashes;
      }
    }
    upstreamStored = await storeSplit(upstreamSplit, {}, upstreamLength, upstreamHashes, { source: elements, from: historyLength - 2 });
  }

  // This trace's conversation: its messages, then its answer, as the next turn will resend them.
  const answer = answerElement(answerText);
  const conversation = answer === null ? elements : [...elements, answer];
  const hashes = answer === null ? stored.hashes : await chainHashes([JSON.stringify(answer)], stored.hashes);

  const pieces = new Map([...stored.pieces, ...(upstreamStored?.pieces ?? [])]);
  const newsChars = stored.newMessages.length + (upstreamStored?.newMessages.length ?? 0);
  if (newsChars * 3 > ROW_NEWS_BYTES) return result; // a row holds 2 MB: stored whole, and cut

  // The pieces D1 does not hold yet (or held on an earlier day), made before the row changes: a
  // piece too large for a D1 row, with no bucket to take it, leaves the bodies whole (and cut).
  const used = [...pieces.keys()];
  const unknown = used.filter((hash) => !knownStored(hash, day));
  const existing = new Map<string, string>();
  for (let i = 0; i < unknown.length; i += 90) {
    const found = await db
      .select({ hash: bodyPieces.hash, lastDay: bodyPieces.lastDay })
      .from(bodyPieces)
      .where(inArray(bodyPieces.hash, unknown.slice(i, i + 90)));
    for (const piece of found) existing.set(piece.hash, piece.lastDay);
  }
  for (const hash of unknown) {
    const lastDay = existing.get(hash);
    if (lastDay === undefined) {
      const piece = pieces.get(hash)!;
      const made = await pieceRow(hash, piece.kind, piece.text, now, options.store ?? null);
      if (!made.r2Key && pieceBytes(made) > MAX_PIECE_BYTES) return { ...result, pieces: [], touched: [] };
      result.pieces.push(made);
    } else if (lastDay < day) result.touched.push(hash);
  }
  result.used = used;

  Object.assign(row, {
    requestFrame: stored.frameHash,
    newMessages: stored.newMessages,
    requestPatch: stored.patch,
    historyTraceId: base && historyLength > 0 ? base.traceId : null,
    historyLength: base && historyLength > 0 ? historyLength : null,
    conversationHash: hashes.at(-1) ?? null,
    conversationLength: hashes.length > 0 ? hashes.length : null,
    requestHeaders: Object.keys(volatile).length > 0 ? volatile : null,
    requestBody: null,
  } satisfies Partial<NewTrace>);
  if (upstreamStored) {
    Object.assign(row, {
      upstreamFrame: upstreamStored.frameHash,
      upstreamNewMessages: upstreamStored.newMessages,
      upstreamPatch: upstreamStored.patch,
      upstreamHistoryLength: upstreamStored.historyLength > 0 && base ? upstreamStored.historyLength : null,
      upstreamConversationHash: upstreamStored.hashes.at(-1) ?? null,
      upstreamConversationLength: upstreamStored.hashes.length > 0 ? upstreamStored.hashes.length : null,
      upstreamRequestBody: null,
    } satisfies Partial<NewTrace>);
  }

  result.conversation = {
    traceId: row.id,
    scope: row.apiKeyName ?? '',
    elements: conversation,
    hashes,
    upstreamElements: upstreamStored?.elements ?? null,
    upstreamHashes: upstreamStored?.hashes ?? null,
    at: row.createdAt.getTime(),
    chars: (row.requestBytes ?? 0) + (row.upstreamRequestBytes ?? 0),
  };
  if (base) result.continued = { traceId: base.traceId, length: base.length };
  return result;
}
/**
 * A trace made to stand on its own, for when the trace it continues is deleted (retention): its
 * whole conversation (and translated conversation) becomes its news. The pieces it names are
 * returned to be stored again, or marked used today, so that collection keeps them.
 */
export async function standAlone(
  messages: readonly unknown[],
  upstream: readonly unknown[] | null,
  now: number,
  store: BodyStore | null,
): Promise<{ columns: Partial<NewTrace>; pieces: NewBodyPiece[] }> {
  const pieces: SplitStored['pieces'] = new Map();
  const texts = messages.map((element) => storedText(element, JSON.stringify(element)));
  const columns: Partial<NewTrace> = { historyTraceId: null, historyLength: null, newMessages: await storeElements(texts, pieces) };
  if (upstream) {
    const shared = shareStrings(
      upstream.map((element) => escapeValue(element)),
      messages,
      0,
    );
    columns.upstreamNewMessages = await storeElements(
      shared.map((element) => JSON.stringify(element)),
      pieces,
    );
    columns.upstreamHistoryLength = null;
  }
  const rows = await Promise.all([...pieces].map(([hash, piece]) => pieceRow(hash, piece.kind, piece.text, now, store)));
  return { columns, pieces: rows };
}
