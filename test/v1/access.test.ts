import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it } from 'vitest';
import { parseProxyKeys } from '../../src/config/proxy-keys';
import { jsonResponse, messageRequest, messageResponse } from '../fixtures/anthropic';
import { post, scriptUpstream, traceOf } from '../helpers/worker';

let upstream: ReturnType<typeof scriptUpstream> | undefined;
afterEach(() => upstream?.restore());

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

const serverRoute = (keys: string) => ({
  ROUTES: [{ match: '*', provider: 'anthropic', baseUrl: 'https://api.anthropic.com', apiKey: 'ANTHROPIC_API_KEY', retries: 0 }],
  ANTHROPIC_API_KEY: 'sk-ant-server-key-access-tests',
  PROXY_API_KEYS: keys,
});

describe('PROXY_API_KEYS entries', () => {
  it('accept sha256 digests, so plain keys need not sit in configuration', async () => {
    const digest = await sha256Hex('digest-only-key-123456');
    upstream = scriptUpstream(() => jsonResponse(messageResponse));
    const ok = await post('/v1/messages', messageRequest, { 'x-api-key': 'digest-only-key-123456' }, serverRoute(`sha256:${digest}`));
    expect(ok.response.status).toBe(200);
    const wrong = await post('/v1/messages', messageRequest, { 'x-api-key': 'digest-only-key-123457' }, serverRoute(`sha256:${digest}`));
    expect(wrong.response.status).toBe(401);
    // the digest itself is not a key
    const literal = await post('/v1/messages', messageRequest, { 'x-api-key': `sha256:${digest}` }, serverRoute(`sha256:${digest}`));
    expect(literal.response.status).toBe(401);
  });

  it('record the name of the key used, never the key', async () => {
    const digest = await sha256Hex('ci-key-value-000111');
    const keys = `alice:alice-key-value-000111, ci:sha256:${digest}, plain-unnamed-key-0001`;
    upstream = scriptUpstream(() => jsonResponse(messageResponse));
    const cases: [string, string | null][] = [
      ['alice-key-value-000111', 'alice'],
      ['ci-key-value-000111', 'ci'],
      ['plain-unnamed-key-0001', 'key#3'],
    ];
    for (const [key, name] of cases) {
      const sent = await post('/v1/messages', messageRequest, { authorization: `Bearer ${key}` }, serverRoute(keys));
      expect(sent.response.status).toBe(200);
      const row = await traceOf(sent);
      expect(row.apiKeyName).toBe(name);
      expect(JSON.stringify(row)).not.toContain(key);
    }
  });

  it('parse names, digests and plain keys', async () => {
    const digest = 'ab'.repeat(32);
    const parsed = parseProxyKeys(` a:one , sha256:${digest},b:sha256:${digest.toUpperCase()}, two ,,`);
    const keys = await parsed.entries();
    expect(keys.map((key) => key.name)).toEqual(['a', 'key#2', 'b', 'key#4']);
    expect(keys[1]!.digest).toEqual(new Uint8Array(32).fill(0xab));
    expect(keys[2]!.digest).toEqual(new Uint8Array(32).fill(0xab));
    expect(parsed.plain).toEqual(['one', 'two']);
    expect(parsed.configured).toBe(true);
    expect(parseProxyKeys(undefined).configured).toBe(false);
  });
});

describe('rate limiting with the Workers Rate Limiting binding', () => {
  it('answers 429 rate_limit_error with retry-after once a key is over its limit, per key', async () => {
    upstream = scriptUpstream(() => jsonResponse(messageResponse));
    const config = { ...serverRoute('a:key-aaaaaaaa-1, b:key-bbbbbbbb-2'), RATE_LIMITER: env.TEST_RATE_LIMITER };
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await post('/v1/messages', messageRequest, { 'x-api-key': 'key-aaaaaaaa-1' }, config)).response.status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    const limited = await post('/v1/messages', messageRequest, { 'x-api-key': 'key-aaaaaaaa-1' }, config);
    expect(limited.response.headers.get('retry-after')).toBe('60');
    expect(await limited.response.json()).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    expect((await traceOf(limited)).errorType).toBe('rate_limit_error');
    // another key has its own budget
    expect((await post('/v1/messages', messageRequest, { 'x-api-key': 'key-bbbbbbbb-2' }, config)).response.status).toBe(200);
    expect(upstream.calls).toHaveLength(4);
  });

  it('limits nothing without the binding', async () => {
    upstream = scriptUpstream(() => jsonResponse(messageResponse));
    for (let i = 0; i < 6; i++) {
      expect((await post('/v1/messages', messageRequest, { 'x-api-key': 'key-cccccccc-3' }, serverRoute('c:key-cccccccc-3'))).response.status).toBe(200);
    }
  });
});
