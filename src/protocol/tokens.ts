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
  // Module constants in locals: a bundler turns them into `var`s, looked up on every byte otherwise.
  const [bytes, asciiKind, kindOf, goesOnMask, goesOnValue] = [scratch, ASCII_KIND, KIND_OF, GOES_ON_MASK, GOES_ON_VALUE];
  let tokens = 0;
  // The current run: its kind, where it began (in UTF-16 units), whether it holds a line break.
  let kind = NONE;
  let start = 0;
  let lineBreak = false;
  let at = 0;
  for (let read = 0; read < text.length; ) {
    const { read: units = 0, written } = encoder.encodeInto(read === 0 ? text : text.slice(read), bytes);
    read += units;
    if (written === units) {
      // All ASCII (one byte per unit), the common case: a run goes on while the kind stays.
      const base = at;
      for (let i = 0; i < written; i++) {
        const byte = bytes[i]!;
        const next = asciiKind[byte]!;
        if (next !== kind) {
          if (base + i > 0) tokens += runTokens(kind, base + i - start, lineBreak);
          kind = next;
          start = base + i;
          lineBreak = false;
        }
        lineBreak ||= byte === 10;
      }
      at = base + written;
      continue;
    }
    for (let i = 0; i < written; ) {
      const byte = bytes[i]!;
      if (byte < 0x80) {
        // ASCII among the rest: as above.
        const next = asciiKind[byte]!;
        if (next !== kind) {
          if (at > 0) tokens += runTokens(kind, at - start, lineBreak);
          kind = next;
          start = at;
          lineBreak = false;
        }
        lineBreak ||= byte === 10;
        i++;
        at++;
        continue;
      }
      let codePoint: number;
      let width = 1;
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
      const bits = bitsOf(codePoint);
      if ((bits & goesOnMask[kind]!) !== goesOnValue[kind]) {
        if (at > 0) tokens += runTokens(kind, at - start, lineBreak);
        kind = kindOf[bits]!;
        start = at;
        lineBreak = false;
      }
      at += width;
    }
  }
  if (at > 0) tokens += runTokens(kind, at - start, lineBreak);
  return Math.ceil(tokens);
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
  let bits = KNOWN;
  const script = SCRIPTS.findIndex((pattern) => pattern.test(char));
  if (script >= 0) bits |= script + 1;
  if (IS_LETTER.test(char)) bits |= LETTER;
  else if (IS_NUMBER.test(char)) bits |= NUMBER;
  else if (IS_SPACE.test(char)) bits |= SPACE;
  return bits;
}

/** The bits of every BMP code point, filled in as they are first seen. */
const BMP = new Uint8Array(0x10000);

function bitsOf(codePoint: number): number {
  if (codePoint >= 0x10000) return classify(codePoint);
  let bits = BMP[codePoint]!;
  if (bits === 0) {
    bits = classify(codePoint);
    BMP[codePoint] = bits;
  }
  return bits;
}

// Kinds of run: the CJK scripts (1–4, as in the bits), words, digits, white space, the rest.
const NONE = 0;
const WORD = 5;
const DIGITS = 6;
const SPACES = 7;
const OTHER = 8;

/** The kind of run a code point with these bits begins. */
const KIND_OF = new Uint8Array(0x100);
/**
 * Which code points continue a run of each kind: those whose bits under GOES_ON_MASK equal
 * GOES_ON_VALUE. A CJK run takes its own script only; a word takes any letter (CJK ones too);
 * digits, white space; the rest takes what is none of those. No run yet: nothing continues it.
 */
const GOES_ON_MASK = new Uint8Array(9);
const GOES_ON_VALUE = new Uint8Array(9).fill(0xff);
for (let bits = KNOWN; bits < 0x100; bits++) {
  KIND_OF[bits] = bits & SCRIPT || (bits & LETTER ? WORD : bits & NUMBER ? DIGITS : bits & SPACE ? SPACES : OTHER);
}
for (let script = 1; script <= 4; script++) [GOES_ON_MASK[script], GOES_ON_VALUE[script]] = [SCRIPT, script];
[GOES_ON_MASK[WORD], GOES_ON_VALUE[WORD]] = [LETTER, LETTER];
[GOES_ON_MASK[DIGITS], GOES_ON_VALUE[DIGITS]] = [NUMBER, NUMBER];
[GOES_ON_MASK[SPACES], GOES_ON_VALUE[SPACES]] = [SPACE, SPACE];
[GOES_ON_MASK[OTHER], GOES_ON_VALUE[OTHER]] = [LETTER | NUMBER | SPACE, 0];

/** The kind of run each ASCII byte begins: in ASCII, a run goes on exactly while the kind stays. */
const ASCII_KIND = new Uint8Array(0x80);
for (let code = 0; code < 0x80; code++) ASCII_KIND[code] = KIND_OF[bitsOf(code)]!;

const encoder = new TextEncoder();
/** Text is scanned through this, 16 KB of UTF-8 at a time. */
const scratch = new Uint8Array(16 * 1024);

/** What a run costs in tokens. */
function runTokens(kind: number, length: number, lineBreak: boolean): number {
  switch (kind) {
    case WORD:
      return length <= 9 ? 1 : Math.ceil(length / 8);
    case SPACES:
      return lineBreak ? 0.5 : length > 1 ? Math.ceil((length - 1) / 8) : 0;
    case OTHER:
      return Math.ceil(length / 4);
    case DIGITS:
      return Math.ceil(length / 3);
    default:
      return length * 0.7;
  }
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
