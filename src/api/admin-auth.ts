import { ProxyError } from '../http/errors';

const encoder = new TextEncoder();

async function digest(text: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest('SHA-256', encoder.encode(text));
}

/** Constant-time comparison with ADMIN_TOKEN, through SHA-256 digests (equal length whatever the input). */
export async function isAdminToken(candidate: string | null | undefined, adminToken: unknown): Promise<boolean> {
  if (typeof adminToken !== 'string' || adminToken === '' || !candidate) return false;
  const [a, b] = await Promise.all([digest(candidate), digest(adminToken)]);
  return crypto.subtle.timingSafeEqual(a, b);
}

/** Throws 401 unless the request carries `Authorization: Bearer <ADMIN_TOKEN>`. */
export async function requireAdmin(authorization: string | undefined, adminToken: unknown): Promise<void> {
  if (typeof adminToken !== 'string' || adminToken === '') {
    throw new ProxyError('authentication_error', 'the trace API is closed: set the ADMIN_TOKEN secret to open it');
  }
  const token = authorization && /^bearer\s+/i.test(authorization) ? authorization.replace(/^bearer\s+/i, '').trim() : null;
  if (!(await isAdminToken(token, adminToken))) {
    throw new ProxyError('authentication_error', token ? 'invalid admin token' : 'missing admin token: send Authorization: Bearer <ADMIN_TOKEN>', 401, {
      'www-authenticate': 'Bearer',
    });
  }
}
