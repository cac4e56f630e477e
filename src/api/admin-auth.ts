import type { MiddlewareHandler } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import type { SurfaceEnv } from '../config';
import { sameSecret } from '../core/crypto';
import { errorBody, ProxyError } from '../core/errors';

/** Constant-time comparison with ADMIN_TOKEN (through SHA-256 digests: equal length whatever the input). */
export async function isAdminToken(candidate: string | null | undefined, adminToken: string | null): Promise<boolean> {
  if (!adminToken || !candidate) return false;
  return sameSecret(candidate, adminToken);
}

const refusal = (message: string) => ({ message: errorBody('authentication_error', message) });

/** /api needs `Authorization: Bearer <ADMIN_TOKEN>` (Hono's bearer auth); closed while ADMIN_TOKEN is unset. */
export const requireAdmin: MiddlewareHandler<SurfaceEnv> = (c, next) => {
  const adminToken = c.get('config').adminToken;
  if (!adminToken) throw new ProxyError('authentication_error', 'the trace API is closed: set the ADMIN_TOKEN secret to open it');
  return bearerAuth<SurfaceEnv>({
    verifyToken: (token) => isAdminToken(token, adminToken),
    noAuthenticationHeader: refusal('missing admin token: send Authorization: Bearer <ADMIN_TOKEN>'),
    invalidAuthenticationHeader: refusal('malformed Authorization header: send Authorization: Bearer <ADMIN_TOKEN>'),
    invalidToken: refusal('invalid admin token'),
  })(c, next);
};
