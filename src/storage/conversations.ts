/**
 * The conversations this isolate stored lately, so the next turn of one can be stored as "that
 * trace's conversation, then these messages". A conversation is a trace's messages (markers
 * taken out) followed by its answer, each as JSON text; the next request of a Claude Code session
 * begins with exactly those texts.
 */
export interface StoredConversation {
  traceId: string;
  /** Who may build on it: the proxy key's name ('' for none). */
  scope: string;
  texts: readonly string[];
  /** Chained hashes of the texts: entry i names the first i + 1 (what the trace's conversation_hash holds). */
  hashes: readonly string[];
  /** The translated request's messages, when the trace had one, and their chained hashes. */
  upstreamTexts: readonly string[] | null;
  upstreamHashes: readonly string[] | null;
  at: number;
}

/** Conversations by their first message's text: where a lookup starts. */
const byFirst = new Map<string, StoredConversation[]>();
let heldChars = 0;
/** What the cache may hold, in characters of message text (strings are shared with nothing else). */
const MAX_HELD_CHARS = 8_000_000;
/** Conversations kept per first message: a session's main line, its forks and retries. */
const PER_FIRST = 6;
/** A trace older than this is not built on: retention may have deleted it. */
export const MAX_AGE_MS = 6 * 3_600_000;

const charsOf = (conversation: StoredConversation) =>
  conversation.texts.reduce((n, text) => n + text.length, 0) + (conversation.upstreamTexts?.reduce((n, text) => n + text.length, 0) ?? 0);

/** The number of leading texts two lists share. */
export function commonPrefix(a: readonly string[], b: readonly string[]): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

/** The stored conversation that begins the most of `texts`, and how much of it does. */
export function findConversation(scope: string, texts: readonly string[], now: number): { conversation: StoredConversation; length: number } | null {
  if (texts.length === 0) return null;
  const candidates = byFirst.get(texts[0]!);
  if (!candidates) return null;
  let best: { conversation: StoredConversation; length: number } | null = null;
  for (const conversation of candidates) {
    if (conversation.scope !== scope || now - conversation.at > MAX_AGE_MS) continue;
    const length = commonPrefix(conversation.texts, texts);
    if (!best || length > best.length || (length === best.length && conversation.at > best.conversation.at)) best = { conversation, length };
  }
  return best;
}

/** Remembers a stored trace's conversation; the oldest go first when the cache is full. */
export function rememberConversation(conversation: StoredConversation): void {
  if (conversation.texts.length === 0) return;
  const first = conversation.texts[0]!;
  const list = byFirst.get(first) ?? [];
  list.push(conversation);
  heldChars += charsOf(conversation);
  while (list.length > PER_FIRST) heldChars -= charsOf(list.shift()!);
  byFirst.delete(first);
  byFirst.set(first, list);
  // Maps iterate in insertion order: the first key is the one least recently stored to.
  while (heldChars > MAX_HELD_CHARS && byFirst.size > 1) {
    const [oldest, dropped] = byFirst.entries().next().value!;
    byFirst.delete(oldest);
    for (const gone of dropped) heldChars -= charsOf(gone);
  }
}

export function forgetConversations(): void {
  byFirst.clear();
  heldChars = 0;
}
