/**
 * How a JSON request body is taken apart for storage, and put back together, deep-equal to what
 * was received (for Claude Code's compact JSON, the very same text).
 *
 * A body is its frame (the top-level object), its pieces (top-level values that repeat from
 * request to request, stored once by hash: the system prompt, the tool list) and its
 * conversation (`messages`, or the Responses API's `input`). Conversation elements are kept
 * without their `cache_control` markers, which move every turn (where they were is the patch), so
 * that one message has one text in every request that resends it.
 *
 * References are strings that start with U+0000: `\u0000piece:<hash>` (a piece),
 * `\u0000conversation` (where the conversation goes in the frame), `\u0000ref:<path>` (a string
 * of the client's request, in a translated one), `\u0000json:<path>` (the JSON text of a value of
 * the client's request: a tool call's arguments). A string of the body's own that starts with
 * U+0000 is stored with one more in front.
 */

export const REF = '\u0000';
export const PIECE_REF = `${REF}piece:`;
const CONVERSATION_REF = `${REF}conversation`;
const STRING_REF = `${REF}ref:`;
const JSON_REF = `${REF}json:`;
/** How a reference or an escaped string shows in JSON text: every one starts with this. */
const REF_IN_JSON = '"\\u0000';

/** Top-level fields stored as pieces, when they are large enough to be worth a row. */
const PIECE_FIELDS = new Set(['system', 'tools', 'instructions']);
/** Fields that hold the conversation, in the formats the proxy speaks. */
const CONVERSATION_FIELDS = ['messages', 'input'];
/** A top-level value shorter than this (as JSON) stays in the frame. */
export const MIN_PIECE_CHARS = 256;
/** Strings of a translated request at least this long are looked for in the client's request. */
export const MIN_SHARED_CHARS = 48;

/** Where a `cache_control` marker was: element, block (-1: the element), inner block (-1: none), key position, value. */
export type Marker = [element: number, block: number, inner: number, position: number, value: unknown];

