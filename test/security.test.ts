import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import app from '../src/index';
import { jsonResponse, messageRequest, messageResponse } from './fixtures/anthropic';
import { completion } from './fixtures/openai';
import { allTraces, post, scriptUpstream, send, traceOf } from './helpers/worker';

/**
 * The findings of an attack on `wrangler dev`, one reproduction each: every test here failed
 * before the fix it names.
 */

let upstream: ReturnType<typeof scriptUpstream> | undefined;
afterEach(() => {
  upstream?.restore();
  vi.restoreAllMocks();
});

/** A request to the worker as deployed: on a public host, not loopback. */
async function deployed(path: string, init: RequestInit = {}, overrides: Record<string, unknown> = {}) {
  const ctx = createExecutionContext();
  const response = await app.fetch(new Request(`https://claude-proxy.example.workers.dev${path}`, init), { ...env, ...overrides } as never, ctx);
  return { response, ctx, traceId: response.headers.get('x-trace-id') };
}

const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

const errorOf = async (response: Response) => ((await response.json()) as { error: { type: string; message: string } }).error;

describe('1. no open relay', () => {
  it('a deployed worker without PROXY_API_KEYS serves no stranger, and says what to set', async () => {
    upstream = scriptUpstream(() => jsonResponse(messageResponse));
    const sent = await deployed('/v1/messages', json(messageRequest, { 'x-api-key': 'sk-ant-stranger-key-0001' }));
    expect(sent.response.status).toBe(401);
    const error = await errorOf(sent.response);
    expect(error.type).toBe('authentication_error');
    expect(error.message).toContain('set the PROXY_API_KEYS secret');
    expect(error.message).toContain('ALLOW_ANONYMOUS=true');
    expect(upstream.calls).toHaveLength(0);
    expect(await traceOf(sent)).toMatchObject({ status: 401, requestBody: null });
  });

  it('serves anyone with ALLOW_ANONYMOUS=true, and /health says it is open', async () => {
    upstream = scriptUpstream(() => jsonResponse(messageResponse));
    const sent = await deployed('/v1/messages', json(messageRequest, { 'x-api-key': 'sk-ant-anyone-key-0001' }), { ALLOW_ANONYMOUS: 'true' });
    expect(sent.response.status).toBe(200);
    const health = await deployed('/health', {}, { ALLOW_ANONYMOUS: 'true' });
    expect(await health.response.json()).toMatchObject({ status: 'degraded', reason: expect.stringContaining('open to anonymous use') });
    const closed = await deployed('/health');
    expect(((await closed.response.json()) as { reason?: string }).reason ?? '').not.toContain('anonymous');
  });

  it('keeps npm run dev working with no setting: loopback hosts are served', async () => {
    upstream = scriptUpstream(() => jsonResponse(messageResponse));
    for (const host of ['localhost', '127.0.0.1', '[::1]']) {
      const ctx = createExecutionContext();
      const response = await app.fetch(
        new Request(`http://${host}:8787/v1/messages`, json(messageRequest, { 'x-api-key': 'sk-ant-dev-key-0001' })),
        env as never,
        ctx,
      );
      expect(response.status, host).toBe(200);
      await response.arrayBuffer();
      await waitOnExecutionContext(ctx);
    }
  });

  it('with PROXY_API_KEYS, /v1/models and /v1/models/:id need a key too, and name no upstream host', async () => {
    const settings = {
      PROXY_API_KEYS: 'team:proxy-key-models-0001',
      ROUTES: [{ match: 'claude-opus-4-8', provider: 'openai', baseUrl: 'http://10.0.0.5:19090/v1', model: 'gpt-anything' }],
    };
    expect((await send('/v1/models', {}, settings)).response.status).toBe(401);
    expect((await send('/v1/models/claude-opus-4-8', {}, settings)).response.status).toBe(401);
    const one = await send('/v1/models/claude-opus-4-8', { headers: { 'x-proxy-key': 'proxy-key-models-0001' } }, settings);
    const text = await one.response.text();
    expect(one.response.status).toBe(200);
    expect(JSON.parse(text)).toMatchObject({ id: 'claude-opus-4-8', display_name: 'gpt-anything (openai)' });
    expect(text).not.toContain('10.0.0.5');
  });
});

