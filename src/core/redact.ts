import { bytesToBase64 } from './bytes';

export const REDACTED = '[redacted]';

/** Header names whose values are credentials: auth, cookies, and anything naming a key, token or secret. */
const SECRET_HEADER = /authorization|cookie|key|token|secret|password|passwd|credential|signature|session-token/i;

/** Request headers as a plain object, with every credential-bearing value replaced. */
export function redactHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    out[name] = SECRET_HEADER.test(name) ? REDACTED : value;
  });
  return out;
}

/** Whether a header carries a credential and must never be stored. */
export function isSecretHeader(name: string): boolean {
  return SECRET_HEADER.test(name);
}

/**
 * Shapes of provider API keys (Anthropic, OpenAI, OpenRouter, DeepSeek, Google, Groq), of cloud
 * credentials (Google OAuth access tokens, AWS access key ids, PEM private keys, raw or inside a
 * JSON string): a key the proxy was never told about, pasted into a prompt, is still kept out of D1.
 */
const KEY_SHAPES =
  /sk-ant-[a-z]{2,8}\d{2}-[A-Za-z0-9_-]{20,}|sk-(?:proj|svcacct|admin|or-v1)-[A-Za-z0-9_-]{20,}|sk-[A-Za-z0-9]{32,}|AIza[0-9A-Za-z_-]{35}|gsk_[A-Za-z0-9]{40,}|ya29\.[0-9A-Za-z_.-]{20,}|\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g;

/** PEM private keys are found by `scrubPrivateKeys`, in one pass: a lazy regex over "BEGIN … END" costs the square of the text when no END follows. */
const PEM_BEGIN = /-----BEGIN [A-Z ]*PRIVATE KEY-----/g;
const PEM_END = /-----END [A-Z ]*PRIVATE KEY-----/g;
/** What follows a BEGIN line in a key cut before its END: base64 lines (raw or JSON-escaped newlines). */
const PEM_BODY = /[A-Za-z0-9+/=\s\\]*/y;

/** Every KEY_SHAPES match contains one of these: text with none of them holds no key shape (a cheap test first). */
const KEY_SHAPE_HINTS = /sk-|AIza|gsk_|ya29\.|AKIA|ASIA|-----BEGIN /;

/** Shorter secrets are not looked for: they would match ordinary text. */
const MIN_SECRET_LENGTH = 8;
/** Encoded forms shorter than this are not looked for, for the same reason. */
const MIN_ENCODED_LENGTH = 12;

const encoder = new TextEncoder();

/**
 * The forms a secret can take in stored text: as it is, percent-encoded, and base64 (standard and
 * URL-safe) at each of the three alignments it can have inside a longer encoded string (only the
 * characters that depend on the secret alone). JSON escapes are undone before any search.
 */
function encodedForms(secret: string): string[] {
  const forms = new Set([secret, encodeURIComponent(secret)]);
  const bytes = encoder.encode(secret);
  for (let offset = 0; offset < 3; offset++) {
    const padded = new Uint8Array(offset + bytes.length);
    padded.set(bytes, offset);
    const encoded = bytesToBase64(padded);
    const core = encoded.slice(Math.ceil((8 * offset) / 6), Math.floor((8 * (offset + bytes.length)) / 6));
    if (core.length >= MIN_ENCODED_LENGTH) {
      forms.add(core);
      forms.add(core.replace(/\+/g, '-').replace(/\//g, '_'));
    }
  }
  return [...forms].filter((form) => form.length >= MIN_SECRET_LENGTH);
}

const formsCache = new Map<string, string[]>();

function formsOf(secret: string): string[] {
  let forms = formsCache.get(secret);
  if (!forms) {
    forms = encodedForms(secret);
    // The configuration's secrets and a request's credentials: a bounded set in practice.
    if (formsCache.size > 1000) formsCache.clear();
    formsCache.set(secret, forms);
  }
  return forms;
}

/**
 * JSON escapes of printable ASCII (`\u002d`, `\/`) written as the characters they stand for.
 * The text is the same JSON value (a parse gives the same result), and a secret written with
 * escapes becomes visible to scrubbing. Other escapes (quotes, backslashes, control and
 * non-ASCII characters) are kept.
 */
export function unescapePrintableJson(text: string): string {
  if (!text.includes('\\u') && !text.includes('\\/')) return text;
  return text.replace(/\\(?:u([0-9a-fA-F]{4})|(.))/g, (sequence, hex: string | undefined, char: string | undefined) => {
    if (char !== undefined) return char === '/' ? '/' : sequence;
    const code = Number.parseInt(hex!, 16);
    return code >= 0x20 && code < 0x7f && code !== 0x22 && code !== 0x5c ? String.fromCharCode(code) : sequence;
  });
}

/**
 * Replaces every occurrence of each secret (as it is, percent-encoded or in base64), and anything
 * shaped like a provider key, in a string that is stored or sent back: a client that pastes a key
 * into a prompt, or an upstream that echoes one in an error, must not put it in D1 or in an
 * answer. The caller undoes JSON escapes first where the text is JSON (`unescapePrintableJson`).
 */
export function scrubSecrets(text: string, secrets: Iterable<string>): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length < MIN_SECRET_LENGTH) continue;
    for (const form of formsOf(secret)) if (out.includes(form)) out = out.split(form).join(REDACTED);
  }
  if (!KEY_SHAPE_HINTS.test(out)) return out;
  return scrubPrivateKeys(out.replace(KEY_SHAPES, REDACTED));
}

/**
 * Replaces each PEM private key, BEGIN line to END line; a key cut before its END loses its BEGIN
 * line and the base64 after it. One pass over the text, whatever it holds.
 */
function scrubPrivateKeys(text: string): string {
  if (!text.includes('PRIVATE KEY-----')) return text;
  let out = '';
  let from = 0;
  let endsLeft = true;
  PEM_BEGIN.lastIndex = 0;
  for (let begin = PEM_BEGIN.exec(text); begin; begin = PEM_BEGIN.exec(text)) {
    const afterBegin = begin.index + begin[0].length;
    let stop = -1;
    if (endsLeft) {
      PEM_END.lastIndex = afterBegin;
      const end = PEM_END.exec(text);
      if (end) stop = end.index + end[0].length;
      else endsLeft = false; // no END anywhere further on: none for the later BEGINs either
    }
    if (stop < 0) {
      PEM_BODY.lastIndex = afterBegin;
      PEM_BODY.test(text);
      stop = PEM_BODY.lastIndex;
    }
    out += text.slice(from, begin.index) + REDACTED;
    from = stop;
    PEM_BEGIN.lastIndex = stop;
  }
  return from === 0 ? text : out + text.slice(from);
}

/**
 * A JSON body with its secrets scrubbed, decoded first: the text as it was when it held none
 * (exactly), else its escape-free form with every secret replaced.
 */
export function scrubJsonText(text: string, secrets: Iterable<string>): string {
  const plain = unescapePrintableJson(text);
  const scrubbed = scrubSecrets(plain, secrets);
  return scrubbed === plain ? text : scrubbed;
}

/** A header value holding a secret or a key-shaped value, whatever the header's name, is replaced whole. */
export function redactHeaderValues(headers: Record<string, string>, secrets: Iterable<string>): Record<string, string> {
  const list = [...secrets];
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    // Only a value with a `%` can decode to something else.
    const plain = value.includes('%') ? decodeURIComponentSafe(value) : value;
    out[name] = scrubSecrets(value, list) !== value || (plain !== value && scrubSecrets(plain, list) !== plain) ? REDACTED : value;
  }
  return out;
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
