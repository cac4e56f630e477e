import type { Context, MiddlewareHandler } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import type { SurfaceEnv } from '../config';
import { sameSecret } from '../core/crypto';
import { errorBody, ProxyError } from '../core/errors';
import { addressBlock, clientIp } from '../protocol/client';
import { authBlockedUntil, recordAuthFailure } from '../storage/admin-access';

/** Constant-time comparison with ADMIN_TOKEN (through SHA-256 digests: equal length whatever the input). */
export async function isAdminToken(candidate: string | null | undefined, adminToken: string | null): Promise<boolean> {
  if (!adminToken || !candidate) return false;
  return sameSecret(candidate, adminToken);
}

/** An address is known by Cloudflare's header; without one (local runs), all callers share one count. */
function addressOf(c: Context<SurfaceEnv>): string {
  const ip = clientIp(c.req.raw.headers);
  return ip ? addressBlock(ip) : 'unknown';
}

/** Refuses an address that has tried too many wrong tokens, with 429 and when to come back. */
export async function refuseIfThrottled(c: Context<SurfaceEnv>): Promise<void> {
  const until = await authBlockedUntil(c.get('config').db, addressOf(c));
  if (until === null) return;
  const seconds = Math.max(1, Math.ceil((until - Date.now()) / 1000));
  throw new ProxyError('rate_limit_error', `too many wrong admin tokens from this address: try again in ${seconds} s`, 429, { 'retry-after': String(seconds) });
}

/**
 * Checks a candidate admin token; a wrong one counts against its address (D1 keeps the count, so
 * every isolate sees it).
 */
export async function checkAdminToken(c: Context<SurfaceEnv>, candidate: string | null): Promise<boolean> {
  const config = c.get('config');
  if (await isAdminToken(candidate, config.adminToken)) return true;
  if (candidate) await recordAuthFailure(config.db, addressOf(c));
  return false;
}

const refusal = (message: string) => ({ message: errorBody('authentication_error', message) });

/** /api needs `Authorization: Bearer <ADMIN_TOKEN>` (Hono's bearer auth); closed while ADMIN_TOKEN is unset or too weak. */
export const requireAdmin: MiddlewareHandler<SurfaceEnv> = async (c, next) => {
  const config = c.get('config');
  if (!config.adminToken) throw new ProxyError('authentication_error', `the trace API is closed: ${config.adminClosed}`);
  await refuseIfThrottled(c);
  return bearerAuth<SurfaceEnv>({
    verifyToken: (token, context) => checkAdminToken(context, token),
    noAuthenticationHeader: refusal('missing admin token: send Authorization: Bearer <ADMIN_TOKEN>'),
    invalidAuthenticationHeader: refusal('malformed Authorization header: send Authorization: Bearer <ADMIN_TOKEN>'),
    invalidToken: refusal('invalid admin token'),
  })(c, next);
};
