import { afterEach, describe, expect, it } from 'vitest';
import { messageRequest, messageResponse, jsonResponse, sseResponse, streamFrames, streamText } from '../fixtures/anthropic';
import { chunkedStream, controlledStream, post, scriptUpstream, send, traceOf } from '../helpers/worker';

let upstream: ReturnType<typeof scriptUpstream> | undefined;
afterEach(() => upstream?.restore());

const clientHeaders = {
  'x-api-key': 'sk-ant-client-key-0123456789',
  'anthropic-version': '2023-06-01',
  'anthropic-beta': 'claude-code-20250219,interleaved-thinking-2025-05-14',
  'user-agent': 'claude-cli/2.1.197 (external, cli)',
  'x-claude-code-session-id': 'b7f0c6c2-5a1e-4d55-9e55-3f0d3c0a9a11',
};

describe('anthropic passthrough (default configuration)', () => {
  it('forwards a non-streaming request unchanged and returns the upstream answer', async () => {
    upstream = scriptUpstream(() => jsonResponse(messageResponse));
    const requestText = JSON.stringify(messageRequest, null, 2); // odd formatting must survive
    const { response } = await post('/v1/messages?beta=true', requestText, clientHeaders);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(messageResponse);
    expect(response.headers.get('request-id')).toBe('req_upstream_json');
    expect(upstream.calls).toHaveLength(1);
    const call = upstream.calls[0]!;
    expect(call.url).toBe('https://api.anthropic.com/v1/messages');
    expect(call.method).toBe('POST');
    expect(call.body).toBe(requestText);
    expect(call.headers.get('anthropic-version')).toBe('2023-06-01');
    expect(call.headers.get('anthropic-beta')).toBe('claude-code-20250219,interleaved-thinking-2025-05-14');
    expect(call.headers.get('user-agent')).toBe('claude-cli/2.1.197 (external, cli)');
    expect(call.headers.get('x-claude-code-session-id')).toBe(clientHeaders['x-claude-code-session-id']);
    expect(call.headers.get('x-api-key')).toBe('sk-ant-client-key-0123456789');
  });

  it('relays a stream byte for byte', async () => {
    // Split mid-frame and mid-character, the way networks do.
    const bytes = new TextEncoder().encode(streamText);
    const cuts = [7, 150, 151, 400, bytes.indexOf(0xe2) + 1, bytes.length - 3];
    const chunks = cuts.map((end, i) => bytes.slice(i === 0 ? 0 : cuts[i - 1], end)).concat([bytes.slice(cuts.at(-1))]);
    upstream = scriptUpstream(() => sseResponse(chunkedStream(chunks)));
    const { response } = await post('/v1/messages', { ...messageRequest, stream: true }, clientHeaders);

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const received = new Uint8Array(await response.arrayBuffer());
    expect(received).toEqual(bytes);
  });

  it('sends each chunk on before the upstream has produced the next', async () => {
    const source = controlledStream();
    upstream = scriptUpstream(() => sseResponse(source.stream));
    const { response } = await post('/v1/messages', { ...messageRequest, stream: true }, clientHeaders);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();

    for (const frame of streamFrames) {
      source.push(frame);
      const { value } = await reader.read();
      expect(decoder.decode(value)).toBe(frame);
    }
    source.close();
    expect((await reader.read()).done).toBe(true);
  });

  it('passes upstream errors through with their status and body', async () => {
    const overloaded = { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } };
    upstream = scriptUpstream(() => jsonResponse(overloaded, 529, { 'retry-after': '3' }));
    const noRetries = { ROUTES: [{ match: '*', provider: 'anthropic', baseUrl: 'https://api.anthropic.com', apiKey: 'client', retries: 0 }] };
    const { response } = await post('/v1/messages', messageRequest, clientHeaders, noRetries);
    expect(response.status).toBe(529);
    expect(response.headers.get('retry-after')).toBe('3');
    expect(await response.json()).toEqual(overloaded);

    upstream.restore();
    const invalid = { type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: Field required' } };
    upstream = scriptUpstream(() => jsonResponse(invalid, 400));
    const second = await post('/v1/messages', messageRequest, clientHeaders);
    expect(second.response.status).toBe(400);
    expect(await second.response.json()).toEqual(invalid);
  });

  it('passes count_tokens through', async () => {
    upstream = scriptUpstream(() => jsonResponse({ input_tokens: 14 }));
    const { response } = await post('/v1/messages/count_tokens?beta=true', { model: 'claude-sonnet-4-6', messages: messageRequest.messages }, clientHeaders);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ input_tokens: 14 });
    expect(upstream.calls[0]!.url).toBe('https://api.anthropic.com/v1/messages/count_tokens');
  });

  it('does not forward hop-by-hop, platform or cookie headers', async () => {
    upstream = scriptUpstream(() => jsonResponse(messageResponse));
    await post('/v1/messages', messageRequest, {
      ...clientHeaders,
      cookie: 'session=abc',
      'cf-connecting-ip': '203.0.113.9',
      'x-forwarded-for': '203.0.113.9',
      'proxy-authorization': 'Basic Zm9vOmJhcg==',
    });
    const headers = upstream.calls[0]!.headers;
    for (const name of ['cookie', 'cf-connecting-ip', 'x-forwarded-for', 'proxy-authorization']) expect(headers.has(name)).toBe(false);
  });

  it('appends the API path to a base URL that carries a path prefix and query', async () => {
    upstream = scriptUpstream(() => jsonResponse(messageResponse));
    const ROUTES = JSON.stringify([{ match: 'claude-*', provider: 'anthropic', baseUrl: 'https://gw.example.com/anthropic/?tenant=7', apiKey: 'client' }]);
    await post('/v1/messages', messageRequest, clientHeaders, { ROUTES });
    expect(upstream.calls[0]!.url).toBe('https://gw.example.com/anthropic/v1/messages?tenant=7');
  });

  it('rewrites only the model when the route names a target model', async () => {
    upstream = scriptUpstream(() => jsonResponse(messageResponse));
    const ROUTES = [{ match: 'claude-opus-*', provider: 'anthropic', baseUrl: 'https://api.anthropic.com', model: 'claude-sonnet-4-6', apiKey: 'client' }];
    const sent = await post('/v1/messages', { ...messageRequest, model: 'claude-opus-4-8', temperature: 0.5 }, clientHeaders, { ROUTES });
    expect(sent.response.status).toBe(200);
    expect(JSON.parse(upstream.calls[0]!.body)).toEqual({ ...messageRequest, model: 'claude-sonnet-4-6', temperature: 0.5 });
    const row = await traceOf(sent);
    expect(row.requestedModel).toBe('claude-opus-4-8');
    expect(row.targetModel).toBe('claude-sonnet-4-6');
  });

  it('answers the base-URL probe with 200 and traces nothing for it', async () => {
    upstream = scriptUpstream(() => jsonResponse({}));
    for (const method of ['GET', 'HEAD']) {
      const { response } = await send('/', { method });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-trace-id')).toBeNull();
    }
    expect(upstream.calls).toHaveLength(0);
  });

  it('answers 502 in Anthropic format when the upstream cannot be reached', async () => {
    upstream = scriptUpstream(() => {
      throw new TypeError('Network connection lost.');
    });
    const { response } = await post('/v1/messages', messageRequest, clientHeaders);
    expect(response.status).toBe(502);
    const body = (await response.json()) as { type: string; error: { type: string; message: string } };
    expect(body.type).toBe('error');
    expect(body.error.type).toBe('api_error');
    expect(body.error.message).toContain('api.anthropic.com');
  });
});
