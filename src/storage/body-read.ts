import { sql } from 'drizzle-orm';
import type { Database } from '../config';
import { errorText } from '../core/errors';
import { log } from '../core/log';
import { answerElement, framePieces, joinBody, type Marker, mayHoldReferences, PIECE_REF, sourceResolver, unescapeValue } from './body-split';
import { readStoredBody } from './bodies';
import { loadPieces, pieceValue } from './pieces';
import { type Trace, traces } from './schema';

/**
 * The read side of body format 1: a trace's request and translated request put back together
 * from its frame, the conversation of the trace it continues (recursively), and what it added.
 */

/**
 * How a trace's bodies are stored, not what they hold: left out of what /api and RPC return,
 * which carry the bodies themselves (Studio shows these columns).
 */
export const STORAGE_COLUMN_NAMES = [
  'bodyFormat',
  'requestFrame',
  'newMessages',
  'requestPatch',
  'historyTraceId',
  'historyLength',
  'conversationHash',
  'conversationLength',
  'upstreamFrame',
  'upstreamNewMessages',
  'upstreamPatch',
  'upstreamHistoryLength',
  'upstreamConversationHash',
  'upstreamConversationLength',
] as const satisfies readonly (keyof Trace)[];

export type StorageColumn = (typeof STORAGE_COLUMN_NAMES)[number];
export const STORAGE_COLUMNS: ReadonlySet<string> = new Set(STORAGE_COLUMN_NAMES);

/** A trace without its storage columns. */
export function withoutStorageColumns<T extends object>(row: T): Omit<T, StorageColumn> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) if (!STORAGE_COLUMNS.has(key)) out[key] = value;
  return out as Omit<T, StorageColumn>;
}

/** What a trace contributes to the conversations built on it. */
export const chainColumns = {
  id: traces.id,
  historyTraceId: traces.historyTraceId,
  historyLength: traces.historyLength,
  newMessages: traces.newMessages,
  upstreamNewMessages: traces.upstreamNewMessages,
  upstreamHistoryLength: traces.upstreamHistoryLength,
  responseBody: traces.responseBody,
  responseBodyTruncated: traces.responseBodyTruncated,
  responseBodyR2Key: traces.responseBodyR2Key,
};
export type ChainRow = { [K in keyof typeof chainColumns]: Trace[K] };

/** The rows of a trace's chain not already at hand: every trace each one continues, back to the first. */
async function loadChain(db: Database, seeds: string[], into: Map<string, ChainRow>): Promise<void> {
  const missing = [...new Set(seeds)].filter((id) => !into.has(id));
  for (let i = 0; i < missing.length; i += 90) {
    const slice = missing.slice(i, i + 90);
    const rows = await db
      .select(chainColumns)
      .from(traces)
      .where(
        sql`${traces.id} IN (WITH RECURSIVE chain(id) AS (SELECT value FROM json_each(${JSON.stringify(slice)}) UNION SELECT t.history_trace_id FROM traces t JOIN chain ON t.id = chain.id WHERE t.history_trace_id IS NOT NULL) SELECT id FROM chain)`,
      );
    for (const row of rows) if (!into.has(row.id)) into.set(row.id, row);
  }
}

const PIECE_IN_JSON = /"\\u0000piece:([A-Za-z0-9_-]{22})"/g;

function piecesIn(text: string | null): string[] {
  if (!text?.includes('\\u0000piece:')) return [];
  return [...text.matchAll(PIECE_IN_JSON)].map((match) => match[1]!);
}

/** A trace's messages as read back (markers out), then with its answer, and its translated messages when read. */
interface Assembled {
  messages: unknown[];
  conversation: unknown[];
  upstream?: unknown[];
}

/**
 * Conversations read lately, by trace: what a trace said never changes, and reading the next turn
 * of a session (or the same one again) then needs only its own row, not its whole history.
 * Arrays of shared values: a session's turns hold the same messages.
 */
const assembled = new Map<string, Assembled & { chars: number }>();
const ASSEMBLED = 256;
/**
 * What the cache may hold, counted as the requests' JSON characters (an over-count: a session's
 * turns share their messages). Parsed values take a few times their text, and an isolate has 128 MB.
 */
const ASSEMBLED_CHARS = 8_000_000;
let assembledChars = 0;

