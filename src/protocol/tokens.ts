import type { ContentBlock, MessagesRequest, OtherBlock } from './types';

/**
 * Token estimates without a tokenizer (a BPE vocabulary would outweigh the whole worker).
 * Text is split into runs of letters, digits, punctuation and whitespace, each priced from
 * measurements against OpenAI's o200k_base tokenizer: a word of up to 9 letters is one token,
 * longer words one per 8 letters; digits one per 3; punctuation one per 4 characters; a line
 * break half a token; CJK scripts about 0.7 tokens a character. On English prose and source
 * code this lands within about 10% of o200k_base (test/protocol/tokens.test.ts).
 *
 * The runs are those of the regular expression
 *   (\p{Script=Han}+|\p{Script=Hiragana}+|\p{Script=Katakana}+|\p{Script=Hangul}+)|(\p{L}+)|(\p{N}+)|([^\s\p{L}\p{N}]+)|(\s+)
 * with lengths in UTF-16 units, found by one pass over the text's UTF-8 bytes instead (about 10×
 * faster: routing may estimate every request), which the tests hold to the same count.
 */
export function estimateTokens(text: string): number {
  state.fill(0);
  state[RUN_VALUE] = 0xff; // no run yet: the first code point starts one
  for (let read = 0; read < text.length; ) {
    const { read: units = 0, written } = encoder.encodeInto(read === 0 ? text : text.slice(read), scratch);
    // One byte per unit: all ASCII, the common case, which has a loop of its own.
    if (written === units) scanAscii(scratch, written);
    else scanUtf8(scratch, written);
    read += units;
  }
  const last = state[POSITION]! > 0 ? runTokens(state[FIRST]!, state[POSITION]! - state[START]!, state[LINE_BREAK] !== 0) : 0;
  return Math.ceil(state[TOKENS]! + last);
}

// What a code point is, as bits: its CJK script (1–4, in the low bits), letter, number, white space.
const SCRIPT = 0b111;
const LETTER = 0b1000;
const NUMBER = 0b1_0000;
const SPACE = 0b10_0000;
const KNOWN = 0b1000_0000;
const SCRIPTS = [/\p{Script=Han}/u, /\p{Script=Hiragana}/u, /\p{Script=Katakana}/u, /\p{Script=Hangul}/u];
const IS_LETTER = /\p{L}/u;
const IS_NUMBER = /\p{N}/u;
const IS_SPACE = /\s/u;

function classify(codePoint: number): number {
  const char = String.fromCodePoint(codePoint);
  let bits: number = KNOWN;
  const script = SCRIPTS.findIndex((pattern) => pattern.test(char));
  if (script >= 0) bits |= script + 1;
  if (IS_LETTER.test(char)) bits |= LETTER;
  else if (IS_NUMBER.test(char)) bits |= NUMBER;
  else if (IS_SPACE.test(char)) bits |= SPACE;
  return bits;
}

/** The bits of every BMP code point, filled in as they are first seen (ASCII up front). */
const BMP = new Uint8Array(0x10000);
for (let code = 0; code < 0x80; code++) BMP[code] = classify(code);

/**
 * Which code points continue a run begun by one with these bits: those whose bits under MASK
 * equal VALUE. A CJK run takes its own script only; a word takes any letter (CJK ones too);
 * digits, white space; and everything else takes what is none of those.
 */
const MASK = new Uint8Array(0x100);
const VALUE = new Uint8Array(0x100);
for (let bits: number = KNOWN; bits < 0x100; bits++) {
  const script = bits & SCRIPT;
  [MASK[bits], VALUE[bits]] = script
    ? [SCRIPT, script]
    : bits & LETTER
      ? [LETTER, LETTER]
      : bits & NUMBER
        ? [NUMBER, NUMBER]
        : bits & SPACE
          ? [SPACE, SPACE]
          : [LETTER | NUMBER | SPACE, 0];
}

const encoder = new TextEncoder();
/** Text is scanned through this, 16 KB of UTF-8 at a time. */
const scratch = new Uint8Array(16 * 1024);

/** What a run costs in tokens, from the bits of its first code point. */
function runTokens(first: number, length: number, lineBreak: boolean): number {
  if (first & SCRIPT) return length * 0.7;
  if (first & LETTER) return length <= 9 ? 1 : Math.ceil(length / 8);
  if (first & NUMBER) return Math.ceil(length / 3);
  if (first & SPACE) return lineBreak ? 0.5 : length > 1 ? Math.ceil((length - 1) / 8) : 0;
  return Math.ceil(length / 4);
}

/**
 * The scan between pieces of a text, in a typed array so that the loops read it back as plain
 * numbers: tokens so far; the current run's start (in UTF-16 units), its first code point's bits
 * and whether it holds a line break; which code points continue it (MASK, VALUE); the position.
 */
const state = new Float64Array(7);
const [TOKENS, START, FIRST, LINE_BREAK, RUN_MASK, RUN_VALUE, POSITION] = [0, 1, 2, 3, 4, 5, 6];

function save(tokens: number, start: number, first: number, lineBreak: boolean, mask: number, value: number, at: number): void {
  state[TOKENS] = tokens;
  state[START] = start;
  state[FIRST] = first;
  state[LINE_BREAK] = lineBreak ? 1 : 0;
  state[RUN_MASK] = mask;
  state[RUN_VALUE] = value;
  state[POSITION] = at;
}

