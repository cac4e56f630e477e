import { waitOnExecutionContext } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { jsonResponse, messageRequest, messageResponse, sseResponse, streamFrames, streamText } from '../fixtures/anthropic';
import { allTraces, controlledStream, post, scriptUpstream, send, traceOf } from '../helpers/worker';

let upstream: ReturnType<typeof scriptUpstream> | undefined;
afterEach(() => upstream?.restore());

const CLIENT_KEY = 'sk-ant-api03-client-secret-key-AAAAAAAAAAAA';
const headers = {
  'x-api-key': CLIENT_KEY,
  authorization: `Bearer ${CLIENT_KEY}-bearer`,
  cookie: 'sid=cookie-secret-value-123',
  'x-custom-token': 'custom-token-secret-value',
  'anthropic-version': '2023-06-01',
  'user-agent': 'claude-cli/2.1.197 (external, cli)',
  'x-claude-code-session-id': 'session-from-header-1',
  'cf-connecting-ip': '198.51.100.7',
};
const SECRETS = [CLIENT_KEY, 'cookie-secret-value-123', 'custom-token-secret-value'];

function expectNoSecrets(row: object) {
  const stored = JSON.stringify(row);
  for (const secret of SECRETS) expect(stored).not.toContain(secret);
}

describe('trace rows', () => {
  it('records a plain request column by column', async () => {
    upstream = scriptUpstream(() => jsonResponse(messageResponse));
    const requestText = JSON.stringify(messageRequest);
    const sent = await post('/v1/messages?beta=true', requestText, headers);
    expect(sent.response.status).toBe(200);
    expect(sent.traceId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    const row = await traceOf(sent);

    expect(row.id).toBe(sent.traceId);
    expect(row.createdAt).toBeInstanceOf(Date);
    expect(Math.abs(row.createdAt.getTime() - Date.now())).toBeLessThan(60_000);
    expect(row.sessionId).toBe('session-from-header-1');
    expect(row.method).toBe('POST');
    expect(row.path).toBe('/v1/messages');
    expect(row.requestedModel).toBe('claude-sonnet-4-6');
    expect(row.provider).toBe('anthropic');
    expect(row.targetModel).toBe('claude-sonnet-4-6');
    expect(row.targetUrl).toBe('https://api.anthropic.com/v1/messages');
    expect(row.stream).toBe(false);
    expect(row.status).toBe(200);
    expect(row.errorType).toBeNull();
    expect(row.errorMessage).toBeNull();
    expect(row.endReason).toBe('complete');
    expect(row.requestHeaders).toMatchObject({
      'x-api-key': '[redacted]',
      authorization: '[redacted]',
      cookie: '[redacted]',
      'x-custom-token': '[redacted]',
      'anthropic-version': '2023-06-01',
      'x-claude-code-session-id': 'session-from-header-1',
    });
    expect(row.requestBody).toBe(requestText);
    expect(row.requestBytes).toBe(requestText.length);
    expect(row.requestBodyTruncated).toBe(false);
    expect(JSON.parse(row.responseBody!)).toEqual(messageResponse);
    expect(row.responseBytes).toBe(JSON.stringify(messageResponse).length);
    expect(row.responseBodyTruncated).toBe(false);
    expect(row.stopReason).toBe('end_turn');
    expect(row.inputTokens).toBe(12);
    expect(row.outputTokens).toBe(6);
    expect(row.cacheReadInputTokens).toBe(4);
    expect(row.cacheCreationInputTokens).toBe(0);
    expect(row.ttftMs).toBeGreaterThanOrEqual(0);
    expect(row.durationMs).toBeGreaterThanOrEqual(row.ttftMs!);
    expect(row.clientIp).toBe('198.51.100.7');
    expect(row.userAgent).toBe('claude-cli/2.1.197 (external, cli)');
    expectNoSecrets(row);
  });

  it('records a streamed request as the reassembled final message', async () => {
    upstream = scriptUpstream(() => sseResponse(streamText));
    const body = { ...messageRequest, stream: true, metadata: { user_id: JSON.stringify({ device_id: 'd', account_uuid: 'a', session_id: 'sess-meta-42' }) } };
    const { 'x-claude-code-session-id': _omitted, ...withoutSessionHeader } = headers;
    const sent = await post('/v1/messages', body, withoutSessionHeader);
    expect(await sent.response.text()).toBe(streamText);
    const row = await traceOf(sent);

    expect(row.stream).toBe(true);
    expect(row.sessionId).toBe('sess-meta-42');
    expect(row.status).toBe(200);
    expect(row.endReason).toBe('complete');
    expect(row.stopReason).toBe('tool_use');
    expect(row.inputTokens).toBe(472);
    expect(row.outputTokens).toBe(89);
    expect(row.cacheReadInputTokens).toBe(100);
    expect(row.cacheCreationInputTokens).toBe(10);
    expect(row.responseBytes).toBe(new TextEncoder().encode(streamText).byteLength);
    expect(JSON.parse(row.responseBody!)).toEqual({
      id: 'msg_014p7gG3wDgGV9EUtLvnow3U',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-6',
      content: [
        { type: 'text', text: 'Let me check the weather — ☀️.' },
        { type: 'tool_use', id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', name: 'get_weather', input: { location: 'San Francisco, CA' } },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 472, output_tokens: 89, cache_creation_input_tokens: 10, cache_read_input_tokens: 100 },
    });
    expectNoSecrets(row);
  });

  it('records an upstream failure with its status and error', async () => {
    upstream = scriptUpstream(() =>
      jsonResponse({ type: 'error', error: { type: 'rate_limit_error', message: 'Number of requests has exceeded your rate limit' } }, 429),
    );
    const sent = await post('/v1/messages', messageRequest, headers);
    expect(sent.response.status).toBe(429);
    const row = await traceOf(sent);
    expect(row.status).toBe(429);
    expect(row.errorType).toBe('rate_limit_error');
    expect(row.errorMessage).toBe('Number of requests has exceeded your rate limit');
    expect(row.endReason).toBe('error');
    expect(row.stopReason).toBeNull();
    expectNoSecrets(row);
  });

  it('records a request the proxy itself rejects', async () => {
    const sent = await post('/v1/messages', '{"model": ', headers);
    expect(sent.response.status).toBe(400);
    const row = await traceOf(sent);
    expect(row.status).toBe(400);
    expect(row.errorType).toBe('invalid_request_error');
    expect(row.errorMessage).toMatch(/not valid JSON/);
    expect(row.requestBody).toBe('{"model": ');
    expect(row.provider).toBeNull();
    expectNoSecrets(row);
  });

  it('records a stream the client abandoned, with what had arrived', async () => {
    const source = controlledStream();
    upstream = scriptUpstream(() => sseResponse(source.stream));
    // A disconnect as the runtime reports it: the request's signal fires and the response body is cancelled.
    const disconnect = new AbortController();
    const sent = await send('/v1/messages', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ ...messageRequest, stream: true }),
      signal: disconnect.signal,
    });
    const reader = sent.response.body!.getReader();
    for (const frame of streamFrames.slice(0, 4)) {
      source.push(frame);
      await reader.read();
    }
    disconnect.abort();
    await reader.cancel('client went away');
    const row = await traceOf(sent);

    expect(row.status).toBe(200);
    expect(row.endReason).toBe('client_abort');
    expect(row.errorType).toBe('client_abort');
    expect(row.errorMessage).toMatch(/client disconnected after \d+ bytes/);
    expect(row.responseBytes).toBe(new TextEncoder().encode(streamFrames.slice(0, 4).join('')).byteLength);
    const partial = JSON.parse(row.responseBody!);
    expect(partial.content).toEqual([{ type: 'text', text: 'Let me check ' }]);
    expect(partial.stop_reason).toBeNull();
    expectNoSecrets(row);
  });

  it('scrubs a secret that shows up inside a body', async () => {
    upstream = scriptUpstream(() => jsonResponse({ type: 'error', error: { type: 'authentication_error', message: `invalid x-api-key ${CLIENT_KEY}` } }, 401));
    const sent = await post('/v1/messages', { ...messageRequest, messages: [{ role: 'user', content: `my key is ${CLIENT_KEY}` }] }, headers);
    expect(sent.response.status).toBe(401);
    const row = await traceOf(sent);
    expect(row.requestBody).toContain('my key is [redacted]');
    expect(row.errorMessage).toBe('invalid x-api-key [redacted]');
    expectNoSecrets(row);
  });

  it('still answers the client when the D1 write fails, and logs the failure', async () => {
    upstream = scriptUpstream(() => jsonResponse(messageResponse));
    const failingDb = {
      prepare() {
        throw new Error('D1_ERROR: database is locked');
      },
      batch() {
        throw new Error('D1_ERROR: database is locked');
      },
    };
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const sent = await post('/v1/messages', messageRequest, headers, { DB: failingDb });
    expect(sent.response.status).toBe(200);
    expect(await sent.response.json()).toEqual(messageResponse);
    await waitOnExecutionContext(sent.ctx);
    expect(logged).toHaveBeenCalled();
    expect(String(logged.mock.calls.at(-1)![0])).toContain('database is locked');
    logged.mockRestore();
    expect((await allTraces()).some((row) => row.id === sent.traceId)).toBe(false);
  });

  it('keeps a body too large for a D1 row whole, as a gzipped piece, when it compresses into one', async () => {
    upstream = scriptUpstream(() => jsonResponse(messageResponse));
    const huge = 'x'.repeat(2_500_000);
    const request = { ...messageRequest, messages: [{ role: 'user', content: huge }] };
    const sent = await post('/v1/messages', request, headers);
    expect(sent.response.status).toBe(200);
    const row = await traceOf(sent);
    expect(row.requestBodyTruncated).toBe(false);
    expect(row.requestBytes).toBeGreaterThan(2_500_000);
    expect(row.requestBody).toBe(JSON.stringify(request));
    expect(row.responseBodyTruncated).toBe(false);
    expect(JSON.parse(row.responseBody!)).toEqual(messageResponse);
  });
});