describe('2. strangers cannot fill D1', () => {
  const keyed = { PROXY_API_KEYS: 'team:proxy-key-fill-0001' };

  it('a refused request stores who tried what, never its upload', async () => {
    upstream = scriptUpstream(() => jsonResponse(messageResponse));
    const upload = JSON.stringify({ ...messageRequest, messages: [{ role: 'user', content: 'x'.repeat(2_000_000) }] });
    const headers = { 'x-api-key': 'not-a-proxy-key', 'user-agent': 'curl/8.0', 'cf-connecting-ip': '203.0.113.9', 'content-length': String(upload.length) };
    const sent = await post('/v1/messages', upload, headers, keyed);
    expect(sent.response.status).toBe(401);
    const row = await traceOf(sent);
    expect(row).toMatchObject({
      status: 401,
      errorType: 'authentication_error',
      requestBody: null,
      responseBody: null,
      userAgent: 'curl/8.0',
      clientIp: '203.0.113.9',
    });
    expect(row.requestBytes).toBeGreaterThan(2_000_000); // its size, from content-length
    const stored = await env.DB.prepare('SELECT LENGTH(request_body) AS n FROM traces WHERE id = ?').bind(row.id).first<{ n: number | null }>();
    expect(stored?.n).toBeNull();
  });

  it('a refused request or an unknown path stores no large headers and makes no session', async () => {
    const junk = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`x-junk-${i}`, 'j'.repeat(8_000)]));
    const headers = { ...junk, 'x-api-key': 'not-a-proxy-key', 'user-agent': 'U'.repeat(8_000), 'x-claude-code-session-id': 'attacker-session' };
    for (const path of ['/v1/messages', '/nope']) {
      const sent = await post(path, messageRequest, headers, keyed);
      expect(sent.response.status).toBeGreaterThanOrEqual(400);
      const row = await traceOf(sent);
      const stored = await env.DB.prepare('SELECT LENGTH(request_headers) AS headers, LENGTH(user_agent) AS agent, session_id FROM traces WHERE id = ?')
        .bind(row.id)
        .first<{ headers: number; agent: number; session_id: string | null }>();
      expect(stored!.headers).toBeLessThan(20_000);
      expect(stored!.agent).toBeLessThanOrEqual(513);
      expect(stored!.session_id).toBeNull();
    }
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM sessions WHERE id = 'attacker-session'").first('n')).toBe(0);
  });

  it('checks the proxy key before reading the body: a body that never ends does not hold the answer back', async () => {
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(new TextEncoder().encode('{"model":"claude-sonnet-4-6",'));
      },
    });
    const sent = await send(
      '/v1/messages',
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: endless, duplex: 'half' } as RequestInit,
      keyed,
    );
    expect(sent.response.status).toBe(401);
    expect(pulled).toBeLessThan(5);
  });

  it('limits clients without a valid key by address: rotating random keys still meets 429', async () => {
    upstream = scriptUpstream(() => jsonResponse(messageResponse));
    const settings = { ...keyed, RATE_LIMITER: env.TEST_RATE_LIMITER };
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const sent = await post(
        '/v1/messages',
        messageRequest,
        { 'x-api-key': `random-key-${i}-${crypto.randomUUID()}`, 'cf-connecting-ip': '198.51.100.77' },
        settings,
      );
      statuses.push(sent.response.status);
      if (sent.response.status === 429) expect(sent.response.headers.get('retry-after')).toBe('60');
    }
    expect(statuses.slice(0, 3)).toEqual([401, 401, 401]);
    expect(statuses.slice(3)).toEqual([429, 429]);
  });
});

