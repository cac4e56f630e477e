import { afterEach, describe, expect, it } from 'vitest';
import { jsonResponse, messageRequest, messageResponse } from '../fixtures/anthropic';
import { completion, openaiRoute, proxyAuth } from '../fixtures/openai';
import { post, scriptUpstream, send, traceOf } from '../helpers/worker';

let upstream: ReturnType<typeof scriptUpstream> | undefined;
afterEach(() => upstream?.restore());

type ErrorBody = { type: string; error: { type: string; message: string }; request_id?: string };

async function expectError(sent: Awaited<ReturnType<typeof send>>, status: number, type: string, message?: RegExp) {
  expect(sent.response.status).toBe(status);
  expect(sent.response.headers.get('content-type')).toBe('application/json');
  const body = (await sent.response.json()) as ErrorBody;
  expect(body.type).toBe('error');
  expect(body.error.type).toBe(type);
  if (message) expect(body.error.message).toMatch(message);
  expect(body.request_id).toBe(sent.traceId);
  const row = await traceOf(sent);
  expect(row.status).toBe(status);
  expect(row.errorType).toBe(type);
  return body;
}

const client = { 'x-api-key': 'sk-ant-client-000000000001' };

describe('malformed bodies', () => {
  it('rejects invalid JSON, an empty body and a non-object body with 400', async () => {
    await expectError(await post('/v1/messages', '{"model": "claude-x",', client), 400, 'invalid_request_error', /not valid JSON/);
    await expectError(await post('/v1/messages', '', client), 400, 'invalid_request_error', /empty/);
    await expectError(await post('/v1/messages', '[1, 2]', client), 400, 'invalid_request_error', /JSON object/);
    await expectError(await post('/v1/messages', 'null', client), 400, 'invalid_request_error', /JSON object/);
  });

  it('rejects a body that is not JSON by content type', async () => {
    const sent = await send('/v1/messages', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...client },
      body: 'model=claude',
    });
    await expectError(sent, 400, 'invalid_request_error', /content-type must be application\/json/);
  });
});

describe('schema violations name the field and what was expected', () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['missing model', { max_tokens: 10, messages: messageRequest.messages }, /model: expected a non-empty string/],
    ['mistyped model', { ...messageRequest, model: 42 }, /model: expected a non-empty string/],
    ['missing max_tokens', { model: 'claude-x', messages: messageRequest.messages }, /max_tokens: required field is missing/],
    ['mistyped max_tokens', { ...messageRequest, max_tokens: '1024' }, /max_tokens: expected an integer/],
    ['negative max_tokens', { ...messageRequest, max_tokens: -5 }, /max_tokens: Invalid value: Expected >=1 but received -5/],
    ['absurd max_tokens', { ...messageRequest, max_tokens: 1e12 }, /max_tokens: Invalid value: Expected <=1000000/],
    ['fractional max_tokens', { ...messageRequest, max_tokens: 10.5 }, /max_tokens: expected an integer/],
    ['missing messages', { model: 'claude-x', max_tokens: 10 }, /messages: required field is missing/],
    ['empty messages', { ...messageRequest, messages: [] }, /messages: expected at least one message/],
    [
      'unknown role',
      { ...messageRequest, messages: [{ role: 'bot', content: 'hi' }] },
      /messages\[0\]\.role: Invalid type: Expected \("user" \| "assistant" \| "system"\) but received "bot"/,
    ],
    [
      'content of the wrong type',
      { ...messageRequest, messages: [{ role: 'user', content: 12 }] },
      /messages\[0\]\.content: expected a string or an array of content blocks/,
    ],
    [
      'tool_result without tool_use_id',
      { ...messageRequest, messages: [{ role: 'user', content: [{ type: 'tool_result', content: 'x' }] }] },
      /messages\[0\]\.content\[0\]\.tool_use_id: required field is missing/,
    ],
    ['text block without text', { ...messageRequest, messages: [{ role: 'user', content: [{ type: 'text' }] }] }, /messages\[0\]\.content\[0\]\.text/],
    ['temperature out of range', { ...messageRequest, temperature: 5 }, /temperature: Invalid value: Expected <=1 but received 5/],
    ['negative top_p', { ...messageRequest, top_p: -1 }, /top_p: Invalid value: Expected >=0/],
    ['tools not an array', { ...messageRequest, tools: { name: 'x' } }, /tools: Invalid type: Expected Array/],
    ['tool without a name', { ...messageRequest, tools: [{ input_schema: { type: 'object' } }] }, /tools\[0\]\.name/],
    ['unknown tool_choice', { ...messageRequest, tool_choice: { type: 'sometimes' } }, /tool_choice\.type/],
    ['thinking budget not a number', { ...messageRequest, thinking: { type: 'enabled', budget_tokens: 'lots' } }, /thinking\.budget_tokens/],
    ['stream not a boolean', { ...messageRequest, stream: 'yes' }, /stream: Invalid type: Expected boolean/],
  ];
  for (const [name, body, message] of cases) {
    it(name, async () => {
      upstream = scriptUpstream(() => jsonResponse(messageResponse));
      await expectError(await post('/v1/messages', body, client), 400, 'invalid_request_error', message);
      expect(upstream.calls).toHaveLength(0);
    });
  }

  it('rejects block types a translation cannot carry, but passes them to Anthropic', async () => {
    const audio = { ...messageRequest, messages: [{ role: 'user', content: [{ type: 'audio', data: 'xyz' }] }] };
    upstream = scriptUpstream(() => jsonResponse(completion({ content: 'ok' })));
    await expectError(await post('/v1/messages', audio, proxyAuth, openaiRoute()), 400, 'invalid_request_error', /messages\[0\]\.content\[0\]\.type/);
    expect(upstream.calls).toHaveLength(0);
    upstream.restore();

    upstream = scriptUpstream(() => jsonResponse(messageResponse));
    const passed = await post('/v1/messages', audio, client);
    expect(passed.response.status).toBe(200);
    expect(JSON.parse(upstream.calls[0]!.body)).toEqual(audio);
  });

  it('accepts unknown extra fields everywhere (clients add new ones every month)', async () => {
    const withExtras = {
      ...messageRequest,
      brand_new_field: { nested: true },
      context_management: { edits: [{ type: 'clear_tool_uses_20250919' }] },
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hi', citations: [], new_block_field: 1 }], extra: 'x' }],
      thinking: { type: 'adaptive', display: 'summarized' },
      output_config: { effort: 'high', future_knob: 3 },
    };
    upstream = scriptUpstream(() => jsonResponse(messageResponse));
    expect((await post('/v1/messages', withExtras, client)).response.status).toBe(200);
    upstream.restore();
    upstream = scriptUpstream(() => jsonResponse(completion({ content: 'ok' })));
    expect((await post('/v1/messages', withExtras, proxyAuth, openaiRoute())).response.status).toBe(200);
  });

  it('validates count_tokens without requiring max_tokens', async () => {
    upstream = scriptUpstream(() => jsonResponse({ input_tokens: 3 }));
    expect((await post('/v1/messages/count_tokens', { model: 'claude-x', messages: [{ role: 'user', content: 'hi' }] }, client)).response.status).toBe(200);
    await expectError(await post('/v1/messages/count_tokens', { model: 'claude-x', messages: 'hi' }, client), 400, 'invalid_request_error', /messages/);
  });
});

