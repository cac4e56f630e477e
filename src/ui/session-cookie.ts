import type { Context } from 'hono';
import { deleteCookie, generateSignedCookie, getSignedCookie, setSignedCookie } from 'hono/cookie';

/**
 * The viewer's sign-in: Hono's signed cookie holding the session's expiry, signed with a key
 * derived from ADMIN_TOKEN (so changing the token signs everyone out). Nothing else is stored.
 */

export const COOKIE_NAME = 'cp_ui';
export const SESSION_SECONDS = 7 * 24 * 3600;

const COOKIE_OPTIONS = { path: '/ui', httpOnly: true, secure: true, sameSite: 'Strict' } as const;

const encoder = new TextEncoder();
let derived: { token: string; key: Promise<Uint8Array> } | null = null;

/** Signing key = HMAC-SHA256(ADMIN_TOKEN, purpose): the token itself never signs anything. */
function signingKey(adminToken: string): Promise<Uint8Array> {
  if (derived?.token !== adminToken) {
    const key = crypto.subtle
      .importKey('raw', encoder.encode(adminToken), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
      .then((base) => crypto.subtle.sign('HMAC', base, encoder.encode('claude-proxy/ui-session/v1')))
      .then((bytes) => new Uint8Array(bytes));
    derived = { token: adminToken, key };
  }
  return derived.key;
}

/** The cookie's value for a session that starts at `now`, as it travels (signed, URL-encoded). */
export async function issueSession(adminToken: string, now = Date.now()): Promise<string> {
  const cookie = await generateSignedCookie(COOKIE_NAME, String(now + SESSION_SECONDS * 1000), await signingKey(adminToken), COOKIE_OPTIONS);
  return cookie.slice(COOKIE_NAME.length + 1, cookie.indexOf(';'));
}

/** Signs the viewer in: sets the signed, HttpOnly, Secure, SameSite=Strict cookie. */
export async function signIn(c: Context, adminToken: string, now = Date.now()): Promise<void> {
  await setSignedCookie(c, COOKIE_NAME, String(now + SESSION_SECONDS * 1000), await signingKey(adminToken), { ...COOKIE_OPTIONS, maxAge: SESSION_SECONDS });
}

export function signOut(c: Context): void {
  deleteCookie(c, COOKIE_NAME, COOKIE_OPTIONS);
}

/** Whether the request carries a live session signed with this token (verified in constant time by Web Crypto). */
export async function isSignedIn(c: Context, adminToken: string | null, now = Date.now()): Promise<boolean> {
  if (!adminToken) return false;
  const expires = await getSignedCookie(c, await signingKey(adminToken), COOKIE_NAME);
  return typeof expires === 'string' && /^\d{1,16}$/.test(expires) && Number(expires) > now;
}