describe('3. secrets, however they are written', () => {
  const SECRET = 'sk-test-0123456789abcdefABCDEF';
  const settings = {
    ROUTES: [
      { match: 'claude-openai-*', provider: 'openai', baseUrl: 'https://llm.example/v1', model: 'm', apiKey: 'LLM_KEY', retries: 0 },
      { match: '*', provider: 'anthropic', baseUrl: 'https://api.anthropic.com', apiKey: 'ANTHROPIC_API_KEY', retries: 0 },
    ],
    LLM_KEY: SECRET,
    ANTHROPIC_API_KEY: 'sk-ant-api03-server-held-key-0123456789',
    PROXY_API_KEYS: 'team:proxy-key-secrets-0001',
    ADMIN_TOKEN: 'admin-token-secrets-test-0123456789',
  };
  const auth = { 'x-proxy-key': 'proxy-key-secrets-0001' };

  it('a secret written with JSON escapes is stored nowhere, and the API never decodes it back', async () => {
    upstream = scriptUpstream(() => jsonResponse(completion({ content: 'ok' })));
    const escaped = SECRET.replaceAll('-', '\\u002d');
    const text = `{"model":"claude-openai-1","max_tokens":16,"messages":[{"role":"user","content":"my key is ${escaped} and the admin one is ${settings.ADMIN_TOKEN}"}]}`;
    const sent = await post('/v1/messages', text, auth, settings);
    expect(sent.response.status).toBe(200);
    const row = await traceOf(sent);
    for (const column of [row.requestBody, row.upstreamRequestBody]) {
      expect(column).not.toContain(SECRET);
      expect(column).not.toContain(escaped);
      expect(column).not.toContain(settings.ADMIN_TOKEN);
      expect(column).toContain('[redacted]');
    }
    const api = await send(`/api/traces/${row.id}`, { headers: { authorization: `Bearer ${settings.ADMIN_TOKEN}` } }, settings);
    const apiText = await api.response.text();
    expect(api.response.status).toBe(200);
    expect(apiText).not.toContain(SECRET);
    expect(
      JSON.stringify(await (await send(`/api/traces/${row.id}`, { headers: { authorization: `Bearer ${settings.ADMIN_TOKEN}` } }, settings)).response.json()),
    ).not.toContain(SECRET);
  });

  it('a header that carries a secret, whatever its name, is redacted whole', async () => {
    upstream = scriptUpstream(() => jsonResponse(messageResponse));
    const sent = await post(
      '/v1/messages',
      messageRequest,
      { ...auth, 'x-debug': `forwarded ${SECRET}`, 'x-upstream': encodeURIComponent(SECRET), 'x-note': 'hello' },
      settings,
    );
    const row = await traceOf(sent);
    expect(row.requestHeaders).toMatchObject({ 'x-debug': '[redacted]', 'x-upstream': '[redacted]', 'x-note': 'hello' });
  });

  it('an upstream error that echoes the owner’s key reaches the client with the key replaced, on every provider', async () => {
    upstream = scriptUpstream((request) => {
      const key = request.headers.get('x-api-key') ?? request.headers.get('authorization')?.replace('Bearer ', '');
      return request.url.includes('llm.example')
        ? Response.json({ error: { message: `bad key ${key}`, type: 'invalid_request_error' } }, { status: 401 })
        : Response.json({ type: 'error', error: { type: 'authentication_error', message: `invalid x-api-key ${key}` } }, { status: 401 });
    });
    for (const model of ['claude-openai-1', 'claude-sonnet-4-6']) {
      const sent = await post('/v1/messages', { ...messageRequest, model }, auth, settings);
      const text = await sent.response.text();
      expect(sent.response.status, model).toBe(401);
      expect(text, model).not.toContain(SECRET);
      expect(text, model).not.toContain(settings.ANTHROPIC_API_KEY);
      expect(text, model).toContain('[redacted]');
    }
  });

  it('routes on the owner’s key forward only the allowlisted headers, and relay no account header', async () => {
    upstream = scriptUpstream(() => jsonResponse(messageResponse, 200, { 'anthropic-organization-id': 'org-owner-0001', 'request-id': 'req_1' }));
    const sent = await post(
      '/v1/messages',
      messageRequest,
      {
        ...auth,
        'anthropic-version': '2023-06-01',
        'anthropic-beta': 'context-management-2025-06-27',
        via: '1.1 attacker',
        forwarded: 'for=1.2.3.4',
        'x-forwarded-server': 'evil',
        'x-original-url': '/admin',
        'x-http-method-override': 'DELETE',
        origin: 'https://evil.example',
        referer: 'https://evil.example/',
        'api-key': 'other-credential',
        'x-goog-api-key': 'other-credential',
        'x-custom': 'anything',
      },
      settings,
    );
    expect(sent.response.status).toBe(200);
    const forwarded = [...upstream.calls[0]!.headers.keys()];
    const allowed = new Set(['accept', 'anthropic-beta', 'anthropic-version', 'content-length', 'content-type', 'user-agent', 'x-api-key']);
    for (const name of forwarded) expect(allowed.has(name), `${name} went upstream`).toBe(true);
    for (const name of ['anthropic-beta', 'anthropic-version', 'content-type', 'x-api-key']) expect(forwarded).toContain(name);
    expect(upstream.calls[0]!.headers.get('x-api-key')).toBe(settings.ANTHROPIC_API_KEY);
    expect(sent.response.headers.has('anthropic-organization-id')).toBe(false);
    expect(sent.response.headers.get('request-id')).toBe('req_1');
  });
});