function remember(id: string, entry: Assembled, chars: number): void {
  const old = assembled.get(id);
  if (old) {
    assembled.delete(id);
    assembledChars -= old.chars;
  }
  assembled.set(id, { ...entry, chars });
  assembledChars += chars;
  while (assembled.size > 1 && (assembled.size > ASSEMBLED || assembledChars > ASSEMBLED_CHARS)) {
    const [oldest, gone] = assembled.entries().next().value!;
    assembled.delete(oldest);
    assembledChars -= gone.chars;
  }
}

export function forgetAssembled(): void {
  assembled.clear();
  assembledChars = 0;
}

/** Whether reading this trace needs the rows of its history (what is read lately does not). */
function needsHistory(row: Pick<Trace, 'historyTraceId' | 'upstreamHistoryLength'>): boolean {
  if (!row.historyTraceId) return false;
  const base = assembled.get(row.historyTraceId);
  return !base || (!!row.upstreamHistoryLength && !base.upstream);
}

export class Conversations {
  private readonly messages = new Map<string, unknown[]>();
  private readonly conversations = new Map<string, unknown[]>();
  private readonly upstream = new Map<string, unknown[]>();

  constructor(
    private readonly chain: Map<string, ChainRow>,
    private readonly pieces: Map<string, string>,
    private readonly responses: Map<string, string | null>,
  ) {}

  private decode(text: string | null, resolveSource?: (reference: string) => unknown): unknown[] {
    if (!text) return [];
    const list = JSON.parse(text) as unknown[];
    if (!mayHoldReferences(text)) return list;
    return list.map((element) => {
      let value = element;
      if (typeof value === 'string' && value.startsWith(PIECE_REF)) {
        const hash = value.slice(PIECE_REF.length);
        const piece = this.pieces.get(hash);
        if (piece === undefined) throw new Error(`piece ${hash} is missing`);
        value = pieceValue(hash, piece);
      }
      return unescapeValue(value, resolveSource);
    });
  }

  /** Whether `id`'s messages are known: computed here, or read lately. */
  private known(id: string): boolean {
    if (this.messages.has(id)) return true;
    const cached = assembled.get(id);
    if (!cached) return false;
    this.messages.set(id, cached.messages);
    this.conversations.set(id, cached.conversation);
    if (cached.upstream) this.upstream.set(id, cached.upstream);
    return true;
  }

  /** Walks a chain oldest first without recursion: a session may run to thousands of turns. */
  private ordered(id: string, done: (id: string) => boolean): string[] {
    const order: string[] = [];
    for (let at: string | null = id; at !== null && !done(at); ) {
      order.push(at);
      const row = this.chain.get(at);
      if (!row) throw new Error(`trace ${at} of a conversation is missing`);
      at = row.historyTraceId;
    }
    return order.reverse();
  }

  /** The trace's messages, markers taken out. */
  messagesOf(id: string): unknown[] {
    for (const at of this.ordered(id, (one) => this.known(one))) {
      const row = this.chain.get(at)!;
      const history = row.historyTraceId ? this.conversationOf(row.historyTraceId).slice(0, row.historyLength ?? 0) : [];
      // Shorter than stored: the trace it continues lost part of itself (an answer no longer readable).
      if (history.length !== (row.historyTraceId ? (row.historyLength ?? 0) : 0)) throw new Error(`the history of trace ${at} is incomplete`);
      const messages = [...history, ...this.decode(row.newMessages)];
      const answer = answerElement(this.responses.get(at) ?? null);
      this.messages.set(at, messages);
      this.conversations.set(at, answer ? [...messages, answer] : messages);
    }
    return this.messages.get(id)!;
  }

  /** Its messages, then its answer. */
  conversationOf(id: string): unknown[] {
    this.messagesOf(id);
    return this.conversations.get(id)!;
  }

  /** The translated request's messages, markers taken out. */
  upstreamOf(id: string): unknown[] {
    for (const at of this.ordered(id, (one) => this.upstream.has(one) || (this.known(one) && this.upstream.has(one)))) {
      const row = this.chain.get(at)!;
      const history = row.historyTraceId && row.upstreamHistoryLength ? this.upstreamOf(row.historyTraceId).slice(0, row.upstreamHistoryLength) : [];
      if (history.length !== (row.historyTraceId && row.upstreamHistoryLength ? row.upstreamHistoryLength : 0)) {
        throw new Error(`the translated history of trace ${at} is incomplete`);
      }
      this.upstream.set(at, [...history, ...this.decode(row.upstreamNewMessages, sourceResolver(this.messagesOf(at)))]);
    }
    return this.upstream.get(id)!;
  }

