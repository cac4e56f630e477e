/**
 * Gemini 3's thought signatures, carried through Anthropic clients inside the tool_use id.
 *
 * Gemini attaches an opaque signature to function calls and answers 400 when a call in the
 * history comes back without it. Anthropic clients echo only Anthropic fields, but they keep a
 * tool_use id verbatim, so the signature rides in the id: `<call id>__tsb_<signature>` with the
 * signature's base64 written url-safe (ids allow [A-Za-z0-9_-] only), or `__tsu_` + the
 * base64url of its bytes for a signature that is not base64. The next request splits it off again.
 */

/** Gemini's documented value for a call that never had a signature (history from another model). */
export const SKIP_THOUGHT_SIGNATURE = 'skip_thought_signature_validator';

const BASE64_MARK = '__tsb_';
const BYTES_MARK = '__tsu_';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** A tool_use id carrying the call's signature (the id alone when there is none). */
export function withThoughtSignature(id: string, signature: string | null | undefined): string {
  if (!signature) return id;
  if (BASE64.test(signature) && signature.length % 4 === 0) return `${id}${BASE64_MARK}${signature.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')}`;
  let binary = '';
  for (const byte of new TextEncoder().encode(signature)) binary += String.fromCharCode(byte);
  return `${id}${BYTES_MARK}${toUrlSafe(btoa(binary))}`;
}

/** The upstream's call id and the signature a tool_use id carries. */
export function splitToolUseId(toolUseId: string): { id: string; signature: string | null } {
  // The first mark: the encoded signature may contain the same characters, the upstream's id does not.
  const marks = [BASE64_MARK, BYTES_MARK].map((mark) => [mark, toolUseId.indexOf(mark)] as const).filter(([, at]) => at > 0);
  const [mark, at] = marks.sort((a, b) => a[1] - b[1])[0] ?? [null, -1];
  if (!mark) return { id: toolUseId, signature: null };
  const encoded = padded(
    toolUseId
      .slice(at + mark.length)
      .replace(/-/g, '+')
      .replace(/_/g, '/'),
  );
  if (mark === BASE64_MARK) return { id: toolUseId.slice(0, at), signature: encoded };
  try {
    const binary = atob(encoded);
    return { id: toolUseId.slice(0, at), signature: new TextDecoder().decode(Uint8Array.from(binary, (ch) => ch.charCodeAt(0))) };
  } catch {
    return { id: toolUseId, signature: null };
  }
}

/** The signature Gemini put on a Chat Completions tool call, if any. */
export function thoughtSignatureOf(call: { extra_content?: { google?: { thought_signature?: unknown } | null } | null }): string | null {
  const signature = call.extra_content?.google?.thought_signature;
  return typeof signature === 'string' && signature ? signature : null;
}

function toUrlSafe(base64: string): string {
  return base64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function padded(base64: string): string {
  return base64 + '='.repeat((4 - (base64.length % 4)) % 4);
}
