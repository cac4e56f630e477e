import { afterEach, describe, expect, it, vi } from 'vitest';
import { chunk, completion, openaiRoute, proxyAuth, sse, usageChunk } from '../../fixtures/openai';
import { chunkedStream, controlledStream, post, scriptUpstream, traceOf } from '../../helpers/worker';

let upstream: ReturnType<typeof scriptUpstream> | undefined;
afterEach(() => {
  upstream?.restore();
  vi.useRealTimers();
});

const request = { model: 'claude-sonnet-4-6', max_tokens: 512, messages: [{ role: 'user', content: 'Hello' }] };
const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
const eventStream = (body: string | ReadableStream<Uint8Array>) => new Response(body, { headers: { 'content-type': 'text/event-stream' } });

/** Parses Anthropic SSE text into [event name, data] pairs, checking each frame has its event: line. */
function frames(text: string): { event: string; data: Record<string, unknown> }[] {
  return text
    .split('\n\n')
    .filter((frame) => frame.trim())
    .map((frame) => {
      const [eventLine, dataLine] = frame.split('\n');
      expect(eventLine).toMatch(/^event: \w+$/);
      const data = JSON.parse(dataLine!.replace(/^data: /, ''));
      expect(data.type).toBe(eventLine!.slice(7));
      return { event: eventLine!.slice(7), data };
    });
}

