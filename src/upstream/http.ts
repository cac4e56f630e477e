/**
 * Appends an API path to a base URL, keeping the base's own path prefix and query
 * (gateways serve under prefixes such as https://gw.example.com/anthropic).
 */
export function joinUrl(baseUrl: string, path: string): string {
  const url = new URL(baseUrl);
  url.pathname = url.pathname.replace(/\/+$/, '') + path;
  return url.toString();
}

/** Never forwarded: hop-by-hop headers, ones the runtime sets, the platform's own, and credentials (set per route). */
const DROPPED_REQUEST_HEADERS = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'accept-encoding',
  'cookie',
  'x-api-key',
  'authorization',
  'x-real-ip',
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
  'cdn-loop',
  'true-client-ip',
]);

/** Client headers to forward upstream (anthropic-version, anthropic-beta, user-agent, …) plus the route's auth. */
export function forwardedHeaders(client: Headers, auth: Record<string, string>): Headers {
  const headers = new Headers();
  client.forEach((value, name) => {
    if (!DROPPED_REQUEST_HEADERS.has(name) && !name.startsWith('cf-')) headers.set(name, value);
  });
  for (const [name, value] of Object.entries(auth)) headers.set(name, value);
  return headers;
}

const DROPPED_RESPONSE_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'content-encoding', 'set-cookie']);

/** Upstream response headers for the client: the runtime has decoded the body, so length and encoding go. */
export function relayedResponseHeaders(upstream: Headers): Headers {
  const headers = new Headers();
  upstream.forEach((value, name) => {
    if (!DROPPED_RESPONSE_HEADERS.has(name) && !name.startsWith('cf-')) headers.set(name, value);
  });
  return headers;
}
