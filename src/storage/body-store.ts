import { and, desc, eq, inArray, isNotNull, isNull } from 'drizzle-orm';
import type { BodyStore, Database } from '../config';
import { answerElement, escapeValue, frameBody, PIECE_REF, type SplitBody, shareStrings, splitBody, storedText } from './body-split';
import { commonPrefix, findConversation, type StoredConversation } from './conversations';
import { cachedPieceHash, knownStored, MAX_PIECE_BYTES, pieceBytes, pieceHash, pieceRow, utcDay } from './pieces';
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
  /** The trace's conversation, to build the next turn on once the row is written. */
  conversation: StoredConversation | null;
}

/** Chained hashes of a list of texts: entry i names the first i + 1 (what conversation_hash holds). */
async function chainHashes(texts: readonly string[], from: readonly string[] = []): Promise<string[]> {
  const hashes = [...from];
  for (let i = hashes.length; i < texts.length; i++) hashes.push(await pieceHash(`${hashes[i - 1] ?? ''}\n${texts[i]}`));
  return hashes;
}

interface Base {
  traceId: string;
  length: number;
  hashes: readonly string[];
  /** The base's translated messages, when this isolate remembers them… */
  upstreamTexts: readonly string[] | null;
  upstreamHashes: readonly string[];
  /** …else the hash and length D1 holds of them. */
  upstreamHash?: string | null;
  upstreamLength?: number | null;
}