describe('4. the admin token cannot be guessed', () => {
  const admin = { ADMIN_TOKEN: 'admin-token-throttle-test-0123456789' };

  it('throttles /api bearer checks per address after repeated failures, with 429 and retry-after', async () => {
    const from = (ip: string, token: string) => send('/api/stats', { headers: { authorization: `Bearer ${token}`, 'cf-connecting-ip': ip } }, admin);
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push((await from('192.0.2.10', `guess-${i}-aaaaaaaaaaaaaaaaaaaa`)).response.status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual(Array(20).fill(429));
    const refused = await from('192.0.2.10', admin.ADMIN_TOKEN);
    expect(refused.response.status).toBe(429); // even the right token, until the window ends
    expect(Number(refused.response.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await errorOf(refused.response)).type).toBe('rate_limit_error');
    expect((await from('192.0.2.11', admin.ADMIN_TOKEN)).response.status).toBe(200); // another address
  });

  it('counts an IPv6 client by its /64: rotating addresses inside it does not reset the count', async () => {
    const from = (ip: string, token: string) => send('/api/stats', { headers: { authorization: `Bearer ${token}`, 'cf-connecting-ip': ip } }, admin);
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await from(`2001:db8:aa:bb::${(i + 1).toString(16)}`, `guess-v6-${i}-aaaaaaaaaaaaaaaa`)).response.status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual([429, 429]);
    expect((await from('2001:db8:aa:bb:1:2:3:4', admin.ADMIN_TOKEN)).response.status).toBe(429); // the same /64, written out in full
    expect((await from('2001:db8:aa:cc::1', admin.ADMIN_TOKEN)).response.status).toBe(200); // another /64
  });

  it('throttles viewer sign-in the same way, counting every wrong token from the address', async () => {
    const login = (token: string) =>
      send(
        '/ui/login',
        {
          method: 'POST',
          body: new URLSearchParams({ token }),
          headers: { origin: 'http://localhost', 'content-type': 'application/x-www-form-urlencoded', 'cf-connecting-ip': '192.0.2.20' },
          redirect: 'manual',
        },
        admin,
      );
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await login(`wrong-${i}-bbbbbbbbbbbbbbbbbbbbbb`)).response.status);
    expect(statuses).toEqual([...Array(10).fill(401), 429, 429]);
    const right = await login(admin.ADMIN_TOKEN);
    expect(right.response.status).toBe(429);
    expect(right.response.headers.get('retry-after')).toMatch(/^\d+$/);
  });
});

