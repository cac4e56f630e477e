import { and, eq, gt, isNull, lt, sql } from 'drizzle-orm';
import type { Database } from '../config';
import { authFailures, uiSessions } from './schema';

/** Wrong admin tokens an address may try per window before it is refused. */
export const AUTH_FAILURES_ALLOWED = 10;
/** The window failed tries are counted in. */
export const AUTH_WINDOW_MS = 10 * 60_000;

function windowOf(now: number): number {
  return now - (now % AUTH_WINDOW_MS);
}

/** This isolate's knowledge of addresses past the threshold: refused without asking D1. */
const blocked = new Map<string, number>();

/**
 * Whether an address may try the admin token now; if not, when it may again (epoch ms). D1 keeps
 * the count, so every isolate refuses the same address.
 */
export async function authBlockedUntil(db: Database, ip: string, now = Date.now()): Promise<number | null> {
  const known = blocked.get(ip);
  if (known !== undefined && known > now) return known;
  const window = windowOf(now);
  const row = await db
    .select({ failures: authFailures.failures })
    .from(authFailures)
    .where(and(eq(authFailures.clientIp, ip), eq(authFailures.windowStart, new Date(window))))
    .get();
  if (!row || row.failures < AUTH_FAILURES_ALLOWED) return null;
  const until = window + AUTH_WINDOW_MS;
  if (blocked.size > 10_000) blocked.clear();
  blocked.set(ip, until);
  return until;
}

/** Counts a wrong admin token from an address. */
export async function recordAuthFailure(db: Database, ip: string, now = Date.now()): Promise<void> {
  await db
    .insert(authFailures)
    .values({ clientIp: ip, windowStart: new Date(windowOf(now)), failures: 1 })
    .onConflictDoUpdate({ target: [authFailures.clientIp, authFailures.windowStart], set: { failures: sql`${authFailures.failures} + 1` } });
}

/** A new viewer sign-in; its id goes in the signed cookie. */
export async function createUiSession(
  db: Database,
  expiresAt: number,
  client: { ip: string | null; userAgent: string | null },
  now = Date.now(),
): Promise<string> {
  const id = crypto.randomUUID();
  await db.insert(uiSessions).values({ id, createdAt: new Date(now), expiresAt: new Date(expiresAt), clientIp: client.ip, userAgent: client.userAgent });
  return id;
}

/** Whether a sign-in is live: known, not signed out, not expired. */
export async function isUiSessionLive(db: Database, id: string, now = Date.now()): Promise<boolean> {
  const row = await db
    .select({ id: uiSessions.id })
    .from(uiSessions)
    .where(and(eq(uiSessions.id, id), isNull(uiSessions.revokedAt), gt(uiSessions.expiresAt, new Date(now))))
    .get();
  return row !== undefined;
}

/** Signs a viewer session out for good: its cookie, wherever copied, is refused from now on. */
export async function revokeUiSession(db: Database, id: string, now = Date.now()): Promise<void> {
  await db
    .update(uiSessions)
    .set({ revokedAt: new Date(now) })
    .where(eq(uiSessions.id, id));
}

/** Clears what no longer counts: expired sign-ins and old failure windows (the daily cron). */
export async function pruneAdminAccess(db: Database, now = Date.now()): Promise<void> {
  await db.batch([
    db.delete(uiSessions).where(lt(uiSessions.expiresAt, new Date(now))),
    db.delete(authFailures).where(lt(authFailures.windowStart, new Date(windowOf(now) - AUTH_WINDOW_MS))),
  ]);
}
