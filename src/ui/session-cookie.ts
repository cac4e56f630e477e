import type { Context } from 'hono';
import { deleteCookie, generateSignedCookie, getSignedCookie, setSignedCookie } from 'hono/cookie';
import type { Database } from '../config';
import { createUiSession, isUiSessionLive, revokeUiSession } from '../storage/admin-access';
import { clientIp } from '../protocol/client';

/**
 * The viewer's sign-in: Hono's signed cookie holding a session id, signed with a key derived from
 * ADMIN_TOKEN (changing the token signs everyone out), and a `ui_sessions` row that says whether
 * the session is still good (signing out revokes it, so a copied cookie is refused afterwards).
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
      .then((base) => crypto.subtle.sign('HMAC', base, encoder.encode('claude-proxy/ui-session/v2')))
      .then((bytes) => new Uint8Array(bytes));
    derived = { token: adminToken, key };
  }
  return derived.key;
}

/** A new session, stored, and its cookie's value as it travels (signed, URL-encoded): for sign-in and tests alike. */
export async function issueSession(
  db: Database,
  adminToken: string,
  now = Date.now(),
  client: { ip: string | null; userAgent: string | null } = { ip: null, userAgent: null },
) {
  const id = await createUiSession(db, now + SESSION_SECONDS * 1000, client, now);
  const cookie = await generateSignedCookie(COOKIE_NAME, id, await signingKey(adminToken), COOKIE_OPTIONS);
  return cookie.slice(COOKIE_NAME.length + 1, cookie.indexOf(';'));
}

/** Signs the viewer in: a new session, and the signed, HttpOnly, Secure, SameSite=Strict cookie naming it. */
export async function signIn(c: Context, db: Database, adminToken: string, now = Date.now()): Promise<void> {
  const id = await createUiSession(db, now + SESSION_SECONDS * 1000, { ip: clientIp(c.req.raw.headers), userAgent: c.req.header('user-agent') ?? null }, now);
  await setSignedCookie(c, COOKIE_NAME, id, await signingKey(adminToken), { ...COOKIE_OPTIONS, maxAge: SESSION_SECONDS });
}

/** The session the request's cookie names, if its signature holds. */
async function sessionId(c: Context, adminToken: string): Promise<string | null> {
  const id = await getSignedCookie(c, await signingKey(adminToken), COOKIE_NAME);
  return typeof id === 'string' && /^[0-9a-f-]{36}$/.test(id) ? id : null;
}

/** Signs out: the session is revoked (a copy of the cookie is refused from now on) and the cookie cleared. */
export async function signOut(c: Context, db: Database, adminToken: string | null): Promise<void> {
  const id = adminToken ? await sessionId(c, adminToken) : null;
  if (id) await revokeUiSession(db, id);
  deleteCookie(c, COOKIE_NAME, COOKIE_OPTIONS);
}

/** Whether the request carries a live session: a valid signature (checked in constant time by Web Crypto), and a row not revoked or expired. */
export async function isSignedIn(c: Context, db: Database, adminToken: string | null, now = Date.now()): Promise<boolean> {
  if (!adminToken) return false;
  const id = await sessionId(c, adminToken);
  return id !== null && (await isUiSessionLive(db, id, now));
}
