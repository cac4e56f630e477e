/**
 * Appends an API path to a base URL, keeping the base's own path prefix and query
 * (gateways serve under prefixes such as https://gw.example.com/anthropic).
 */
export function joinUrl(baseUrl: string, path: string): string {
  const url = new URL(baseUrl);
  url.pathname = url.pathname.replace(/\/+$/, '') + path;
  return url.toString();
}

import type { UpstreamCredentials } from './auth';

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
  'x-proxy-key',
  'authorization',
  'x-real-ip',
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
  'cdn-loop',
  'true-client-ip',
]);

/**
 * What goes upstream beside the owner's key: only what the Messages API needs. Anything else a
 * client sends (forwarding headers, method overrides, other credentials, custom headers) would
 * reach the owner's provider account in the owner's name.
 */
const SERVER_KEY_REQUEST_HEADERS = new Set(['content-type', 'accept', 'user-agent', 'anthropic-version', 'anthropic-beta']);

/**
 * Client headers to forward upstream plus the route's auth. With the client's own credential,
 * everything but hop-by-hop, platform and credential headers goes (anthropic-version,
 * anthropic-beta, Claude Code's own); with the owner's key, only the allowlist.
 */
export function forwardedHeaders(client: Headers, auth: UpstreamCredentials): Headers {
  const headers = new Headers();
  client.forEach((value, name) => {
    if (auth.serverKey ? SERVER_KEY_REQUEST_HEADERS.has(name) : !DROPPED_REQUEST_HEADERS.has(name) && !name.startsWith('cf-')) headers.set(name, value);
  });
  for (const [name, value] of Object.entries(auth.headers)) headers.set(name, value);
  return headers;
}

const DROPPED_RESPONSE_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'content-encoding', 'set-cookie']);

/** Response headers that describe the upstream account: not for clients of an owner's key. */
const ACCOUNT_RESPONSE_HEADER = /^(?:anthropic-organization-id|openai-organization|openai-project|x-organization-id|x-project-id)$/;

/**
 * Upstream response headers for the client: the runtime has decoded the body, so length and
 * encoding go; on the owner's key, so do the headers naming the owner's account.
 */
export function relayedResponseHeaders(upstream: Headers, serverKey = false): Headers {
  const headers = new Headers();
  upstream.forEach((value, name) => {
    if (DROPPED_RESPONSE_HEADERS.has(name) || name.startsWith('cf-') || (serverKey && ACCOUNT_RESPONSE_HEADER.test(name))) return;
    headers.set(name, value);
  });
  return headers;
}

/** Slices a streamed body is sent in: views of the bytes, no copies. */
const BODY_SLICE = 64 * 1024;

/**
 * A body's bytes as a stream of the given length: the runtime sends it slice by slice instead of
 * copying the whole body into the outgoing request first (a large request is held once, not twice).
 */
export function bytesStream(bytes: ArrayBuffer): ReadableStream<Uint8Array> {
  const view = new Uint8Array(bytes);
  let offset = 0;
  const source = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (offset >= view.byteLength) return controller.close();
        controller.enqueue(view.subarray(offset, offset + BODY_SLICE));
        offset += BODY_SLICE;
      },
    },
    { highWaterMark: 0 },
  );
  const fixed = new FixedLengthStream(view.byteLength);
  source.pipeTo(fixed.writable).catch(() => {});
  return fixed.readable;
}