/** ASCII bytes: one unit each, every one in the table. */
function scanAscii(bytes: Uint8Array, length: number): void {
  // Tables and state in locals, typed (`| 0`): the loop then runs on plain integers.
  const bmp = BMP;
  const masks = MASK;
  const values = VALUE;
  let tokens = state[TOKENS]!;
  let start = state[START]! | 0;
  let first = state[FIRST]! | 0;
  let lineBreak = state[LINE_BREAK] !== 0;
  let mask = state[RUN_MASK]! | 0;
  let value = state[RUN_VALUE]! | 0;
  const base = state[POSITION]! | 0;
  for (let i = 0; i < length; i++) {
    const byte = bytes[i]!;
    const bits = bmp[byte]!;
    if ((bits & mask) !== value) {
      if (base + i > 0) tokens += runTokens(first, base + i - start, lineBreak);
      start = base + i;
      first = bits;
      lineBreak = false;
      mask = masks[bits]!;
      value = values[bits]!;
    }
    lineBreak ||= byte === 10;
  }
  save(tokens, start, first, lineBreak, mask, value, base + length);
}

/**
 * Any UTF-8: each code point decoded, classified (and remembered), and counted in UTF-16 units.
 * A loop apart from scanAscii's (with the same state in the same locals): one loop doing both
 * runs the ASCII case about half as fast.
 */
function scanUtf8(bytes: Uint8Array, length: number): void {
  const bmp = BMP;
  let tokens = state[TOKENS]!;
  let start = state[START]! | 0;
  let first = state[FIRST]! | 0;
  let lineBreak = state[LINE_BREAK] !== 0;
  let mask = state[RUN_MASK]! | 0;
  let value = state[RUN_VALUE]! | 0;
  let at = state[POSITION]! | 0;
  for (let i = 0; i < length; ) {
    const byte = bytes[i]!;
    let bits: number;
    let width = 1;
    if (byte < 0x80) {
      bits = bmp[byte]!;
      i++;
    } else {
      let codePoint: number;
      if (byte < 0xe0) {
        codePoint = ((byte & 0x1f) << 6) | (bytes[i + 1]! & 0x3f);
        i += 2;
      } else if (byte < 0xf0) {
        codePoint = ((byte & 0x0f) << 12) | ((bytes[i + 1]! & 0x3f) << 6) | (bytes[i + 2]! & 0x3f);
        i += 3;
      } else {
        codePoint = ((byte & 0x07) << 18) | ((bytes[i + 1]! & 0x3f) << 12) | ((bytes[i + 2]! & 0x3f) << 6) | (bytes[i + 3]! & 0x3f);
        i += 4;
        width = 2;
      }
      bits = codePoint < 0x10000 ? bmp[codePoint]! : 0;
      if (bits === 0) {
        bits = classify(codePoint);
        if (codePoint < 0x10000) bmp[codePoint] = bits;
      }
    }
    if ((bits & mask) !== value) {
      if (at > 0) tokens += runTokens(first, at - start, lineBreak);
      start = at;
      first = bits;
      lineBreak = false;
      mask = MASK[bits]!;
      value = VALUE[bits]!;
    }
    lineBreak ||= byte === 10;
    at += width;
  }
  save(tokens, start, first, lineBreak, mask, value, at);
}

/** Images cost by size, which needs decoding; this is the typical cost of a screenshot-sized image. */
const IMAGE_TOKENS = 1600;
/** Per message: role and separators. */
const MESSAGE_OVERHEAD = 4;

/** Estimated input tokens of a Messages request: system, messages, tool definitions. */
export function estimateRequestTokens(request: Pick<MessagesRequest, 'system' | 'messages' | 'tools'>): number {
  let tokens = 0;
  if (typeof request.system === 'string') tokens += estimateTokens(request.system);
  else if (Array.isArray(request.system)) for (const block of request.system) tokens += blockTokens(block);
  // Routing may estimate a body before it is validated: anything not a list counts nothing.
  for (const message of Array.isArray(request.messages) ? request.messages : []) {
    tokens += MESSAGE_OVERHEAD;
    if (typeof message?.content === 'string') tokens += estimateTokens(message.content);
    else if (Array.isArray(message?.content)) for (const block of message.content) tokens += blockTokens(block);
  }
  for (const tool of Array.isArray(request.tools) ? request.tools : []) tokens += estimateTokens(JSON.stringify(tool) ?? '') + MESSAGE_OVERHEAD;
  return tokens;
}

function blockTokens(block: ContentBlock | OtherBlock): number {
  if (!block || typeof block !== 'object') return 0;
  switch (block.type) {
    case 'text':
      return estimateTokens(String((block as { text?: unknown }).text ?? ''));
    case 'thinking':
      return estimateTokens(String((block as { thinking?: unknown }).thinking ?? ''));
    case 'image':
      return IMAGE_TOKENS;
    case 'tool_use':
      return estimateTokens(`${String((block as { name?: unknown }).name ?? '')} ${JSON.stringify((block as { input?: unknown }).input ?? {})}`);
    case 'tool_result': {
      const content = (block as { content?: unknown }).content;
      if (typeof content === 'string') return estimateTokens(content) + MESSAGE_OVERHEAD;
      if (Array.isArray(content)) return content.reduce((sum: number, inner) => sum + blockTokens(inner), MESSAGE_OVERHEAD);
      return MESSAGE_OVERHEAD;
    }
    case 'document': {
      const source = (block as { source?: { type?: string; data?: unknown; content?: unknown } }).source;
      if (source?.type === 'text') return estimateTokens(String(source.data ?? ''));
      // PDFs: roughly one token per 12 bytes of file (text plus page images).
      if (source?.type === 'base64') return Math.ceil((String(source.data ?? '').length * 0.75) / 12);
      return IMAGE_TOKENS;
    }
    default:
      return estimateTokens(JSON.stringify(block));
  }
}
