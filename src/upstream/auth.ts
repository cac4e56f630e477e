import { CLIENT_KEY, keyNames, type Target } from '../config/routes';
import { ProxyError } from '../core/errors';
import type { ClientIdentity } from '../protocol/client';
import type { UpstreamAuth } from './types';

/**
 * Decides who pays for a call to this target and returns its auth headers.
 * - `apiKey: "client"`: the client's own credential is forwarded (minus any proxy key).
 * - a named secret, or a key pool: the client must hold one of PROXY_API_KEYS; the value of the
 *   secret `keyName` (the pool's key this call uses; by default its first) is sent.
 * - no apiKey: nothing is sent upstream; a proxy key is required if PROXY_API_KEYS is set.
 */
export function upstreamAuth(
  target: Target,
  client: ClientIdentity,
  secret: (name: string) => string | null,
  keyName: string | undefined = keyNames(target)[0],
): UpstreamAuth {
  if (target.apiKey === CLIENT_KEY) {
    const forwarded: UpstreamAuth = {};
    if (client.apiKey && !client.apiKeyIsProxyKey) forwarded['x-api-key'] = client.apiKey;
    if (client.bearer && !client.bearerIsProxyKey) forwarded.authorization = `Bearer ${client.bearer}`;
    return forwarded;
  }
  const presented = client.apiKey ?? client.bearer;
  if (!keyName) {
    if (client.proxyKeysConfigured && !client.proxyKeyName) throw missingProxyKey(presented);
    return {};
  }
  if (!client.proxyKeysConfigured) {
    throw new ProxyError(
      'authentication_error',
      `this route spends a server-held key (${keyName}), so it needs a proxy key, and none is configured: set the PROXY_API_KEYS secret`,
    );
  }
  if (!client.proxyKeyName) throw missingProxyKey(presented);
  const value = secret(keyName);
  if (!value) throw new ProxyError('api_error', `${target.label} names apiKey "${keyName}", but no secret or var of that name is set`);
  return target.provider === 'anthropic' ? { 'x-api-key': value } : { authorization: `Bearer ${value}` };
}

function missingProxyKey(presented: string | null): ProxyError {
  return new ProxyError(
    'authentication_error',
    presented
      ? 'invalid proxy API key: send one of PROXY_API_KEYS as x-api-key or Authorization: Bearer'
      : 'missing proxy API key: send one of PROXY_API_KEYS as x-api-key or Authorization: Bearer',
  );
}
