import type { MiddlewareHandler } from 'hono';
import { ProxyError } from '../core/errors';
import { addressBlock, type ClientIdentity, clientIp, identifyClient } from '../protocol/client';
import type { V1Env } from './tracing';

/** Seconds a rate-limited client is told to wait: the longest period the Rate Limiting binding offers. */
const RATE_LIMIT_RETRY_AFTER = '60';

/** Hosts that only this machine can reach: `npm run dev` serves them without any setting. */
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Whom a rate limit counts: a client with a proxy key by the key's name; anyone else by address (rotating keys gains nothing). */
export function rateLimitKey(client: ClientIdentity, ip: string | null): string {
  return client.proxyKeyName ? `key:${client.proxyKeyName}` : `ip:${ip ? addressBlock(ip) : 'unknown'}`;
}

/**
 * Who may use /v1, decided before the body is read, parsed or validated:
 * - PROXY_API_KEYS set: every request needs a proxy key, whatever its route (in `x-proxy-key`,
 *   or in whichever of `x-api-key` / `Authorization: Bearer` the client's own credential does
 *   not use);
 * - not set: only requests to a loopback host (`npm run dev`), unless ALLOW_ANONYMOUS=true.
 * Refusals are traced without their body. The rate limiter (RATE_LIMITER) runs first, so a flood
 * of bad keys is slowed down like anything else.
 */
export const requireAccess: MiddlewareHandler<V1Env> = async (c, next) => {
  const config = c.get('config');
  const recorder = c.get('recorder');
  const client = await identifyClient(c.req.raw.headers, config.proxyKeys);
  recorder.client(client);
  c.set('client', client);
  if (config.rateLimiter) {
    const { success } = await config.rateLimiter.limit({ key: rateLimitKey(client, clientIp(c.req.raw.headers)) });
    if (!success) {
      throw refuse(c, new ProxyError('rate_limit_error', 'rate limit exceeded: slow down and retry later', 429, { 'retry-after': RATE_LIMIT_RETRY_AFTER }));
    }
  }
  if (config.proxyKeys.configured) {
    if (!client.proxyKeyName) throw refuse(c, missingProxyKey(client.presented));
  } else if (!config.allowAnonymous && !LOOPBACK.has(new URL(c.req.url).hostname)) {
    throw refuse(
      c,
      new ProxyError(
        'authentication_error',
        'this proxy has no PROXY_API_KEYS, so it serves no one but this machine: set the PROXY_API_KEYS secret (wrangler secret put PROXY_API_KEYS) and send one as x-proxy-key, x-api-key or Authorization: Bearer; or set ALLOW_ANONYMOUS=true to serve anyone',
      ),
    );
  }
  await next();
};

/** Marks the request refused (its body is never stored) and returns the error to throw. */
export function refuse(c: Parameters<MiddlewareHandler<V1Env>>[0], error: ProxyError): ProxyError {
  c.get('recorder').refuse(error);
  return error;
}

const HOW_TO_SEND =
  'send one of PROXY_API_KEYS as x-proxy-key (beside your own Anthropic key or subscription; Claude Code: ANTHROPIC_CUSTOM_HEADERS="x-proxy-key: <key>"), or as x-api-key or Authorization: Bearer';

function missingProxyKey(presented: boolean): ProxyError {
  return new ProxyError(
    'authentication_error',
    presented ? `invalid proxy API key: no credential in this request is one of PROXY_API_KEYS; ${HOW_TO_SEND}` : `missing proxy API key: ${HOW_TO_SEND}`,
  );
}
