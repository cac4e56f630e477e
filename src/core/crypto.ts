const encoder = new TextEncoder();

export async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)));
}

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}

export function fromHex(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

/** Whether two secrets are equal, in constant time: both are compared through their SHA-256 digests. */
export async function sameSecret(candidate: string, secret: string): Promise<boolean> {
  const [a, b] = await Promise.all([sha256(candidate), sha256(secret)]);
  return crypto.subtle.timingSafeEqual(a, b);
}
