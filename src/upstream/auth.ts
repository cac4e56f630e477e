import { CLIENT_KEY, credentialNames, type Target } from '../config/routes';
import { ProxyError } from '../core/errors';
import type { ClientIdentity } from '../protocol/client';
import type { UpstreamAuth } from './types';

/** Who pays for a call, and what the target is sent for it. */
export interface UpstreamCredentials {
  headers: UpstreamAuth;
  /** The owner's key is spent: only allowlisted headers go upstream, account headers do not come back. */
  serverKey: boolean;
}

/**
 * Decides who pays for a call to this target and returns its auth headers. The surface has
 * already refused clients without a proxy key when PROXY_API_KEYS is set.
 * - `apiKey: "client"`: the client's own credential is forwarded (never the proxy key).
 * - a named secret: the owner's key is sent; it needs PROXY_API_KEYS, so no stranger spends it.
 *   Bedrock's AWS keys and Vertex's service account are named secrets too: they are checked here,
 *   and the provider signs each request with them (no header from here).
 * - no credential named: nothing is sent upstream (local servers).
 */
export function upstreamAuth(target: Target, client: ClientIdentity, secret: (name: string) => string | null): UpstreamCredentials {
  if (target.apiKey === CLIENT_KEY) {
    const headers: UpstreamAuth = {};
    if (client.apiKey) headers['x-api-key'] = client.apiKey;
    if (client.bearer) headers.authorization = `Bearer ${client.bearer}`;
    return { headers, serverKey: false };
  }
  const names = credentialNames(target);
  if (names.length === 0) return { headers: {}, serverKey: false };
  if (!client.proxyKeyName) {
    throw new ProxyError(
      'authentication_error',
      `this route spends a server-held key (${names.join(', ')}), so it needs a proxy key, and none is configured: set the PROXY_API_KEYS secret`,
    );
  }
  for (const name of names) {
    if (!secret(name)) throw new ProxyError('api_error', `${target.label} names the secret "${name}", but no secret or var of that name is set`);
  }
  if (!target.apiKey) return { headers: {}, serverKey: true };
  const value = secret(target.apiKey)!;
  return { headers: target.provider === 'anthropic' ? { 'x-api-key': value } : { authorization: `Bearer ${value}` }, serverKey: true };
}
