import type { ProxyKey, ProxyKeys } from '../config/proxy-keys';
import { sha256, toHex } from '../core/crypto';

/** Who the client is, worked out once per request. */
export interface ClientIdentity {
  apiKey: string | null;
  bearer: string | null;
  apiKeyIsProxyKey: boolean;
  bearerIsProxyKey: boolean;
  /** Name of the proxy key presented, if any. */
  proxyKeyName: string | null;
  proxyKeysConfigured: boolean;
  /** A short digest of the credential presented, to tell clients apart without storing keys. */
  credentialId: string | null;
}

/** The credentials a client presented: `x-api-key` and the token of `Authorization: Bearer`. */
export function clientCredentials(headers: Headers): { apiKey: string | null; bearer: string | null } {
  const authorization = headers.get('authorization');
  const bearer = authorization && /^bearer\s+/i.test(authorization) ? authorization.replace(/^bearer\s+/i, '').trim() : null;
  return { apiKey: headers.get('x-api-key')?.trim() || null, bearer: bearer || null };
}

/** Every configured key is compared, in constant time, so timing tells nothing about which matched. */
function matchProxyKey(digest: Uint8Array | null, keys: readonly ProxyKey[]): ProxyKey | null {
  if (!digest) return null;
  let found: ProxyKey | null = null;
  for (const key of keys) if (crypto.subtle.timingSafeEqual(digest, key.digest) && !found) found = key;
  return found;
}

/**
 * Reads the client's credentials and checks them against PROXY_API_KEYS. Credentials are digested
 * only when something needs it: proxy keys to compare with, or a rate limiter to key by.
 */
export async function identifyClient(headers: Headers, proxyKeys: ProxyKeys, rateLimited: boolean): Promise<ClientIdentity> {
  const { apiKey, bearer } = clientCredentials(headers);
  const needDigests = proxyKeys.configured || rateLimited;
  const [keys, apiKeyDigest, bearerDigest] = needDigests
    ? await Promise.all([proxyKeys.entries(), apiKey ? sha256(apiKey) : null, bearer ? sha256(bearer) : null])
    : [[] as readonly ProxyKey[], null, null];
  const viaApiKey = matchProxyKey(apiKeyDigest, keys);
  const viaBearer = matchProxyKey(bearerDigest, keys);
  const presented = apiKeyDigest ?? bearerDigest;
  return {
    apiKey,
    bearer,
    apiKeyIsProxyKey: viaApiKey !== null,
    bearerIsProxyKey: viaBearer !== null,
    proxyKeyName: (viaApiKey ?? viaBearer)?.name ?? null,
    proxyKeysConfigured: proxyKeys.configured,
    credentialId: presented ? toHex(presented.subarray(0, 8)) : null,
  };
}

/** Whom a rate limit counts: the proxy key by name, else the client's own credential, else its address. */
export function rateLimitKey(client: ClientIdentity, clientIp: string | null | undefined): string {
  if (client.proxyKeyName) return `key:${client.proxyKeyName}`;
  if (client.credentialId) return `credential:${client.credentialId}`;
  return `ip:${clientIp ?? 'unknown'}`;
}
