import { sameJson } from '../core/json';

/**
 * The conversations this isolate stored lately, so the next turn of one can be stored as "that
 * trace's conversation, then these messages". A conversation is a trace's messages (markers
 * taken out) followed by its answer; the next request of a Claude Code session begins with
 * exactly those. They are compared as values, not as text: comparing is cheaper than
 * serialising, and only what is new gets serialised.
 */
export interface StoredConversation {
  traceId: string;
  /** Who may build on it: the proxy key's name ('' for none). */
  scope: string;
  elements: readonly unknown[];
  /** Chained hashes: entry i names the first i + 1 elements' texts (what the trace's conversation_hash holds). */
  hashes: readonly string[];
  /** The translated request's messages, when the trace had one, and their chained hashes. */
  upstreamElements: readonly unknown[] | null;
  upstreamHashes: readonly string[] | null;
  at: number;
  /** About how much memory it holds, in characters of JSON. */
  chars: number;
}

/** Most recently stored last. */
let stored: StoredConversation[] = [];
let heldChars = 0;
/**
 * What the cache may hold, in characters of the requests' JSON: parsed values take a few times
 * their text in memory, and an isolate has 128 MB. Sixteen Claude Code sessions of 250 KB fit;
 * past that, a turn finds its history in D1 instead (one query, and hashing its messages).
 */
const MAX_HELD_CHARS = 4_000_000;
const MAX_CONVERSATIONS = 64;
/** A trace older than this is not built on: retention may have deleted it. */
export const MAX_AGE_MS = 6 * 3_600_000;

/** The number of leading elements two lists share. */
export function commonPrefix(a: readonly unknown[], b: readonly unknown[]): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && sameJson(a[i], b[i])) i++;
  return i;
}

/** The stored conversation that begins the most of `elements`, and how much of it does. */
export function findConversation(scope: string, elements: readonly unknown[], now: number): { conversation: StoredConversation; length: number } | null {
  if (elements.length === 0) return null;
  let best: { conversation: StoredConversation; length: number } | null = null;
  for (let i = stored.length - 1; i >= 0; i--) {
    const conversation = stored[i]!;
    // One that cannot begin more of it than the best so far is not compared at all.
    if (best && Math.min(conversation.elements.length, elements.length) <= best.length) continue;
    if (conversation.scope !== scope || now - conversation.at > MAX_AGE_MS || !sameJson(conversation.elements[0], elements[0])) continue;
    const length = commonPrefix(conversation.elements, elements);
    if (!best || length > best.length) best = { conversation, length };
    // Newest first: a retry, or a session's latest turn, ends the search at once.
    if (length === elements.length) break;
  }
  return best;
}

/**
 * Remembers a stored trace's conversation. The one it continued, when it continued all of it, is
 * forgotten: this one holds everything it did. The oldest go first when the cache is full.
 */
export function rememberConversation(conversation: StoredConversation, continued?: { traceId: string; length: number }): void {
  if (conversation.elements.length === 0) return;
  if (continued) {
    const index = stored.findIndex((one) => one.traceId === continued.traceId && one.elements.length === continued.length);
    if (index >= 0) heldChars -= stored.splice(index, 1)[0]!.chars;
  }
  stored.push(conversation);
  heldChars += conversation.chars;
  while (stored.length > 1 && (heldChars > MAX_HELD_CHARS || stored.length > MAX_CONVERSATIONS)) heldChars -= stored.shift()!.chars;
}

export function forgetConversations(): void {
  stored = [];
  heldChars = 0;
}
