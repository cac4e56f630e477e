import { CLIENT_KEY, keyNames, platformCredentialNames, type Target } from '../config/routes';
import { ProxyError } from '../core/errors';
import type { ClientIdentity } from '../protocol/client';
import type { UpstreamAuth } from './types';

/** Who pays for a call, and what the target is sent for it. */
export interface UpstreamCredentials {
  headers: UpstreamAuth;
  /** The owner's key is spent: only allowlisted headers go upstream, account headers do not come back. */
  serverKey: boolean;
  /** The secret name of the key sent (a pool's key), for the attempt; never the key. */
  keyName?: string;
}

/**
 * Decides who pays for a call to this target and returns its auth headers. The surface has
 * already refused clients without a proxy key when PROXY_API_KEYS is set.
 * - `apiKey: "client"`: the client's own credential is forwarded (never the proxy key).
 * - a named secret, or a key pool: the owner's key `keyName` (the pool's key this call uses; by
 *   default its first) is sent; it needs PROXY_API_KEYS, so no stranger spends it.
 *   Bedrock's AWS keys and Vertex's service account are named secrets too: they are checked here,
 *   and the provider signs each request with them (no header from here).
 * - no credential named: nothing is sent upstream (local servers).
 */
export function upstreamAuth(
  target: Target,
  client: ClientIdentity,
  secret: (name: string) => string | null,
  keyName: string | undefined = keyNames(target)[0],
): UpstreamCredentials {
  if (target.apiKey === CLIENT_KEY) {
    const headers: UpstreamAuth = {};
    if (client.apiKey) headers['x-api-key'] = client.apiKey;
    if (client.bearer) headers.authorization = `Bearer ${client.bearer}`;
    return { headers, serverKey: false };
  }
  const names = [...(keyName ? [keyName] : []), ...platformCredentialNames(target)];
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
  if (!keyName) return { headers: {}, serverKey: true };
  const value = secret(keyName)!;
  return { headers: target.provider === 'anthropic' ? { 'x-api-key': value } : { authorization: `Bearer ${value}` }, serverKey: true, keyName };
}
