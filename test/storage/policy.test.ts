import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { jsonResponse, messageRequest, messageResponse } from '../fixtures/anthropic';
import { allTraces, post, scriptUpstream, send, traceOf } from '../helpers/worker';
import { waitOnExecutionContext } from 'cloudflare:test';

let upstream: ReturnType<typeof scriptUpstream> | undefined;
afterEach(() => {
  upstream?.restore();
  vi.restoreAllMocks();
});

const client = { 'x-api-key': 'sk-ant-policy-client-key' };
const failing = () => jsonResponse({ type: 'error', error: { type: 'api_error', message: 'boom' } }, 500);
const noRetry = [{ match: '*', provider: 'anthropic', baseUrl: 'https://api.anthropic.com', apiKey: 'client', retries: 0 }];

describe('TRACE_BODIES', () => {
  it('errors: keeps bodies of failed requests only', async () => {
    upstream = scriptUpstream(() => jsonResponse(messageResponse));
    const ok = await traceOf(await post('/v1/messages', messageRequest, client, { TRACE_BODIES: 'errors' }));
    expect(ok.requestBody).toBeNull();
    expect(ok.responseBody).toBeNull();
    expect(ok.requestBytes).toBeGreaterThan(0);
    expect(ok.outputTokens).toBe(6); // the summary is kept
    upstream.restore();
    upstream = scriptUpstream(failing);
    const failed = await traceOf(await post('/v1/messages', messageRequest, client, { TRACE_BODIES: 'errors', ROUTES: noRetry }));
    expect(failed.requestBody).toBe(JSON.stringify(messageRequest));
    expect(failed.responseBody).toContain('boom');
  });

  it('none: keeps no bodies at all', async () => {
    upstream = scriptUpstream(failing);
    const failed = await traceOf(await post('/v1/messages', messageRequest, client, { TRACE_BODIES: 'none', ROUTES: noRetry }));
    expect(failed.requestBody).toBeNull();
    expect(failed.responseBody).toBeNull();
    expect(failed.errorType).toBe('api_error');
  });
});

describe('TRACE_SAMPLE_RATE', () => {
  it('samples successful requests and never drops a failed one', async () => {
    upstream = scriptUpstream((request) => (request.headers.get('x-fail') ? failing() : jsonResponse(messageResponse)));
    const before = (await allTraces()).length;
    const ids = { ok: [] as string[], failed: [] as string[] };
    for (let i = 0; i < 20; i++) {
      const fail = i % 2 === 0;
      const sent = await post('/v1/messages', messageRequest, { ...client, ...(fail ? { 'x-fail': '1' } : {}) }, { TRACE_SAMPLE_RATE: '0', ROUTES: noRetry });
      await sent.response.text();
      await waitOnExecutionContext(sent.ctx);
      (fail ? ids.failed : ids.ok).push(sent.traceId!);
    }
    const stored = new Set((await allTraces()).map((row) => row.id));
    expect(stored.size - before).toBe(10);
    for (const id of ids.failed) expect(stored.has(id)).toBe(true);
    for (const id of ids.ok) expect(stored.has(id)).toBe(false);
  });

  it('keeps about the given share', async () => {
    upstream = scriptUpstream(() => jsonResponse(messageResponse));
    const random = vi.spyOn(Math, 'random').mockReturnValue(0.49);
    const kept = await post('/v1/messages', messageRequest, client, { TRACE_SAMPLE_RATE: '0.5' });
    await kept.response.text();
    await waitOnExecutionContext(kept.ctx);
    random.mockReturnValue(0.51);
    const dropped = await post('/v1/messages', messageRequest, client, { TRACE_SAMPLE_RATE: '0.5' });
    await dropped.response.text();
    await waitOnExecutionContext(dropped.ctx);
    const stored = new Set((await allTraces()).map((row) => row.id));
    expect(stored.has(kept.traceId!)).toBe(true);
    expect(stored.has(dropped.traceId!)).toBe(false);
  });
});

describe('TRACING=off', () => {
  it('serves without writing anything', async () => {
    upstream = scriptUpstream(() => jsonResponse(messageResponse));
    const before = (await allTraces()).length;
    const sent = await send(
      '/v1/messages',
      { method: 'POST', headers: { 'content-type': 'application/json', ...client }, body: JSON.stringify(messageRequest) },
      { TRACING: 'off' },
    );
    expect(await sent.response.json()).toEqual(messageResponse);
    await waitOnExecutionContext(sent.ctx);
    expect((await allTraces()).length).toBe(before);
    const spend = await env.DB.prepare('SELECT COUNT(*) AS n FROM key_spend').first<{ n: number }>();
    expect(spend?.n).toBe(0);
  });

  it('still counts a named key’s spend, so KEY_BUDGETS refuses a key over its cap', async () => {
    // 100k input + 10k output tokens of claude-sonnet-4-6 at $3/$15 per Mtok: $0.45 an answer.
    upstream = scriptUpstream(() => jsonResponse({ ...messageResponse, usage: { input_tokens: 100_000, output_tokens: 10_000 } }));
    const settings = {
      TRACING: 'off',
      ROUTES: [{ match: '*', provider: 'anthropic', baseUrl: 'https://api.anthropic.com', apiKey: 'ANTHROPIC_API_KEY', retries: 0 }],
      ANTHROPIC_API_KEY: 'sk-ant-server-key-tracing-off',
      PROXY_API_KEYS: 'quiet:quiet-proxy-key-0001',
      KEY_BUDGETS: JSON.stringify({ quiet: { daily: 0.5 } }),
    };
    const before = (await allTraces()).length;
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const sent = await post('/v1/messages', messageRequest, { 'x-api-key': 'quiet-proxy-key-0001' }, settings);
      statuses.push(sent.response.status);
      await sent.response.arrayBuffer();
      await waitOnExecutionContext(sent.ctx);
    }
    // $0.45, then $0.90 ≥ $0.50: the third is refused; nothing was traced.
    expect(statuses).toEqual([200, 200, 403]);
    expect((await allTraces()).length).toBe(before);
    const day = new Date().toISOString().slice(0, 10);
    const row = await env.DB.prepare('SELECT cost_micros, requests FROM key_spend WHERE api_key_name = ? AND period = ?').bind('quiet', day).first();
    expect(row).toEqual({ cost_micros: 900_000, requests: 3 });
  });
});
