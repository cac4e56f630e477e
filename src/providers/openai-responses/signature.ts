/**
 * A Responses API reasoning item carried through an Anthropic client inside a thinking block's
 * `signature`: Claude Code echoes thinking blocks as `{type, thinking, signature}` only, so the
 * item's id and `encrypted_content` travel there and are replayed on the next turn. The model
 * is kept too: encrypted reasoning is only valid for the model that wrote it.
 */

/** Marks a signature as the proxy's own; anything else (Claude's signatures) is not replayed. */
const PREFIX = 'cpr1.';

export interface ReasoningItemRef {
  id: string;
  encryptedContent: string;
  model: string;
}

export function encodeReasoningSignature(ref: ReasoningItemRef): string {
  const json = JSON.stringify({ i: ref.id, e: ref.encryptedContent, m: ref.model });
  return PREFIX + btoa(toBinary(new TextEncoder().encode(json)));
}

/** Bytes as a binary string for btoa, a character per byte (no spread: items can be large). */
function toBinary(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 8192) binary += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return binary;
}

/** The reasoning item a signature carries, or null when the signature is not one of ours. */
export function decodeReasoningSignature(signature: unknown): ReasoningItemRef | null {
  if (typeof signature !== 'string' || !signature.startsWith(PREFIX)) return null;
  try {
    const binary = atob(signature.slice(PREFIX.length));
    const parsed = JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (ch) => ch.charCodeAt(0)))) as { i?: unknown; e?: unknown; m?: unknown };
    if (typeof parsed.i !== 'string' || typeof parsed.e !== 'string' || typeof parsed.m !== 'string') return null;
    return { id: parsed.i, encryptedContent: parsed.e, model: parsed.m };
  } catch {
    return null;
  }
}