describe('5. robustness', () => {
  const admin = { ADMIN_TOKEN: 'admin-token-robustness-0123456789' };
  const bearer = { authorization: `Bearer ${admin.ADMIN_TOKEN}` };

  it('answers out-of-range parameters with a 400 naming them, never a 500', async () => {
    for (const [path, parameter] of [
      ['/api/sessions?cursor=1e308', 'cursor'],
      ['/api/stats?until=99999999999999999', 'until'],
      ['/api/traces?limit=0', 'limit'],
      ['/api/traces?cursor=%27%3B%20DROP%20TABLE%20traces', 'cursor'],
    ] as const) {
      const { response } = await send(path, { headers: bearer }, admin);
      expect(response.status, path).toBe(400);
      expect((await errorOf(response)).message, path).toMatch(new RegExp(`^${parameter}: `));
    }
  });

  it('never puts SQL in an error message', async () => {
    const failing = {
      prepare: () => {
        throw new Error('Failed query: select "id", "created_at" from "traces" where "traces"."id" = ? params: x');
      },
      batch: () => Promise.reject(new Error('D1_ERROR: no such table: traces: SQLITE_ERROR')),
    };
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const { response } = await send('/api/traces/01ABCDEFGHJKMNPQRSTVWXYZ01', { headers: bearer }, { ...admin, DB: failing });
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(text).not.toMatch(/select|from "traces"|SQLITE/i);
    expect((JSON.parse(text) as { error: { message: string } }).error.message).toBe(
      'internal proxy error: a database query failed (the worker log has the details, under this trace id)',
    );
  });

  it('records a client that leaves while still sending its body as a 499 client_abort', async () => {
    const broken = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"model":"claude-sonnet-4-6","messages":['));
      },
      pull(controller) {
        controller.error(new Error('Network connection lost.'));
      },
    });
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const sent = await send('/v1/messages', { method: 'POST', headers: { 'content-type': 'application/json' }, body: broken, duplex: 'half' } as RequestInit);
    expect(sent.response.status).toBe(499);
    const row = await traceOf(sent);
    expect(row).toMatchObject({ status: 499, errorType: 'client_abort', endReason: 'client_abort' });
    expect(errors).not.toHaveBeenCalled(); // no unhandled_error line
  });

  it('keeps one key’s session apart from another key’s client that reuses its id', async () => {
    upstream = scriptUpstream(() => jsonResponse(messageResponse));
    const settings = { ...admin, PROXY_API_KEYS: 'alice:alice-key-sessions-0001,mallory:mallory-key-sessions-0002' };
    const sessionId = `shared-${crypto.randomUUID()}`;
    for (const key of ['alice-key-sessions-0001', 'alice-key-sessions-0001', 'mallory-key-sessions-0002']) {
      await traceOf(await post('/v1/messages', messageRequest, { 'x-api-key': key, 'x-claude-code-session-id': sessionId }, settings));
    }
    const list = (await (await send('/api/sessions?limit=500', { headers: bearer }, settings)).response.json()) as {
      data: { session_id: string; api_key_name: string; requests: number }[];
    };
    const rows = list.data.filter((session) => session.session_id === sessionId).map((s) => [s.api_key_name, s.requests]);
    expect(rows.sort()).toEqual([
      ['alice', 2],
      ['mallory', 1],
    ]);
    const owner = (await (await send(`/api/sessions/${sessionId}`, { headers: bearer }, settings)).response.json()) as {
      session: { api_key_name: string };
      traces: unknown[];
    };
    expect(owner.session.api_key_name).toBe('alice');
    expect(owner.traces).toHaveLength(2);
    const theirs = (await (await send(`/api/sessions/${sessionId}?key=mallory`, { headers: bearer }, settings)).response.json()) as { traces: unknown[] };
    expect(theirs.traces).toHaveLength(1);
    expect((await allTraces()).filter((row) => row.sessionId === sessionId)).toHaveLength(3);
  });
});