  /** Keeps what was put together for the next read. */
  /** Keeps what was put together for the next read; `chars`: the request's size where known (else the largest known). */
  keep(chars: ReadonlyMap<string, number> = new Map()): void {
    const largest = Math.max(0, ...chars.values());
    for (const [id, messages] of this.messages) {
      remember(id, { messages, conversation: this.conversations.get(id)!, upstream: this.upstream.get(id) }, chars.get(id) ?? largest);
    }
  }
}

/**
 * The conversations of these traces, ready to put back together: every trace they continue
 * (back to the first), the answers (from R2 where they went), and the pieces their messages and
 * the given frames name (with the pieces those frames name).
 */
export async function loadConversations(
  db: Database,
  rows: readonly ChainRow[],
  frames: readonly string[],
  bucket?: R2Bucket,
): Promise<{ conversations: Conversations; pieces: Map<string, string> }> {
  const chain = new Map<string, ChainRow>();
  for (const row of rows) chain.set(row.id, row);
  await loadChain(
    db,
    rows.filter(needsHistory).map((row) => row.historyTraceId!),
    chain,
  );
  const responses = new Map<string, string | null>();
  await Promise.all(
    [...chain.values()].map(async (row) => {
      const text = row.responseBodyTruncated
        ? null
        : (row.responseBody ?? (row.responseBodyR2Key && bucket ? await readStoredBody(bucket, row.responseBodyR2Key) : null));
      responses.set(row.id, text);
    }),
  );
  const inMessages = [...chain.values()].flatMap((row) => [...piecesIn(row.newMessages), ...piecesIn(row.upstreamNewMessages)]);
  const pieces = await loadPieces(db, [...frames, ...inMessages], bucket);
  const named = frames.flatMap((hash) => (pieces.has(hash) ? framePieces((JSON.parse(pieces.get(hash)!) as { body: Record<string, unknown> }).body) : []));
  for (const [hash, text] of await loadPieces(db, named, bucket)) pieces.set(hash, text);
  return { conversations: new Conversations(chain, pieces, responses), pieces };
}

/**
 * Fills in the bodies of traces stored in body format 1 (`requestBody`, `upstreamRequestBody`,
 * and the headers from the frame), in place; traces stored whole are left as they are. A body
 * that cannot be put back (a piece gone) reads as null.
 */
export async function readBodies(db: Database, rows: Trace[], bucket?: R2Bucket): Promise<void> {
  const split = rows.filter((row) => row.requestFrame !== null);
  if (split.length === 0) return;
  const frames = split.flatMap((row) => [row.requestFrame!, ...(row.upstreamFrame ? [row.upstreamFrame] : [])]);
  const { conversations, pieces } = await loadConversations(db, rows, frames, bucket);
  const pieceOf = (hash: string) => {
    const text = pieces.get(hash);
    if (text === undefined) throw new Error(`piece ${hash} is missing`);
    return pieceValue(hash, text);
  };
  for (const row of split) {
    try {
      const frame = JSON.parse(pieces.get(row.requestFrame!) ?? 'null') as { headers?: Record<string, string>; body: Record<string, unknown> } | null;
      if (!frame) throw new Error(`frame ${row.requestFrame} is missing`);
      row.requestHeaders = { ...frame.headers, ...row.requestHeaders };
      row.requestBody = JSON.stringify(joinBody(frame.body, pieceOf, conversations.messagesOf(row.id), (row.requestPatch ?? []) as Marker[]));
      if (row.upstreamFrame) {
        const upstream = JSON.parse(pieces.get(row.upstreamFrame) ?? 'null') as { body: Record<string, unknown> } | null;
        if (!upstream) throw new Error(`frame ${row.upstreamFrame} is missing`);
        row.upstreamRequestBody = JSON.stringify(joinBody(upstream.body, pieceOf, conversations.upstreamOf(row.id), (row.upstreamPatch ?? []) as Marker[]));
      }
    } catch (err) {
      log('error', 'trace_body_unreadable', row.id, { error: errorText(err) });
    }
  }
  conversations.keep(new Map(split.map((row) => [row.id, (row.requestBody?.length ?? 0) + (row.upstreamRequestBody?.length ?? 0)])));
}