describe('request size', () => {
  it('refuses a body over the limit from its content-length, before reading it', async () => {
    upstream = scriptUpstream(() => jsonResponse(messageResponse));
    const body = JSON.stringify({ ...messageRequest, messages: [{ role: 'user', content: 'x'.repeat(5000) }] });
    const sent = await send(
      '/v1/messages',
      { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(body.length), ...client }, body },
      { MAX_REQUEST_BYTES: '4096' },
    );
    await expectError(sent, 413, 'request_too_large', /larger than 4096 bytes \(MAX_REQUEST_BYTES\)/);
    expect(upstream.calls).toHaveLength(0);
  });

  it('refuses a chunked body as soon as it passes the limit', async () => {
    const encoder = new TextEncoder();
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        controller.enqueue(encoder.encode('x'.repeat(1024)));
      },
    });
    const sent = await send(
      '/v1/messages',
      { method: 'POST', headers: { 'content-type': 'application/json', ...client }, body: endless },
      { MAX_REQUEST_BYTES: '8192' },
    );
    await expectError(sent, 413, 'request_too_large');
    expect(pulled).toBeLessThan(20);
  });

  it('defaults to 16 MiB, what an isolate can carry (a request holds about 3.4 times its size)', async () => {
    upstream = scriptUpstream(() => jsonResponse(messageResponse));
    const sent = await send('/v1/messages', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(16 * 1024 * 1024 + 1), ...client },
      body: JSON.stringify(messageRequest),
    });
    expect(sent.response.status).toBe(413);
    expect(((await sent.response.json()) as { error: { message: string } }).error.message).toContain('larger than 16777216 bytes (MAX_REQUEST_BYTES)');
  });
});

describe('paths and methods', () => {
  it('answers an unknown path with 404 not_found_error', async () => {
    await expectError(await send('/v2/complete', { method: 'POST' }), 404, 'not_found_error', /no such endpoint: POST \/v2\/complete/);
  });

  it('answers a wrong method with 405 and Allow', async () => {
    const sent = await send('/v1/messages', { method: 'GET' });
    expect(sent.response.headers.get('allow')).toBe('POST');
    await expectError(sent, 405, 'invalid_request_error', /GET is not allowed on \/v1\/messages: use POST/);
    const put = await send('/v1/models', { method: 'DELETE' });
    expect(put.response.status).toBe(405);
  });

  it('keeps serving good requests after bad ones', async () => {
    for (const bad of ['{', '', '[]', '{"model": 1}']) await post('/v1/messages', bad, client);
    upstream = scriptUpstream(() => jsonResponse(messageResponse));
    const good = await post('/v1/messages', messageRequest, client);
    expect(good.response.status).toBe(200);
    expect(await good.response.json()).toEqual(messageResponse);
  });
});
