import type { ProxyKey, ProxyKeys } from '../config/proxy-keys';
import { sha256 } from '../core/crypto';

/** The client's address, as Cloudflare reports it. */
export function clientIp(headers: Headers): string | null {
  return headers.get('cf-connecting-ip') ?? headers.get('x-real-ip');
}

/**
 * The block an address stands for when failures are counted: an IPv6 client usually holds a
 * whole /64, and rotating through it must not reset its count. IPv4 addresses stand for themselves.
 */
export function addressBlock(ip: string): string {
  if (!ip.includes(':')) return ip;
  const [head = '', tail] = ip.split('::', 2);
  const left = head ? head.split(':') : [];
  const right = tail === undefined ? null : tail ? tail.split(':') : [];
  const groups = right === null ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  const prefix = groups.slice(0, 4).map((group) => Number.parseInt(group || '0', 16));
  if (prefix.length < 4 || prefix.some((n) => !Number.isInteger(n) || n < 0 || n > 0xffff)) return ip;
  return `${prefix.map((n) => n.toString(16)).join(':')}::/64`;
}

/** Where a credential came from. */
export type CredentialHeader = 'x-proxy-key' | 'x-api-key' | 'authorization';

/** Who the client is, worked out once per request. */
export interface ClientIdentity {
  /** The client's own `x-api-key`, unless it is the proxy key. */
  apiKey: string | null;
  /** The client's own `Authorization: Bearer` token (an API key, or a subscription's OAuth token), unless it is the proxy key. */
  bearer: string | null;
  /** Name of the proxy key presented, if any. */
  proxyKeyName: string | null;
  /** The header that carried it. */
  proxyKeyVia: CredentialHeader | null;
  /** Whether any credential at all came with the request. */
  presented: boolean;
  /** Every credential value the request carried, proxy key included: never stored. */
  secrets: string[];
}

/** The credentials a client presented: `x-proxy-key`, `x-api-key` and the token of `Authorization: Bearer`. */
export function clientCredentials(headers: Headers): Record<CredentialHeader, string | null> {
  const authorization = headers.get('authorization');
  const bearer = authorization && /^bearer\s+/i.test(authorization) ? authorization.replace(/^bearer\s+/i, '').trim() : null;
  return {
    'x-proxy-key': headers.get('x-proxy-key')?.trim() || null,
    'x-api-key': headers.get('x-api-key')?.trim() || null,
    authorization: bearer || null,
  };
}

/** Every configured key is compared, in constant time, so timing tells nothing about which matched. */
function matchProxyKey(digest: Uint8Array | null, keys: readonly ProxyKey[]): ProxyKey | null {
  if (!digest) return null;
  let found: ProxyKey | null = null;
  for (const key of keys) if (crypto.subtle.timingSafeEqual(digest, key.digest) && !found) found = key;
  return found;
}

/** The order a proxy key is looked for: its own header first, then wherever the client's credential is not. */
const PROXY_KEY_HEADERS: CredentialHeader[] = ['x-proxy-key', 'x-api-key', 'authorization'];

/**
 * Reads the client's credentials and finds the proxy key among them (PROXY_API_KEYS): in
 * `x-proxy-key`, or in whichever of `x-api-key` and `Authorization: Bearer` the client's own
 * credential does not use. What is left is the client's own credential, for routes that forward
 * it. Credentials are digested only when proxy keys are configured.
 */
export async function identifyClient(headers: Headers, proxyKeys: ProxyKeys): Promise<ClientIdentity> {
  const credentials = clientCredentials(headers);
  let proxyKey: ProxyKey | null = null;
  let via: CredentialHeader | null = null;
  if (proxyKeys.configured) {
    const keys = await proxyKeys.entries();
    const digests = await Promise.all(PROXY_KEY_HEADERS.map((header) => (credentials[header] ? sha256(credentials[header]) : null)));
    for (const [i, header] of PROXY_KEY_HEADERS.entries()) {
      const match = matchProxyKey(digests[i]!, keys);
      if (match && !proxyKey) {
        proxyKey = match;
        via = header;
      }
    }
  }
  const secrets = PROXY_KEY_HEADERS.flatMap((header) => (credentials[header] ? [credentials[header]] : []));
  return {
    apiKey: via === 'x-api-key' ? null : credentials['x-api-key'],
    bearer: via === 'authorization' ? null : credentials.authorization,
    proxyKeyName: proxyKey?.name ?? null,
    proxyKeyVia: via,
    presented: secrets.length > 0,
    secrets,
  };
}
