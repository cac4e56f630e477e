/**
 * The viewer's sign-in: a cookie holding an expiry and its HMAC, keyed by a key derived from
 * ADMIN_TOKEN (so changing the token signs everyone out). Nothing else is stored anywhere.
 */

export const COOKIE_NAME = 'cp_ui';
export const SESSION_SECONDS = 7 * 24 * 3600;

const encoder = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();

/** HMAC key = HMAC-SHA256(ADMIN_TOKEN, purpose): the token itself never signs anything. */
function signingKey(adminToken: string): Promise<CryptoKey> {
  let key = keys.get(adminToken);
  if (!key) {
    key = (async () => {
      const base = await crypto.subtle.importKey('raw', encoder.encode(adminToken), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
      const derived = await crypto.subtle.sign('HMAC', base, encoder.encode('claude-proxy/ui-session/v1'));
      return crypto.subtle.importKey('raw', derived, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    })();
    keys.clear(); // one token at a time
    keys.set(adminToken, key);
  }
  return key;
}

function base64url(bytes: ArrayBuffer): string {
  let binary = '';
  for (const byte of new Uint8Array(bytes)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64url(text: string): Uint8Array | null {
  try {
    const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
    return Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
  } catch {
    return null;
  }
}

/** `<expires>.<signature>` */
export async function issueSession(adminToken: string, now = Date.now()): Promise<string> {
  const expires = String(now + SESSION_SECONDS * 1000);
  const signature = await crypto.subtle.sign('HMAC', await signingKey(adminToken), encoder.encode(expires));
  return `${expires}.${base64url(signature)}`;
}

/** Whether a cookie value is a live session signed with this token (verified in constant time). */
export async function verifySession(value: string | undefined, adminToken: unknown, now = Date.now()): Promise<boolean> {
  if (!value || typeof adminToken !== 'string' || adminToken === '') return false;
  const dot = value.indexOf('.');
  if (dot < 1) return false;
  const expires = value.slice(0, dot);
  const signature = fromBase64url(value.slice(dot + 1));
  if (!/^\d{1,16}$/.test(expires) || !signature) return false;
  const valid = await crypto.subtle.verify('HMAC', await signingKey(adminToken), signature, encoder.encode(expires));
  return valid && Number(expires) > now;
}
