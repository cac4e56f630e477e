import { CLIENT_KEY, type Route } from '../routing/config';
import { ProxyError } from './errors';
import type { TraceContext } from '../tracing/trace';

/** What a route sends upstream for authentication: header name → value. */
export type UpstreamAuth = Record<string, string>;

const encoder = new TextEncoder();

async function sha256(text: string): Promise<ArrayBuffer> {
  return crypto.subtle.digest('SHA-256', encoder.encode(text));
}

/** Constant-time equality of two strings, through their SHA-256 digests (equal length by construction). */
export async function safeEqual(a: string, b: string): Promise<boolean> {
  const [da, db] = await Promise.all([sha256(a), sha256(b)]);
  return crypto.subtle.timingSafeEqual(da, db);
}

/** The credentials a client presented: `x-api-key` and the token of `Authorization: Bearer`. */
export function clientCredentials(headers: Headers): { apiKey: string | null; bearer: string | null } {
  const authorization = headers.get('authorization');
  const bearer = authorization && /^bearer\s+/i.test(authorization) ? authorization.replace(/^bearer\s+/i, '').trim() : null;
  return { apiKey: headers.get('x-api-key')?.trim() || null, bearer: bearer || null };
}

export function parseProxyKeys(raw: unknown): string[] {
  if (typeof raw !== 'string') return [];
  return raw
    .split(',')
    .map((key) => key.trim())
    .filter(Boolean);
}

async function isProxyKey(candidate: string | null, keys: readonly string[]): Promise<boolean> {
  if (!candidate) return false;
  let found = false;
  // Compare against every key, so timing says nothing about which one (or whether one) matched.
  for (const key of keys) if (await safeEqual(candidate, key)) found = true;
  return found;
}

/**
 * Decides who pays for this request and returns the upstream auth headers.
 * - `apiKey: "client"`: the client's own credential is forwarded (minus any proxy key).
 * - a named secret: the client must present one of PROXY_API_KEYS; the secret's value is sent.
 * - no apiKey: nothing is sent upstream; a proxy key is required if PROXY_API_KEYS is set.
 */
export async function authorize(route: Route, headers: Headers, env: Record<string, unknown>, trace: TraceContext): Promise<UpstreamAuth> {
  const { apiKey, bearer } = clientCredentials(headers);
  for (const credential of [apiKey, bearer]) if (credential) trace.secrets.add(credential);
  const proxyKeys = parseProxyKeys(env.PROXY_API_KEYS);
  for (const key of proxyKeys) trace.secrets.add(key);
  const [apiKeyIsProxyKey, bearerIsProxyKey] = await Promise.all([isProxyKey(apiKey, proxyKeys), isProxyKey(bearer, proxyKeys)]);

  if (route.apiKey === CLIENT_KEY) {
    const forwarded: UpstreamAuth = {};
    if (apiKey && !apiKeyIsProxyKey) forwarded['x-api-key'] = apiKey;
    if (bearer && !bearerIsProxyKey) forwarded.authorization = `Bearer ${bearer}`;
    return forwarded;
  }

  const holdsProxyKey = apiKeyIsProxyKey || bearerIsProxyKey;
  if (!route.apiKey) {
    if (proxyKeys.length > 0 && !holdsProxyKey) throw missingProxyKey(apiKey ?? bearer);
    return {};
  }
  if (proxyKeys.length === 0) {
    throw new ProxyError(
      'authentication_error',
      `this route spends a server-held key (${route.apiKey}), so it needs a proxy key, and none is configured: set the PROXY_API_KEYS secret`,
    );
  }
  if (!holdsProxyKey) throw missingProxyKey(apiKey ?? bearer);
  const secret = env[route.apiKey];
  if (typeof secret !== 'string' || secret === '') {
    throw new ProxyError('api_error', `route ${route.index} (${route.match}) names apiKey "${route.apiKey}", but no secret or var of that name is set`);
  }
  trace.secrets.add(secret);
  return route.provider === 'anthropic' ? { 'x-api-key': secret } : { authorization: `Bearer ${secret}` };
}

function missingProxyKey(presented: string | null): ProxyError {
  return new ProxyError(
    'authentication_error',
    presented
      ? 'invalid proxy API key: send one of PROXY_API_KEYS as x-api-key or Authorization: Bearer'
      : 'missing proxy API key: send one of PROXY_API_KEYS as x-api-key or Authorization: Bearer',
  );
}
