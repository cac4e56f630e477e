import { sameSecret } from '../core/crypto';
import { ProxyError } from '../core/errors';

/** Constant-time comparison with ADMIN_TOKEN (through SHA-256 digests: equal length whatever the input). */
export async function isAdminToken(candidate: string | null | undefined, adminToken: string | null): Promise<boolean> {
  if (!adminToken || !candidate) return false;
  return sameSecret(candidate, adminToken);
}

/** Throws 401 unless the request carries `Authorization: Bearer <ADMIN_TOKEN>`. */
export async function requireAdmin(authorization: string | undefined, adminToken: string | null): Promise<void> {
  if (!adminToken) {
    throw new ProxyError('authentication_error', 'the trace API is closed: set the ADMIN_TOKEN secret to open it');
  }
  const token = authorization && /^bearer\s+/i.test(authorization) ? authorization.replace(/^bearer\s+/i, '').trim() : null;
  if (!(await isAdminToken(token, adminToken))) {
    throw new ProxyError('authentication_error', token ? 'invalid admin token' : 'missing admin token: send Authorization: Bearer <ADMIN_TOKEN>', 401, {
      'www-authenticate': 'Bearer',
    });
  }
}