/** The conversation this trace continues: from this isolate's memory, else from the session's latest traces in D1. */
async function findBase(db: Database, row: NewTrace, texts: readonly string[], standalone: boolean): Promise<Base | null> {
  if (standalone || texts.length === 0) return null;
  const scope = row.apiKeyName ?? '';
  const found = findConversation(scope, texts, row.createdAt.getTime());
  if (found && found.length > 0) {
    const { conversation, length } = found;
    return {
      traceId: conversation.traceId,
      length,
      hashes: conversation.hashes.slice(0, length),
      upstreamTexts: conversation.upstreamTexts,
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
        row.apiKeyName === null || row.apiKeyName === undefined ? isNull(traces.apiKeyName) : eq(traces.apiKeyName, row.apiKeyName),
        isNotNull(traces.conversationHash),
      ),
    )
    .orderBy(desc(traces.id))
    .limit(16);
  const usable = candidates.filter((c) => c.length !== null && c.length > 0 && c.length <= texts.length).sort((a, b) => b.length! - a.length!);
  if (usable.length === 0) return null;
  const hashes = await chainHashes(texts.slice(0, usable[0]!.length!));
  for (const candidate of usable) {
    if (hashes[candidate.length! - 1] !== candidate.hash) continue;
    return {
      traceId: candidate.id,
      length: candidate.length!,
      hashes: hashes.slice(0, candidate.length!),
      upstreamTexts: null,
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
  texts: string[];
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

/** Splits one body: frame (with the given extra frame fields), pieces, and the elements after `historyLength`. */
async function storeSplit(
  split: SplitBody,
  extra: Record<string, unknown>,
  historyLength: number,
  hashesFrom: readonly string[],
  shareWith: { source: readonly unknown[]; from: number } | null,
): Promise<SplitStored> {
  const pieces: SplitStored['pieces'] = new Map();
  const fieldHashes = new Map<string, string>();
  for (const field of split.fields) {
    if (!('piece' in field)) continue;
    const hash = await cachedPieceHash(field.piece);
    fieldHashes.set(field.key, hash);
    pieces.set(hash, { kind: field.key, text: field.piece });
  }
  const frameText = JSON.stringify({ ...extra, body: frameBody(split, fieldHashes) });
  const frameHash = await cachedPieceHash(frameText);
  pieces.set(frameHash, { kind: 'frame', text: frameText });
  const elements = split.elements ?? [];
  const fresh = elements.slice(historyLength);
  // Stored texts: the matched text, unless the element holds strings to escape.
  let freshTexts = fresh.map((element, i) => storedText(element, split.texts[historyLength + i]!));
  if (shareWith && fresh.length > 0) {
    const escaped = fresh.map((element, i) => (freshTexts[i] === split.texts[historyLength + i] ? element : escapeValue(element)));
    const shared = shareStrings(escaped, shareWith.source, shareWith.from);
    freshTexts = shared.map((element, i) => (element === escaped[i] ? freshTexts[i]! : JSON.stringify(element)));
  }
  const newMessages = await storeElements(freshTexts, pieces);
  return {
    frameHash,
    pieces,
    newMessages,
    patch: split.markers.length > 0 ? split.markers : null,
    texts: split.texts,
    hashes: await chainHashes(split.texts.slice(0, Math.max(historyLength, 0)), hashesFrom),
    historyLength,
    elements,
  };
}

/**
 * Stores the row's request and translated request in body format 1, in place: the whole bodies
 * leave the row, the frame, history and news take their place. A body that is not a JSON object,
 * was cut, or nests too deep to serialise stays whole (and the row keeps body format 1: nothing
 * to convert). `answer` is the response as stored, whole (null if cut or absent).
 */
export async function storeBodies(
  db: Database,
  row: NewTrace,
  answerText: string | null,
  options: { standalone?: boolean; now?: number; store?: BodyStore | null } = {},
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

async function split(
  db: Database,
  row: NewTrace,
  answerText: string | null,
  options: { standalone?: boolean; now: number; store?: BodyStore | null },
  result: StoredBodies,
): Promise<StoredBodies> {
  const { now } = options;
  const { day } = result;
  const request = row.requestBodyTruncated ? null : parseObject(row.requestBody);
  if (!request) return result;
  const split = splitBody(request);
  const upstream = row.upstreamRequestBodyTruncated ? null : parseObject(row.upstreamRequestBody);
  const upstreamSplit = upstream ? splitBody(upstream) : null;

  const base = await findBase(db, row, split.texts, options.standalone ?? false);
  const historyLength = base?.length ?? 0;
  const headers = row.requestHeaders ?? {};
  const stable: Record<string, string> = {};
  const volatile: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) (VOLATILE_HEADERS.has(name) ? volatile : stable)[name] = value;
  const stored = await storeSplit(split, { headers: stable }, historyLength, base?.hashes ?? [], null);

  // The translated request continues the same trace's translated request, as far as they agree.
  let upstreamStored: SplitStored | null = null;
  if (upstreamSplit) {
    const upTexts = upstreamSplit.texts;
    let upstreamLength = 0;
    let upstreamHashes: readonly string[] = [];
    if (base?.upstreamTexts) {
      upstreamLength = commonPrefix(base.upstreamTexts, upTexts);
      upstreamHashes = base.upstreamHashes.slice(0, upstreamLength);
    } else if (base?.upstreamHash && base.upstreamLength) {
      const hashes = await chainHashes(upTexts.slice(0, base.upstreamLength));
      if (hashes.length === base.upstreamLength && hashes.at(-1) === base.upstreamHash) {
        upstreamLength = base.upstreamLength;
        upstreamHashes = hashes;
      }
    }
    upstreamStored = await storeSplit(upstreamSplit, {}, upstreamLength, upstreamHashes, { source: stored.elements, from: historyLength - 2 });
  }

  // This trace's conversation: its messages, then its answer, as the next turn will resend them.
  const answer = answerElement(answerText);
  const conversationTexts = answer === null ? stored.texts : [...stored.texts, JSON.stringify(answer)];
  const hashes = await chainHashes(conversationTexts, stored.hashes);
  const upstreamHashes = upstreamStored ? await chainHashes(upstreamStored.texts, upstreamStored.hashes) : null;

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
      upstreamConversationHash: upstreamHashes!.at(-1) ?? null,
      upstreamConversationLength: upstreamHashes!.length > 0 ? upstreamHashes!.length : null,
      upstreamRequestBody: null,
    } satisfies Partial<NewTrace>);
  }

  result.conversation = {
    traceId: row.id,
    scope: row.apiKeyName ?? '',
    texts: conversationTexts,
    hashes,
    upstreamTexts: upstreamStored?.texts ?? null,
    upstreamHashes,
    at: row.createdAt.getTime(),
  };
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
