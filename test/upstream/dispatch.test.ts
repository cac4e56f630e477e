import { waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { backoff, isRetryable, retryAfterMs } from '../../src/upstream/dispatch';
import { jsonResponse, messageRequest, messageResponse, sseResponse, streamFrames } from '../fixtures/anthropic';
import { chunk, completion, sse } from '../fixtures/openai';
import { controlledStream, post, scriptUpstream, send, traceOf } from '../helpers/worker';

let upstream: ReturnType<typeof scriptUpstream> | undefined;
afterEach(() => upstream?.restore());

const client = { 'x-api-key': 'sk-ant-client-key-dispatch-1' };
/** The client's own key, and the proxy key beside it. */
const withProxyKey = { ...client, 'x-proxy-key': 'proxy-key-fallbacks-1' };
const anthropicRoute = (extra: Record<string, unknown> = {}) => ({
  ROUTES: [{ match: '*', provider: 'anthropic', baseUrl: 'https://primary.example', apiKey: 'client', ...extra }],
});

/** An upstream that never answers, but lets go when the proxy aborts the call. */
function hang(request: Request): Promise<Response> {
  return new Promise((_, reject) => request.signal.addEventListener('abort', () => reject(request.signal.reason ?? new Error('aborted'))));
}

describe('timeouts', () => {
  it('answers 504 timeout_error when the upstream does not answer within timeoutMs', async () => {
    upstream = scriptUpstream((request) => hang(request));
    const started = Date.now();
    const sent = await post('/v1/messages', messageRequest, client, anthropicRoute({ timeoutMs: 50, retries: 0 }));
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(sent.response.status).toBe(504);
    expect(await sent.response.json()).toMatchObject({
      type: 'error',
      error: { type: 'timeout_error', message: 'the upstream primary.example did not answer within 50 ms' },
    });
    const row = await traceOf(sent);
    expect(row.errorType).toBe('timeout_error');
    expect(row.attempts).toEqual([
      {
        target: 'ROUTES[0]',
        provider: 'anthropic',
        url: 'https://primary.example/v1/messages',
        status: null,
        error: expect.stringContaining('did not answer within 50 ms'),
        ms: expect.any(Number),
      },
    ]);
  });

  it('aborts a passthrough stream that stalls, and the trace names the silence', async () => {
    const source = controlledStream();
    upstream = scriptUpstream(() => sseResponse(source.stream));
    const sent = await post('/v1/messages', { ...messageRequest, stream: true }, client, anthropicRoute({ idleTimeoutMs: 60 }));
    source.push(streamFrames[0]!);
    source.push(streamFrames[2]!);
    // Piped natively, the stream cannot take an error event: it errors instead of ending.
    await expect(sent.response.text()).rejects.toThrow('the upstream sent nothing for 60 ms');
    const row = await traceOf(sent);
    expect(row.endReason).toBe('upstream_error');
    expect(row.errorType).toBe('timeout_error');
    expect(row.errorMessage).toMatch(/^the upstream sent nothing for 60 ms \(after \d+ bytes\)$/);
  });

  it('ends a translated stream that stalls with an error event', async () => {
    const source = controlledStream();
    upstream = scriptUpstream(() => new Response(source.stream, { headers: { 'content-type': 'text/event-stream' } }));
    const ROUTES = [{ match: '*', provider: 'openai', baseUrl: 'https://llm.example/v1', idleTimeoutMs: 60 }];
    const sent = await post('/v1/messages', { ...messageRequest, stream: true }, client, { ROUTES });
    source.push(sse([chunk({ content: 'so far' })], false));
    const text = await sent.response.text();
    expect(text).toContain('"text":"so far"');
    expect(text).toMatch(
      /event: error\ndata: \{"type":"error","error":\{"type":"timeout_error","message":"the upstream sent nothing for 60 ms \(after \d+ bytes\)"\}\}\n\n$/,
    );
    expect(text).not.toContain('message_stop');
  });
});

describe('retries', () => {
  it('retries 5xx and connection errors, then answers from the attempt that worked', async () => {
    let calls = 0;
    upstream = scriptUpstream(() => {
      calls++;
      if (calls === 1) return jsonResponse({ type: 'error', error: { type: 'api_error', message: 'Internal server error' } }, 500);
      if (calls === 2) throw new TypeError('Network connection lost.');
      return jsonResponse(messageResponse);
    });
    const sent = await post('/v1/messages', messageRequest, client, anthropicRoute());
    expect(sent.response.status).toBe(200);
    expect(await sent.response.json()).toEqual(messageResponse);
    expect(upstream.calls).toHaveLength(3);
    const row = await traceOf(sent);
    expect(row.status).toBe(200);
    expect(row.errorType).toBeNull();
    expect(row.attempts!.map((attempt) => [attempt.status, attempt.error?.slice(0, 30) ?? null])).toEqual([
      [500, '{"type":"error","error":{"type'],
      [null, 'could not reach the upstream p'],
      [200, null],
    ]);
  });

  it('retries 429 and 529, waiting what retry-after asks', async () => {
    let calls = 0;
    upstream = scriptUpstream(() => {
      calls++;
      if (calls === 1) return jsonResponse({ type: 'error', error: { type: 'rate_limit_error', message: 'slow down' } }, 429, { 'retry-after-ms': '300' });
      if (calls === 2) return jsonResponse({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, 529);
      return jsonResponse(messageResponse);
    });
    const started = Date.now();
    const sent = await post('/v1/messages', messageRequest, client, anthropicRoute());
    expect(sent.response.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(upstream.calls).toHaveLength(3);
  });

  it('gives up after `retries` and passes the last failure on', async () => {
    upstream = scriptUpstream(() => jsonResponse({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, 529));
    const sent = await post('/v1/messages', messageRequest, client, anthropicRoute({ retries: 1 }));
    expect(sent.response.status).toBe(529);
    expect(await sent.response.json()).toEqual({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
    expect(upstream.calls).toHaveLength(2);
    expect((await traceOf(sent)).attempts).toHaveLength(2);
  });

  it('never retries a client error, a spent quota, or an upstream that says not to', async () => {
    const refusals: [number, unknown, Record<string, string>][] = [
      [400, { type: 'error', error: { type: 'invalid_request_error', message: 'bad' } }, {}],
      [401, { type: 'error', error: { type: 'authentication_error', message: 'invalid x-api-key' } }, {}],
      [429, { error: { message: 'You exceeded your current quota', type: 'insufficient_quota', code: 'insufficient_quota' } }, {}],
      [500, { type: 'error', error: { type: 'api_error', message: 'no' } }, { 'x-should-retry': 'false' }],
      [429, { type: 'error', error: { type: 'rate_limit_error', message: 'wait a minute' } }, { 'retry-after': '60' }],
    ];
    for (const [status, body, headers] of refusals) {
      upstream = scriptUpstream(() => jsonResponse(body, status, headers));
      const sent = await post('/v1/messages', messageRequest, client, anthropicRoute());
      expect(sent.response.status).toBe(status);
      expect(upstream.calls).toHaveLength(1);
      if (headers['retry-after']) expect(sent.response.headers.get('retry-after')).toBe('60');
      upstream.restore();
    }
  });

  it('does not retry once the answer has started streaming', async () => {
    const source = controlledStream();
    upstream = scriptUpstream(() => sseResponse(source.stream));
    const sent = await post('/v1/messages', { ...messageRequest, stream: true }, client, anthropicRoute());
    source.push(streamFrames[0]!);
    source.fail(new Error('reset'));
    await expect(sent.response.text()).rejects.toThrow('upstream connection failed mid-stream');
    expect(upstream.calls).toHaveLength(1);
  });

  it('reads retry-after in seconds, milliseconds or as a date, and backs off with jitter', () => {
    expect(retryAfterMs(new Headers({ 'retry-after': '2' }))).toBe(2000);
    expect(retryAfterMs(new Headers({ 'retry-after-ms': '150', 'retry-after': '9' }))).toBe(150);
    expect(retryAfterMs(new Headers({ 'retry-after': new Date(Date.now() + 5_000).toUTCString() }))).toBeGreaterThan(3_000);
    expect(retryAfterMs(new Headers())).toBeNull();
    const waits = Array.from({ length: 200 }, () => backoff(2));
    expect(Math.min(...waits)).toBeGreaterThanOrEqual(250);
    expect(Math.max(...waits)).toBeLessThanOrEqual(1000);
    expect(new Set(waits.map((w) => Math.round(w))).size).toBeGreaterThan(50);
    expect(isRetryable(503, '', new Headers())).toBe(true);
    expect(isRetryable(404, '', new Headers())).toBe(false);
  });
});

describe('fallbacks', () => {
  const withFallbacks = (primary: Record<string, unknown> = {}) => ({
    ROUTES: [
      {
        match: 'claude-*',
        provider: 'anthropic',
        baseUrl: 'https://primary.example',
        apiKey: 'client',
        retries: 1,
        ...primary,
        fallbacks: [
          { provider: 'anthropic', baseUrl: 'https://second.example', apiKey: 'client', retries: 0 },
          { provider: 'openai', baseUrl: 'https://third.example/v1', model: 'gpt-fallback', apiKey: 'FALLBACK_KEY', retries: 0 },
        ],
      },
    ],
    FALLBACK_KEY: 'sk-fallback-server-key-77',
    PROXY_API_KEYS: 'team:proxy-key-fallbacks-1',
  });

  it('tries each fallback in order when the one before fails before streaming starts', async () => {
    upstream = scriptUpstream((request) => {
      const host = new URL(request.url).host;
      if (host === 'primary.example') return jsonResponse({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, 529);
      if (host === 'second.example') throw new TypeError('connection refused');
      return jsonResponse(completion({ content: 'from the third' }));
    });
    const sent = await post('/v1/messages', messageRequest, { 'x-api-key': 'proxy-key-fallbacks-1' }, withFallbacks());
    expect(sent.response.status).toBe(200);
    expect(await sent.response.json()).toMatchObject({ content: [{ type: 'text', text: 'from the third' }], model: messageRequest.model });
    expect(upstream.calls.map((call) => new URL(call.url).host)).toEqual(['primary.example', 'primary.example', 'second.example', 'third.example']);
    expect(upstream.calls[3]!.headers.get('authorization')).toBe('Bearer sk-fallback-server-key-77');
    const row = await traceOf(sent);
    expect(row).toMatchObject({
      provider: 'openai',
      targetModel: 'gpt-fallback',
      targetUrl: 'https://third.example/v1/chat/completions',
      status: 200,
      apiKeyName: 'team',
    });
    expect(row.attempts!.map((attempt) => [attempt.target, attempt.status])).toEqual([
      ['ROUTES[0]', 529],
      ['ROUTES[0]', 529],
      ['ROUTES[0].fallbacks[0]', null],
      ['ROUTES[0].fallbacks[1]', 200],
    ]);
    expect(JSON.parse(row.upstreamRequestBody!).model).toBe('gpt-fallback');
  });

  it('does not fall back on a client error', async () => {
    upstream = scriptUpstream(() => jsonResponse({ type: 'error', error: { type: 'invalid_request_error', message: 'messages: bad' } }, 400));
    const sent = await post('/v1/messages', messageRequest, withProxyKey, withFallbacks());
    expect(sent.response.status).toBe(400);
    expect(upstream.calls).toHaveLength(1);
  });

  it('falls back after a timeout', async () => {
    upstream = scriptUpstream((request) => (new URL(request.url).host === 'primary.example' ? hang(request) : jsonResponse(messageResponse)));
    const sent = await post('/v1/messages', messageRequest, withProxyKey, withFallbacks({ timeoutMs: 40 }));
    expect(sent.response.status).toBe(200);
    expect(upstream.calls.map((call) => new URL(call.url).host)).toEqual(['primary.example', 'second.example']);
  });

  it('skips a fallback that spends a server-held key when no proxy key guards it', async () => {
    upstream = scriptUpstream((request) => {
      if (new URL(request.url).host === 'third.example') return jsonResponse(completion({ content: 'should not happen' }));
      return jsonResponse({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }, 529);
    });
    const sent = await post('/v1/messages', messageRequest, client, { ...withFallbacks({ retries: 0 }), PROXY_API_KEYS: undefined });
    expect(sent.response.status).toBe(529);
    expect(upstream.calls.map((call) => new URL(call.url).host)).toEqual(['primary.example', 'second.example']);
    const row = await traceOf(sent);
    expect(row.attempts!.at(-1)).toMatchObject({
      target: 'ROUTES[0].fallbacks[1]',
      status: null,
      error: expect.stringMatching(/^skipped: this route spends a server-held key \(FALLBACK_KEY\), so it needs a proxy key/),
    });
  });
});

describe('client disconnects', () => {
  it('aborts the upstream call at once when the client goes away before the answer', async () => {
    let upstreamSignal: AbortSignal | null = null;
    upstream = scriptUpstream((request) => {
      upstreamSignal = request.signal;
      return hang(request);
    });
    const controller = new AbortController();
    const pending = send(
      '/v1/messages',
      { method: 'POST', headers: { 'content-type': 'application/json', ...client }, body: JSON.stringify(messageRequest), signal: controller.signal },
      anthropicRoute(),
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(upstreamSignal!.aborted).toBe(false);
    controller.abort();
    const sent = await pending;
    expect(upstreamSignal!.aborted).toBe(true);
    expect(upstream.calls).toHaveLength(1);
    await sent.response.arrayBuffer();
    await waitOnExecutionContext(sent.ctx);
    const row = await traceOf(sent);
    expect(row.endReason).toBe('client_abort');
    expect(row.errorType).toBe('client_abort');
    expect(row.status).toBe(499);
  });

  it('cancels the upstream body when the client leaves mid-stream', async () => {
    // TEST_STREAMER answers from another Worker, over a connection, and says when its body is let go.
    const id = crypto.randomUUID();
    const script = { id, frames: [streamFrames[0]!], end: 'stall' };
    upstream = scriptUpstream(() => env.TEST_STREAMER.fetch('http://streamer/', { method: 'POST', body: JSON.stringify(script) }));
    // A disconnect as the runtime reports it: the request's signal fires and the response body is cancelled.
    const disconnect = new AbortController();
    const sent = await send(
      '/v1/messages',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...client },
        body: JSON.stringify({ ...messageRequest, stream: true }),
        signal: disconnect.signal,
      },
      anthropicRoute(),
    );
    const reader = sent.response.body!.getReader();
    await reader.read();
    disconnect.abort();
    await reader.cancel('client closed the tab');
    const row = await traceOf(sent);
    expect(row.endReason).toBe('client_abort');
    await vi.waitFor(async () => {
      const { cancelled } = await (await env.TEST_STREAMER.fetch(`http://streamer/cancelled/${id}`)).json<{ cancelled: boolean }>();
      expect(cancelled).toBe(true);
    });
  });
});
