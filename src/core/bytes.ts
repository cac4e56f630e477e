const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Texts up to this length are measured by encoding them whole; longer ones in slices, without a copy of their size. */
const WHOLE = 64 * 1024;
const scratch = new Uint8Array(WHOLE * 3);

/** UTF-8 size: the encoder is native and fast; a regex over the text is slow in workerd. */
export function utf8Length(text: string): number {
  if (text.length <= WHOLE) return encoder.encode(text).byteLength;
  let bytes = 0;
  for (let start = 0; start < text.length; ) {
    let end = Math.min(text.length, start + WHOLE);
    // Never split a surrogate pair: half of one would count as a replacement character.
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
    const { read, written } = encoder.encodeInto(text.slice(start, end), scratch);
    bytes += written;
    start += read;
  }
  return bytes;
}

/** The longest prefix of `text` that fits in `maxBytes` of UTF-8, never ending inside a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  // Every UTF-16 unit is at least one byte: no more than maxBytes units can fit.
  const bytes = encoder.encode(text.length > maxBytes ? text.slice(0, maxBytes) : text);
  if (bytes.byteLength <= maxBytes && text.length <= maxBytes) return text;
  let end = Math.min(maxBytes, bytes.byteLength);
  if (end < bytes.byteLength) while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return decoder.decode(bytes.subarray(0, end));
}

/** The chunks as one array (the chunk itself when there is only one). */
export function concat(chunks: readonly Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/** Bytes as standard base64. */
export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  // In slices: spreading a large array into one call overflows the argument limit.
  for (let i = 0; i < bytes.length; i += 8192) binary += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return btoa(binary);
}

/** Standard base64 back to bytes. */
export function bytesFromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