export interface SplitBody {
  /** The top-level fields in order: kept in the frame, stored as a piece if large enough, or the conversation. */
  fields: Array<{ key: string; value: unknown; role: 'plain' | 'piece' | 'conversation' }>;
  /** The conversation's elements without markers (null: the body has none). */
  elements: unknown[] | null;
  markers: Marker[];
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Takes a request body apart (nothing is serialised here: what is new is, by the caller). */
export function splitBody(body: Json): SplitBody {
  const fields: SplitBody['fields'] = [];
  let elements: unknown[] | null = null;
  let markers: Marker[] = [];
  for (const [key, value] of Object.entries(body)) {
    if (elements === null && CONVERSATION_FIELDS.includes(key) && Array.isArray(value)) {
      ({ elements, markers } = stripMarkers(value));
      fields.push({ key, value: null, role: 'conversation' });
    } else if (PIECE_FIELDS.has(key) && value !== null && (typeof value === 'object' || (typeof value === 'string' && value.length >= MIN_PIECE_CHARS))) {
      fields.push({ key, value, role: 'piece' });
    } else fields.push({ key, value, role: 'plain' });
  }
  return { fields, elements, markers };
}

/** The frame's body: plain fields escaped, pieces by hash (in `pieceHashes`, by field; a small one stays plain), the conversation's place. */
export function frameBody(split: SplitBody, pieceHashes: ReadonlyMap<string, string>): Json {
  const frame: Json = {};
  for (const field of split.fields) {
    const hash = field.role === 'piece' ? pieceHashes.get(field.key) : undefined;
    if (hash !== undefined) setKey(frame, field.key, PIECE_REF + hash);
    else if (field.role === 'conversation') setKey(frame, field.key, CONVERSATION_REF);
    else setKey(frame, field.key, escapeValue(field.value));
  }
  return frame;
}

/** Puts a body back together from its frame, its pieces' values and its conversation (markers restored). */
export function joinBody(frame: Json, pieceValue: (hash: string) => unknown, elements: unknown[] | null, markers: readonly Marker[]): Json {
  const body: Json = {};
  for (const [key, value] of Object.entries(frame)) {
    if (typeof value === 'string' && value.startsWith(PIECE_REF)) setKey(body, key, pieceValue(value.slice(PIECE_REF.length)));
    else if (value === CONVERSATION_REF) setKey(body, key, restoreMarkers(elements ?? [], markers));
    else setKey(body, key, unescapeValue(value));
  }
  return body;
}

/** The hashes of the pieces a frame piece's text names. */
export function namedPieces(frameText: string): string[] {
  return framePieces((JSON.parse(frameText) as { body: Json }).body);
}

/** The hashes of the pieces a frame names. */
export function framePieces(frame: Json): string[] {
  const hashes: string[] = [];
  for (const value of Object.values(frame)) if (typeof value === 'string' && value.startsWith(PIECE_REF)) hashes.push(value.slice(PIECE_REF.length));
  return hashes;
}

/**
 * The message a response adds to its conversation, as the next request resends it: the answer's
 * content, said by the assistant. Null when the response is not a whole Anthropic message.
 */
export function answerElement(responseText: string | null): Json | null {
  if (!responseText) return null;
  try {
    const message = JSON.parse(responseText) as unknown;
    if (!isObject(message) || message.type !== 'message' || !Array.isArray(message.content)) return null;
    return { role: 'assistant', content: message.content };
  } catch {
    return null;
  }
}

/**
 * Sets an own property, `__proto__` included: plain assignment of that key would change the
 * object's prototype instead, and the key would be lost from the body.
 */
function setKey(object: Json, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
  else object[key] = value;
}

// ---- markers

const MARKER = 'cache_control';

/** Copy of `object` without its marker, and where the marker was; the object itself when it has none. */
function without(object: Json): { object: Json; position: number; value: unknown } | null {
  if (!Object.hasOwn(object, MARKER)) return null;
  const keys = Object.keys(object);
  const copy: Json = {};
  for (const key of keys) if (key !== MARKER) setKey(copy, key, object[key]);
  return { object: copy, position: keys.indexOf(MARKER), value: object[MARKER] };
}

/** The elements without `cache_control` on the element, its content blocks and their inner blocks (tool results'). */
export function stripMarkers(list: readonly unknown[]): { elements: unknown[]; markers: Marker[] } {
  const markers: Marker[] = [];
  const elements = list.map((element, e) => {
    if (!isObject(element)) return element;
    let out = element;
    const own = without(out);
    if (own) {
      out = own.object;
      markers.push([e, -1, -1, own.position, own.value]);
    }
    const content = out.content;
    if (!Array.isArray(content)) return out;
    let blocks: unknown[] | null = null;
    content.forEach((block, b) => {
      if (!isObject(block)) return;
      let next = block;
      const stripped = without(next);
      if (stripped) {
        next = stripped.object;
        markers.push([e, b, -1, stripped.position, stripped.value]);
      }
      if (Array.isArray(next.content)) {
        let inner: unknown[] | null = null;
        next.content.forEach((item, i) => {
          const found = isObject(item) ? without(item) : null;
          if (!found) return;
          inner ??= [...(next.content as unknown[])];
          inner[i] = found.object;
          markers.push([e, b, i, found.position, found.value]);
        });
        if (inner) next = { ...next, content: inner };
      }
      if (next !== block) {
        blocks ??= [...content];
        blocks[b] = next;
      }
    });
    return blocks ? { ...out, content: blocks } : out;
  });
  return { elements, markers };
}

/** `object` with `key: value` at `position` among its keys. */
function insertAt(object: Json, position: number, value: unknown): Json {
  const entries = Object.entries(object);
  entries.splice(Math.min(position, entries.length), 0, [MARKER, value]);
  const out: Json = {};
  for (const [key, inner] of entries) setKey(out, key, inner);
  return out;
}

/** The elements with their markers back where they were. Shared elements are copied, never changed. */
export function restoreMarkers(elements: readonly unknown[], markers: readonly Marker[]): unknown[] {
  const out = [...elements];
  for (const [e, b, i, position, value] of markers) {
    const element = out[e] as Json;
    if (b < 0) {
      out[e] = insertAt(element, position, value);
      continue;
    }
    const content = [...(element.content as unknown[])];
    const block = content[b] as Json;
    if (i < 0) content[b] = insertAt(block, position, value);
    else {
      const inner = [...(block.content as unknown[])];
      inner[i] = insertAt(inner[i] as Json, position, value);
      content[b] = { ...block, content: inner };
    }
    out[e] = { ...element, content };
  }
  return out;
}

// ---- escaping: the body's own strings that start with U+0000

function mapStrings(value: unknown, map: (text: string, path: readonly (string | number)[]) => unknown, path: (string | number)[] = []): unknown {
  if (typeof value === 'string') return map(value, path);
  if (Array.isArray(value)) {
    let out: unknown[] | null = null;
    value.forEach((item, i) => {
      path.push(i);
      const next = mapStrings(item, map, path);
      path.pop();
      if (next !== item) {
        out ??= [...value];
        out[i] = next;
      }
    });
    return out ?? value;
  }
  if (isObject(value)) {
    let out: Json | null = null;
    for (const [key, item] of Object.entries(value)) {
      path.push(key);
      const next = mapStrings(item, map, path);
      path.pop();
      if (next !== item) {
        out ??= { ...value };
        setKey(out, key, next);
      }
    }
    return out ?? value;
  }
  return value;
}

/** A value as stored: its strings that start with U+0000 get one more. */
export function escapeValue(value: unknown): unknown {
  if (typeof value === 'string') return value.startsWith(REF) ? REF + value : value;
  if (value === null || typeof value !== 'object') return value;
  if (!JSON.stringify(value).includes(REF_IN_JSON)) return value;
  return mapStrings(value, (text) => (text.startsWith(REF) ? REF + text : text));
}

/** An element's stored JSON text: its text as matched, unless it holds strings to escape. */
export function storedText(element: unknown, text: string): string {
  return text.includes(REF_IN_JSON) ? JSON.stringify(escapeValue(element)) : text;
}

/**
 * A stored value read back: escaped strings unescaped, references resolved (`resolve` gets the
 * reference without its U+0000 and returns the value it stands for).
 */
export function unescapeValue(value: unknown, resolve?: (reference: string) => unknown, text?: string): unknown {
  if (typeof value === 'string') return unescapeString(value, resolve);
  if (value === null || typeof value !== 'object') return value;
  // Most values hold neither: the native serialiser says so faster than a walk (and a walk would recurse as deep as the value).
  if (!(text ?? JSON.stringify(value)).includes(REF_IN_JSON)) return value;
  return mapStrings(value, (inner) => unescapeString(inner, resolve));
}

function unescapeString(text: string, resolve?: (reference: string) => unknown): unknown {
  if (!text.startsWith(REF)) return text;
  if (text.startsWith(REF, 1)) return text.slice(1);
  if (!resolve) throw new Error(`stored body holds a reference it cannot resolve: ${JSON.stringify(text.slice(0, 80))}`);
  return resolve(text.slice(1));
}

/** Whether stored JSON text may hold references or escapes (else it reads back as it parses). */
export function mayHoldReferences(text: string): boolean {
  return text.includes(REF_IN_JSON);
}

// ---- a translated request's strings, found in the client's request

/** Value at `path` inside `root`. */
function at(root: unknown, path: readonly (string | number)[]): unknown {
  let value = root;
  for (const step of path) value = (value as Record<string | number, unknown>)?.[step];
  return value;
}

/**
 * Long strings of a translated request's new elements that the client's request holds too (a
 * tool result, a file), and tool-call arguments that are the JSON text of a client's tool input,
 * replaced by where they are in the client's conversation (`source`, from element `from` on).
 * Elements must already be escaped.
 */
export function shareStrings(elements: readonly unknown[], source: readonly unknown[], from: number): unknown[] {
  const strings = new Map<string, string>();
  const jsonTexts = new Map<string, string>();
  for (let e = Math.max(0, from); e < source.length; e++) {
    mapStrings(source[e], (text, path) => {
      if (text.length >= MIN_SHARED_CHARS && !strings.has(text)) strings.set(text, JSON.stringify([e, ...path]));
      return text;
    });
    collectInputs(source[e], [e], jsonTexts);
  }
  if (strings.size === 0 && jsonTexts.size === 0) return [...elements];
  return elements.map((element) =>
    mapStrings(element, (text) => {
      // A string starting with U+0000 here is escaped (one more U+0000): it would match the wrong one of the source's.
      if (text.length < MIN_SHARED_CHARS || text.charCodeAt(0) === 0) return text;
      const path = strings.get(text);
      if (path) return STRING_REF + path;
      const jsonPath = jsonTexts.get(text);
      return jsonPath ? JSON_REF + jsonPath : text;
    }),
  );
}

/** Tool inputs (`input` objects of content blocks) by their JSON text. */
function collectInputs(element: unknown, path: (string | number)[], into: Map<string, string>): void {
  const content = isObject(element) ? element.content : null;
  if (!Array.isArray(content)) return;
  content.forEach((block, b) => {
    if (!isObject(block) || !isObject(block.input)) return;
    const text = JSON.stringify(block.input);
    if (text.length >= MIN_SHARED_CHARS && !into.has(text)) into.set(text, JSON.stringify([...path, 'content', b, 'input']));
  });
}

/** Resolves a translated request's references into the client's conversation. */
export function sourceResolver(source: readonly unknown[]): (reference: string) => unknown {
  return (reference) => {
    if (reference.startsWith('ref:')) return at(source, JSON.parse(reference.slice(4)) as (string | number)[]);
    if (reference.startsWith('json:')) return JSON.stringify(at(source, JSON.parse(reference.slice(5)) as (string | number)[]));
    throw new Error(`unknown reference in a stored body: ${reference.slice(0, 40)}`);
  };
}
