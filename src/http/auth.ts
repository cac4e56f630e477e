import { CLIENT_KEY, type Target } from '../routing/config';
import type { TraceContext } from '../tracing/trace';
import { ProxyError } from './errors';

/** What a target is sent for authentication: header name → value. */
export type UpstreamAuth = Record<string, string>;

/** One entry of PROXY_API_KEYS, held only as a SHA-256 digest. */
interface ProxyKey {
  /** The entry's name (`name:key`), else its position (`key#2`): what traces record. */
  name: string;
  digest: Uint8Array;
  /** The key itself when configured in plain: only to scrub it from traces. */
  plain: string | null;
}

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

const encoder = new TextEncoder();

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)));
}

function fromHex(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

const DIGEST_ENTRY = /^(?:([^:]+):)?sha256:([0-9a-f]{64})$/i;

/**
 * PROXY_API_KEYS: comma-separated entries, each `key`, `name:key`, `sha256:<hex>` or
 * `name:sha256:<hex>` (the digest of the key, so the key itself need not be stored).
 */
export async function parseProxyKeys(raw: unknown): Promise<ProxyKey[]> {
  if (typeof raw !== 'string') return [];
  const entries = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  return Promise.all(
    entries.map(async (entry, i) => {
      const digest = DIGEST_ENTRY.exec(entry);
      if (digest) return { name: digest[1] ?? `key#${i + 1}`, digest: fromHex(digest[2]!.toLowerCase()), plain: null };
      const colon = entry.indexOf(':');
      const [name, key] = colon > 0 && colon < entry.length - 1 ? [entry.slice(0, colon), entry.slice(colon + 1)] : [`key#${i + 1}`, entry];
      return { name, digest: await sha256(key), plain: key };
    }),
  );
}

let cachedRaw: unknown = Symbol('unset');
let cachedKeys: Promise<ProxyKey[]> = Promise.resolve([]);

/** parseProxyKeys, memoised on the setting: digests are computed once per isolate. */
function proxyKeys(raw: unknown): Promise<ProxyKey[]> {
  if (raw !== cachedRaw) {
    cachedRaw = raw;
    cachedKeys = parseProxyKeys(raw);
  }
  return cachedKeys;
}

/** Every configured key is compared, in constant time, so timing tells nothing about which matched. */
function matchProxyKey(digest: Uint8Array | null, keys: readonly ProxyKey[]): ProxyKey | null {
  if (!digest) return null;
  let found: ProxyKey | null = null;
  for (const key of keys) if (crypto.subtle.timingSafeEqual(digest, key.digest) && !found) found = key;
  return found;
}

/** The credentials a client presented: `x-api-key` and the token of `Authorization: Bearer`. */
export function clientCredentials(headers: Headers): { apiKey: string | null; bearer: string | null } {
  const authorization = headers.get('authorization');
  const bearer = authorization && /^bearer\s+/i.test(authorization) ? authorization.replace(/^bearer\s+/i, '').trim() : null;
  return { apiKey: headers.get('x-api-key')?.trim() || null, bearer: bearer || null };
}

/**
 * Reads the client's credentials and checks them against PROXY_API_KEYS. Credentials are digested
 * only when something needs it: proxy keys to compare with, or a rate limiter to key by.
 */
export async function identifyClient(headers: Headers, env: Record<string, unknown>, trace: TraceContext): Promise<ClientIdentity> {
  const { apiKey, bearer } = clientCredentials(headers);
  for (const credential of [apiKey, bearer]) if (credential) trace.secrets.add(credential);
  const needDigests = (typeof env.PROXY_API_KEYS === 'string' && env.PROXY_API_KEYS.trim() !== '') || env.RATE_LIMITER !== undefined;
  const [keys, apiKeyDigest, bearerDigest] = needDigests
    ? await Promise.all([proxyKeys(env.PROXY_API_KEYS), apiKey ? sha256(apiKey) : null, bearer ? sha256(bearer) : null])
    : [[] as ProxyKey[], null, null];
  for (const key of keys) if (key.plain) trace.secrets.add(key.plain);
  const viaApiKey = matchProxyKey(apiKeyDigest, keys);
  const viaBearer = matchProxyKey(bearerDigest, keys);
  const proxyKeyName = (viaApiKey ?? viaBearer)?.name ?? null;
  trace.row.apiKeyName = proxyKeyName;
  const presented = apiKeyDigest ?? bearerDigest;
  return {
    apiKey,
    bearer,
    apiKeyIsProxyKey: viaApiKey !== null,
    bearerIsProxyKey: viaBearer !== null,
    proxyKeyName,
    proxyKeysConfigured: keys.length > 0,
    credentialId: presented ? [...presented.subarray(0, 8)].map((byte) => byte.toString(16).padStart(2, '0')).join('') : null,
  };
}

/**
 * Decides who pays for a call to this target and returns its auth headers.
 * - `apiKey: "client"`: the client's own credential is forwarded (minus any proxy key).
 * - a named secret: the client must hold one of PROXY_API_KEYS; the secret's value is sent.
 * - no apiKey: nothing is sent upstream; a proxy key is required if PROXY_API_KEYS is set.
 */
export function upstreamAuth(target: Target, client: ClientIdentity, env: Record<string, unknown>, trace: TraceContext): UpstreamAuth {
  if (target.apiKey === CLIENT_KEY) {
    const forwarded: UpstreamAuth = {};
    if (client.apiKey && !client.apiKeyIsProxyKey) forwarded['x-api-key'] = client.apiKey;
    if (client.bearer && !client.bearerIsProxyKey) forwarded.authorization = `Bearer ${client.bearer}`;
    return forwarded;
  }
  const presented = client.apiKey ?? client.bearer;
  if (!target.apiKey) {
    if (client.proxyKeysConfigured && !client.proxyKeyName) throw missingProxyKey(presented);
    return {};
  }
  if (!client.proxyKeysConfigured) {
    throw new ProxyError(
      'authentication_error',
      `this route spends a server-held key (${target.apiKey}), so it needs a proxy key, and none is configured: set the PROXY_API_KEYS secret`,
    );
  }
  if (!client.proxyKeyName) throw missingProxyKey(presented);
  const secret = env[target.apiKey];
  if (typeof secret !== 'string' || secret === '') {
    throw new ProxyError('api_error', `${target.label} names apiKey "${target.apiKey}", but no secret or var of that name is set`);
  }
  trace.secrets.add(secret);
  return target.provider === 'anthropic' ? { 'x-api-key': secret } : { authorization: `Bearer ${secret}` };
}

function missingProxyKey(presented: string | null): ProxyError {
  return new ProxyError(
    'authentication_error',
    presented
      ? 'invalid proxy API key: send one of PROXY_API_KEYS as x-api-key or Authorization: Bearer'
      : 'missing proxy API key: send one of PROXY_API_KEYS as x-api-key or Authorization: Bearer',
  );
}

/** Whom a rate limit counts: the proxy key by name, else the client's own credential, else its address. */
export function rateLimitKey(client: ClientIdentity, clientIp: string | null | undefined): string {
  if (client.proxyKeyName) return `key:${client.proxyKeyName}`;
  if (client.credentialId) return `credential:${client.credentialId}`;
  return `ip:${clientIp ?? 'unknown'}`;
}