describe('openai provider, non-streaming', () => {
  it('sends the translated request with the server key as Bearer, and answers in Anthropic format', async () => {
    upstream = scriptUpstream(() =>
      json(completion({ content: 'Hi there' }, 'stop', { prompt_tokens: 30, completion_tokens: 4, prompt_tokens_details: { cached_tokens: 10 } })),
    );
    const sent = await post(
      '/v1/messages?beta=true',
      { ...request, top_k: 5, metadata: { user_id: 'u' } },
      { ...proxyAuth, 'anthropic-version': '2023-06-01' },
      openaiRoute(),
    );
    expect(sent.response.status).toBe(200);
    expect(await sent.response.json()).toEqual({
      id: 'msg_chatcmpl-abc123',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-6',
      content: [{ type: 'text', text: 'Hi there' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 20, output_tokens: 4, cache_creation_input_tokens: 0, cache_read_input_tokens: 10 },
    });
    const call = upstream.calls[0]!;
    expect(call.url).toBe('https://llm.example.com/v1/chat/completions');
    expect(call.headers.get('authorization')).toBe('Bearer sk-upstream-secret-000111222');
    expect(call.headers.has('x-api-key')).toBe(false);
    expect(call.headers.has('anthropic-version')).toBe(false);
    expect(JSON.parse(call.body)).toEqual({ model: 'target-model', messages: [{ role: 'user', content: 'Hello' }], max_tokens: 512 });

    const row = await traceOf(sent);
    expect(row).toMatchObject({
      provider: 'openai',
      requestedModel: 'claude-sonnet-4-6',
      targetModel: 'target-model',
      targetUrl: 'https://llm.example.com/v1/chat/completions',
      status: 200,
      stopReason: 'end_turn',
      inputTokens: 20,
      outputTokens: 4,
      cacheReadInputTokens: 10,
      endReason: 'complete',
    });
    expect(JSON.parse(row.upstreamRequestBody!)).toEqual(JSON.parse(call.body));
    expect(JSON.stringify(row)).not.toContain('sk-upstream-secret-000111222');
  });

  it('turns tool calls into tool_use with tool_use stop reason', async () => {
    upstream = scriptUpstream(() =>
      json(
        completion(
          { content: null, tool_calls: [{ id: 'call_9', type: 'function', function: { name: 'Bash', arguments: '{"command":"ls"}' } }] },
          'tool_calls',
        ),
      ),
    );
    const sent = await post('/v1/messages', { ...request, tools: [{ name: 'Bash', input_schema: { type: 'object' } }] }, proxyAuth, openaiRoute());
    const body = (await sent.response.json()) as { content: unknown; stop_reason: string };
    expect(body.content).toEqual([{ type: 'tool_use', id: 'call_9', name: 'Bash', input: { command: 'ls' } }]);
    expect(body.stop_reason).toBe('tool_use');
  });
});

describe('openai provider, streaming', () => {
  it('relays each upstream chunk as Anthropic events before the next one arrives', async () => {
    const source = controlledStream();
    upstream = scriptUpstream(() => eventStream(source.stream));
    const sent = await post('/v1/messages', { ...request, stream: true }, proxyAuth, openaiRoute());
    expect(sent.response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const reader = sent.response.body!.getReader();
    const decoder = new TextDecoder();
    const next = async () => decoder.decode((await reader.read()).value);

    expect(frames(await next()).map((f) => f.event)).toEqual(['message_start']); // before any upstream byte
    source.push(`data: ${JSON.stringify(chunk({ role: 'assistant', content: '' }))}\n\ndata: ${JSON.stringify(chunk({ content: 'Hel' }))}\n\n`);
    expect(frames(await next()).map((f) => f.event)).toEqual(['content_block_start', 'content_block_delta']);
    source.push(`data: ${JSON.stringify(chunk({ content: 'lo' }))}\n\n`);
    expect(frames(await next())).toEqual([
      { event: 'content_block_delta', data: { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'lo' } } },
    ]);
    source.push(`data: ${JSON.stringify(chunk({}, 'stop'))}\n\n`);
    source.push(`data: ${JSON.stringify(usageChunk(12, 2))}\n\ndata: [DONE]\n\n`);
    let rest = '';
    for (let read = await reader.read(); !read.done; read = await reader.read()) rest += decoder.decode(read.value);
    expect(frames(rest).map((f) => f.event)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    expect(frames(rest)[1]!.data).toMatchObject({ delta: { stop_reason: 'end_turn' }, usage: { input_tokens: 12, output_tokens: 2 } });

    const row = await traceOf(sent);
    expect(row).toMatchObject({ stream: true, status: 200, endReason: 'complete', stopReason: 'end_turn', inputTokens: 12, outputTokens: 2 });
    expect(JSON.parse(row.responseBody!).content).toEqual([{ type: 'text', text: 'Hello' }]);
    expect(JSON.parse(row.upstreamRequestBody!)).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('writes the events of one upstream read to the client as one chunk', async () => {
    const source = controlledStream();
    upstream = scriptUpstream(() => eventStream(source.stream));
    const sent = await post('/v1/messages', { ...request, stream: true }, proxyAuth, openaiRoute());
    const reader = sent.response.body!.getReader();
    const decoder = new TextDecoder();
    await reader.read(); // message_start
    const words = Array.from({ length: 20 }, (_, i) => `w${i} `);
    source.push(words.map((word, i) => `data: ${JSON.stringify(chunk(i === 0 ? { role: 'assistant', content: word } : { content: word }))}\n\n`).join(''));
    // One upstream read, twenty deltas: one write to the client, not twenty-one.
    const one = frames(decoder.decode((await reader.read()).value));
    expect(one.map((f) => f.event)).toEqual(['content_block_start', ...words.map(() => 'content_block_delta')]);
    source.push(`data: ${JSON.stringify(chunk({}, 'stop'))}\n\ndata: ${JSON.stringify(usageChunk(5, 20))}\n\ndata: [DONE]\n\n`);
    let rest = '';
    for (let read = await reader.read(); !read.done; read = await reader.read()) rest += decoder.decode(read.value);
    expect(frames(rest).map((f) => f.event)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
  });

  it('reassembles UTF-8 characters and SSE lines split across network chunks, and skips comment lines', async () => {
    const text = sse([': OPENROUTER PROCESSING\n\n', chunk({ content: 'Grüße 👋 ' }), chunk({ content: '日本語' }, 'stop'), usageChunk(3, 4)]);
    const bytes = new TextEncoder().encode(text);
    const emoji = bytes.indexOf(0xf0);
    const cuts = [5, 30, emoji + 1, emoji + 3, bytes.indexOf(0xe6) + 2, bytes.length - 10];
    const pieces = cuts.map((end, i) => bytes.slice(i === 0 ? 0 : cuts[i - 1], end)).concat([bytes.slice(cuts.at(-1))]);
    upstream = scriptUpstream(() => eventStream(chunkedStream(pieces)));
    const sent = await post('/v1/messages', { ...request, stream: true }, proxyAuth, openaiRoute());
    const deltas = frames(await sent.response.text())
      .filter((f) => f.event === 'content_block_delta')
      .map((f) => (f.data.delta as { text: string }).text);
    expect(deltas).toEqual(['Grüße 👋 ', '日本語']);
  });

  it('ends with an error event when the upstream connection breaks mid-stream, and the trace says so', async () => {
    const source = controlledStream();
    upstream = scriptUpstream(() => eventStream(source.stream));
    const sent = await post('/v1/messages', { ...request, stream: true }, proxyAuth, openaiRoute());
    source.push(`data: ${JSON.stringify(chunk({ content: 'partial answ' }))}\n\n`);
    const reading = sent.response.text();
    await new Promise((resolve) => setTimeout(resolve, 5));
    source.fail(new Error('connection reset by peer'));
    const received = frames(await reading);
    expect(received.at(-1)).toEqual({
      event: 'error',
      data: { type: 'error', error: { type: 'api_error', message: expect.stringContaining('connection reset by peer') } },
    });
    expect(received.some((f) => f.event === 'message_stop')).toBe(false);
    const row = await traceOf(sent);
    expect(row.endReason).toBe('upstream_error');
    expect(row.errorType).toBe('api_error');
    expect(JSON.parse(row.responseBody!).content).toEqual([{ type: 'text', text: 'partial answ' }]);
  });

  it('treats a body that ends before any finish reason as cut, not complete', async () => {
    upstream = scriptUpstream(() => eventStream(sse([chunk({ content: 'I was saying' })], false)));
    const sent = await post('/v1/messages', { ...request, stream: true }, proxyAuth, openaiRoute());
    const received = frames(await sent.response.text());
    expect(received.at(-1)!.event).toBe('error');
    expect((received.at(-1)!.data.error as { message: string }).message).toMatch(/ended before the answer was complete/);
  });

  it('accepts a body that ends after a finish reason without [DONE]', async () => {
    upstream = scriptUpstream(() => eventStream(sse([chunk({ content: 'Done.' }, 'stop')], false)));
    const sent = await post('/v1/messages', { ...request, stream: true }, proxyAuth, openaiRoute());
    expect(frames(await sent.response.text()).at(-1)!.event).toBe('message_stop');
  });

  it('ends with an error event on a malformed frame or an error frame', async () => {
    upstream = scriptUpstream(() => eventStream(sse([chunk({ content: 'a' }), 'data: {"choices": [oops\n\n'])));
    let sent = await post('/v1/messages', { ...request, stream: true }, proxyAuth, openaiRoute());
    expect(frames(await sent.response.text()).at(-1)!.data).toMatchObject({
      type: 'error',
      error: { message: expect.stringContaining('malformed stream frame') },
    });
    upstream.restore();

    upstream = scriptUpstream(() => eventStream(sse([chunk({ content: 'a' }), { error: { message: 'Rate limit reached', type: 'rate_limit', code: 429 } }])));
    sent = await post('/v1/messages', { ...request, stream: true }, proxyAuth, openaiRoute());
    expect(frames(await sent.response.text()).at(-1)!.data).toEqual({
      type: 'error',
      error: { type: 'rate_limit_error', message: 'upstream error mid-stream: Rate limit reached' },
    });
  });

  it('ends with an error event, and traces it, on valid JSON the converter cannot read', async () => {
    upstream = scriptUpstream(() => eventStream(sse([chunk({ content: 'Hi' }), 'data: {"choices":[null]}\n\n'])));
    const sent = await post('/v1/messages', { ...request, stream: true }, proxyAuth, openaiRoute());
    const received = frames(await sent.response.text());
    expect(received.at(-1)!.data).toMatchObject({
      type: 'error',
      error: { type: 'api_error', message: expect.stringContaining('could not read the upstream stream') },
    });
    expect(received.some((f) => f.event === 'message_stop')).toBe(false);
    const row = await traceOf(sent);
    expect(row.endReason).toBe('upstream_error');
    expect(row.errorMessage).toContain('could not read the upstream stream');
  });

  it('pings while the upstream is silent', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    const source = controlledStream();
    upstream = scriptUpstream(() => eventStream(source.stream));
    const sent = await post('/v1/messages', { ...request, stream: true }, proxyAuth, openaiRoute());
    const reader = sent.response.body!.getReader();
    const decoder = new TextDecoder();
    expect(frames(decoder.decode((await reader.read()).value))[0]!.event).toBe('message_start');
    const pending = reader.read();
    vi.advanceTimersByTime(16_000);
    expect(frames(decoder.decode((await pending).value))).toEqual([{ event: 'ping', data: { type: 'ping' } }]);
    source.push(sse([chunk({ content: 'x' }, 'stop')]));
    source.close();
    let rest = '';
    for (let read = await reader.read(); !read.done; read = await reader.read()) rest += decoder.decode(read.value);
    expect(frames(rest).at(-1)!.event).toBe('message_stop');
  });

  it('records a client that disconnects mid-stream', async () => {
    const source = controlledStream();
    upstream = scriptUpstream(() => eventStream(source.stream));
    const sent = await post('/v1/messages', { ...request, stream: true }, proxyAuth, openaiRoute());
    const reader = sent.response.body!.getReader();
    await reader.read();
    source.push(`data: ${JSON.stringify(chunk({ content: 'abc' }))}\n\n`);
    await reader.read();
    await reader.cancel();
    const row = await traceOf(sent);
    expect(row.endReason).toBe('client_abort');
    expect(row.errorType).toBe('client_abort');
  });
});

describe('openai provider, upstream errors before the stream', () => {
  const cases: [string, number, unknown, Record<string, string>, number, string, RegExp][] = [
    [
      'rate limit',
      429,
      { error: { message: 'Rate limit reached for requests', type: 'requests', code: 'rate_limit_exceeded' } },
      { 'retry-after': '7' },
      429,
      'rate_limit_error',
      /llm\.example\.com: Rate limit reached/,
    ],
    [
      'out of credit',
      429,
      { error: { message: 'You exceeded your current quota', type: 'insufficient_quota', code: 'insufficient_quota' } },
      {},
      402,
      'billing_error',
      /quota/,
    ],
    [
      'bad key',
      401,
      { error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } },
      {},
      401,
      'authentication_error',
      /Incorrect API key/,
    ],
    ['forbidden', 403, { error: { message: 'Country not supported' } }, {}, 403, 'permission_error', /Country/],
    ['unknown model', 404, { error: { message: 'The model `target-model` does not exist' } }, {}, 404, 'not_found_error', /does not exist/],
    ['too large', 413, { error: { message: 'Request too large' } }, {}, 413, 'request_too_large', /too large/],
    ['unprocessable', 422, { detail: 'messages: field required' }, {}, 400, 'invalid_request_error', /field required/],
    ['server error', 500, { error: { message: 'Internal error' } }, {}, 500, 'api_error', /Internal error/],
    ['overloaded', 503, 'Service Unavailable', {}, 529, 'overloaded_error', /Service Unavailable/],
  ];
  for (const [name, status, body, headers, expectedStatus, type, message] of cases) {
    it(`maps ${name} (${status}) to ${expectedStatus} ${type}`, async () => {
      upstream = scriptUpstream(() => new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers }));
      // no retries here: this is about how the final failure is worded (retries are tested in dispatch.test.ts)
      const sent = await post('/v1/messages', { ...request, stream: true }, proxyAuth, openaiRoute({ retries: 0 }));
      expect(sent.response.status).toBe(expectedStatus);
      expect(sent.response.headers.get('content-type')).toBe('application/json');
      const error = (await sent.response.json()) as { type: string; error: { type: string; message: string } };
      expect(error.type).toBe('error');
      expect(error.error.type).toBe(type);
      expect(error.error.message).toMatch(message);
      for (const [header, value] of Object.entries(headers)) expect(sent.response.headers.get(header)).toBe(value);
      if (type === 'billing_error') expect(sent.response.headers.get('x-should-retry')).toBe('false');
      const row = await traceOf(sent);
      expect(row.status).toBe(expectedStatus);
      expect(row.errorType).toBe(type);
    });
  }

  it('rewrites a context overflow so Claude Code compacts', async () => {
    upstream = scriptUpstream(() =>
      json(
        {
          error: {
            message: "This model's maximum context length is 128000 tokens. However, your messages resulted in 131072 tokens.",
            code: 'context_length_exceeded',
          },
        },
        400,
      ),
    );
    const sent = await post('/v1/messages', request, proxyAuth, openaiRoute());
    expect(sent.response.status).toBe(400);
    const error = (await sent.response.json()) as { error: { type: string; message: string } };
    expect(error.error).toEqual({ type: 'invalid_request_error', message: 'prompt is too long: 131072 tokens > 128000 maximum' });
    // the exact pattern Claude Code matches
    expect(error.error.message).toMatch(/prompt is too long[^0-9]*(\d+)\s*tokens?\s*>\s*(\d+)/);
  });

  it('asks for a smaller max_tokens when only the output would overflow (vLLM wording)', async () => {
    upstream = scriptUpstream(() =>
      json(
        {
          object: 'error',
          message:
            "This model's maximum context length is 32768 tokens. However, you requested 40000 tokens (8000 in the messages, 32000 in the completion). Please reduce the length of the messages or completion.",
          type: 'BadRequestError',
          code: 400,
        },
        400,
      ),
    );
    const sent = await post('/v1/messages', request, proxyAuth, openaiRoute());
    const error = (await sent.response.json()) as { error: { message: string } };
    expect(error.error.message).toBe('input length and `max_tokens` exceed context limit: 8000 + 32000 > 32768');
  });

  it('reports an upstream that answers 200 with garbage as a 502', async () => {
    upstream = scriptUpstream(() => new Response('<html>gateway</html>', { status: 200 }));
    const sent = await post('/v1/messages', request, proxyAuth, openaiRoute());
    expect(sent.response.status).toBe(502);
    expect(((await sent.response.json()) as { error: { type: string } }).error.type).toBe('api_error');
  });
});

describe('openai provider, count_tokens', () => {
  it('answers locally with an estimate and never calls the upstream', async () => {
    upstream = scriptUpstream(() => json({}));
    const sent = await post(
      '/v1/messages/count_tokens?beta=true',
      {
        model: 'claude-sonnet-4-6',
        messages: [{ role: 'user', content: 'The quick brown fox jumps over the lazy dog.' }],
        tools: [{ name: 'Bash', input_schema: { type: 'object' } }],
      },
      proxyAuth,
      openaiRoute(),
    );
    expect(sent.response.status).toBe(200);
    const body = (await sent.response.json()) as { input_tokens: number };
    expect(body.input_tokens).toBeGreaterThan(10);
    expect(body.input_tokens).toBeLessThan(40);
    expect(upstream.calls).toHaveLength(0);
    const row = await traceOf(sent);
    expect(row.inputTokens).toBe(body.input_tokens);
    expect(row.path).toBe('/v1/messages/count_tokens');
  });
});
