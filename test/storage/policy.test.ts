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
    expect(env.DB).toBeDefined();
  });
});
