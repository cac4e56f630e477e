import { afterEach, describe, expect, it } from 'vitest';
import { proxyAuth } from '../../fixtures/openai';
import { checkResponsesRequest, item, responseEvents, responseObject, sse } from '../../fixtures/scripted-responses.mjs';
import { post, scriptUpstream, traceOf } from '../../helpers/worker';

let upstream: ReturnType<typeof scriptUpstream> | undefined;
afterEach(() => {
  upstream?.restore();
  upstream = undefined;
});

const responsesRoute = (overrides: Record<string, unknown> = {}) => ({
  ROUTES: [
    { match: 'claude-*', provider: 'openai-responses', baseUrl: 'https://api.openai.com/v1', model: 'gpt-5.1-codex', apiKey: 'UPSTREAM_KEY', ...overrides },
  ],
  UPSTREAM_KEY: 'sk-upstream-secret-000111222',
  PROXY_API_KEYS: 'proxy-key-for-tests-42',
});
const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
const tools = [{ name: 'Bash', input_schema: { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] } }];

/** A scripted endpoint: refuses what the real one refuses, remembers the reasoning it issued, answers with `answer`. */
function scriptedResponses(answer: (body: Record<string, unknown>, remember: (reasoning: { id: string; encrypted_content: string }) => void) => Response) {
  const issued = new Map<string, string>();
  return scriptUpstream(async (request) => {
    const body = (await request.json()) as Record<string, unknown>;
    const refused = checkResponsesRequest(body, issued);
    if (refused) return json(refused.body, refused.status);
    return answer(body, (reasoning) => issued.set(reasoning.id, reasoning.encrypted_content));
  });
}

describe('openai-responses provider', () => {
  it('posts to /responses with the server key, answers in Anthropic format, and traces both requests', async () => {
    upstream = scriptedResponses(() =>
      json(responseObject([item.message('Hi there')], { id: 'resp_9', usage: { input_tokens: 30, output_tokens: 4, cached: 10 } })),
    );
    const sent = await post(
      '/v1/messages?beta=true',
      { model: 'claude-sonnet-4-6', max_tokens: 512, messages: [{ role: 'user', content: 'Hello' }] },
      { ...proxyAuth, 'x-claude-code-session-id': 'sess-r1' },
      responsesRoute(),
    );
    expect(sent.response.status).toBe(200);
    expect(await sent.response.json()).toEqual({
      id: 'msg_resp_9',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-6',
      content: [{ type: 'text', text: 'Hi there' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 20, output_tokens: 4, cache_creation_input_tokens: 0, cache_read_input_tokens: 10 },
    });
    const call = upstream.calls[0]!;
    expect(call.url).toBe('https://api.openai.com/v1/responses');
    expect(call.headers.get('authorization')).toBe('Bearer sk-upstream-secret-000111222');
    expect(JSON.parse(call.body)).toMatchObject({ model: 'gpt-5.1-codex', store: false, prompt_cache_key: 'sess-r1', max_output_tokens: 512 });
    const row = await traceOf(sent);
    expect(row).toMatchObject({
      provider: 'openai-responses',
      targetModel: 'gpt-5.1-codex',
      targetUrl: 'https://api.openai.com/v1/responses',
      cacheReadInputTokens: 10,
      inputTokens: 20,
    });
    expect(JSON.parse(row.upstreamRequestBody!)).toEqual(JSON.parse(call.body));
  });

  it('continues the reasoning chain across a streamed tool turn: the reasoning item comes back on the next request', async () => {
    let turn = 0;
    upstream = scriptedResponses((body, remember) => {
      turn++;
      if (turn === 1) {
        const reasoning = item.reasoning('I should list the files.');
        remember(reasoning);
        return new Response(sse(responseEvents([reasoning, item.call('Bash', { command: 'ls' }, 'call_ls')])), {
          headers: { 'content-type': 'text/event-stream' },
        });
      }
      const input = body.input as Array<{ type: string; id?: string }>;
      return new Response(sse(responseEvents([item.message(`Saw reasoning ${input.find((i) => i.type === 'reasoning')?.id ?? 'none'}.`)])), {
        headers: { 'content-type': 'text/event-stream' },
      });
    });
    const request = {
      model: 'claude-sonnet-4-6',
      max_tokens: 2000,
      stream: true,
      thinking: { type: 'adaptive' },
      tools,
      messages: [{ role: 'user', content: 'List files' }],
    };
    const first = await post('/v1/messages', request, proxyAuth, responsesRoute());
    await first.response.text();
    const firstRow = await traceOf(first);
    const answer = JSON.parse(firstRow.responseBody!);
    expect(answer.content.map((block: { type: string }) => block.type)).toEqual(['thinking', 'tool_use']);
    expect(JSON.parse(upstream.calls[0]!.body)).toMatchObject({ reasoning: { effort: 'medium', summary: 'auto' }, include: ['reasoning.encrypted_content'] });

    const second = await post(
      '/v1/messages',
      {
        ...request,
        messages: [
          ...request.messages,
          { role: 'assistant', content: answer.content },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_ls', content: 'README.md' }] },
        ],
      },
      proxyAuth,
      responsesRoute(),
    );
    expect(second.response.status).toBe(200);
    await second.response.text();
    expect(JSON.parse((await traceOf(second)).responseBody!).content).toEqual([{ type: 'text', text: expect.stringMatching(/^Saw reasoning rs_\d+\.$/) }]);
  });

  it('maps errors before the stream like the openai provider, context overflow included', async () => {
    upstream = scriptUpstream(() =>
      json({ error: { message: 'Rate limit reached for gpt-5.1-codex', type: 'requests', code: 'rate_limit_exceeded' } }, 429, { 'retry-after': '20' }),
    );
    const limited = await post(
      '/v1/messages',
      { model: 'claude-sonnet-4-6', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] },
      proxyAuth,
      responsesRoute({ retries: 0 }),
    );
    expect(limited.response.status).toBe(429);
    expect(limited.response.headers.get('retry-after')).toBe('20');
    upstream.restore();

    upstream = scriptUpstream(() =>
      json(
        {
          error: {
            message: 'Your input exceeds the context window of this model. Please adjust your input and try again.',
            type: 'invalid_request_error',
            code: 'context_length_exceeded',
          },
        },
        400,
      ),
    );
    const overflow = await post(
      '/v1/messages',
      { model: 'claude-sonnet-4-6', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] },
      proxyAuth,
      responsesRoute(),
    );
    expect(overflow.response.status).toBe(400);
    expect(((await overflow.response.json()) as { error: { message: string } }).error.message).toMatch(/^prompt is too long: \d+ tokens > \d+ maximum$/);
  });

  it('ends a stream that fails with an Anthropic error event, and the trace says so', async () => {
    upstream = scriptUpstream(
      () =>
        new Response(
          sse([
            ...responseEvents([item.message('Partial answer')]).slice(0, 4),
            { type: 'response.failed', response: { status: 'failed', error: { code: 'server_error', message: 'The server had an error' } } },
          ]),
          { headers: { 'content-type': 'text/event-stream' } },
        ),
    );
    const sent = await post(
      '/v1/messages',
      { model: 'claude-sonnet-4-6', max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'x' }] },
      proxyAuth,
      responsesRoute(),
    );
    const text = await sent.response.text();
    expect(text).toContain('event: error');
    expect(text).not.toContain('message_stop');
    const row = await traceOf(sent);
    expect(row).toMatchObject({ endReason: 'upstream_error', errorType: 'api_error', errorMessage: 'upstream response failed: The server had an error' });
  });

  it('treats a stream that ends before response.completed as cut', async () => {
    upstream = scriptUpstream(
      () => new Response(sse(responseEvents([item.message('So far')]).slice(0, -1)), { headers: { 'content-type': 'text/event-stream' } }),
    );
    const sent = await post(
      '/v1/messages',
      { model: 'claude-sonnet-4-6', max_tokens: 10, stream: true, messages: [{ role: 'user', content: 'x' }] },
      proxyAuth,
      responsesRoute(),
    );
    const text = await sent.response.text();
    expect(text.trim().split('\n\n').at(-1)).toContain('ended before the response was complete');
  });

  it('drops reasoning for a model that refuses it, once, records it in the attempts, and remembers', async () => {
    upstream = scriptUpstream(async (request) => {
      const body = (await request.json()) as { reasoning?: unknown };
      if (body.reasoning) {
        return json(
          {
            error: {
              message: "Unsupported parameter: 'reasoning.effort' is not supported with this model.",
              type: 'invalid_request_error',
              param: 'reasoning.effort',
              code: 'unsupported_parameter',
            },
          },
          400,
        );
      }
      return json(responseObject([item.message('Plain answer')]));
    });
    const route = responsesRoute({ model: 'gpt-4.1-gateway', reasoning: 'reasoning_effort' });
    const request = {
      model: 'claude-sonnet-4-6',
      max_tokens: 100,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      messages: [{ role: 'user', content: 'x' }],
    };
    const sent = await post('/v1/messages', request, proxyAuth, route);
    expect(sent.response.status).toBe(200);
    const row = await traceOf(sent);
    expect(row.attempts).toEqual([
      expect.objectContaining({ status: 400, error: expect.stringContaining('resent without reasoning') }),
      expect.objectContaining({ status: 200 }),
    ]);
    await post('/v1/messages', request, proxyAuth, route);
    expect(upstream.calls.map((call) => 'reasoning' in JSON.parse(call.body))).toEqual([true, false, false]);
  });

  it('answers count_tokens locally', async () => {
    upstream = scriptUpstream(() => json({}));
    const sent = await post(
      '/v1/messages/count_tokens',
      { model: 'claude-sonnet-4-6', messages: [{ role: 'user', content: 'How many tokens is this?' }] },
      proxyAuth,
      responsesRoute(),
    );
    expect(((await sent.response.json()) as { input_tokens: number }).input_tokens).toBeGreaterThan(3);
    expect(upstream.calls).toHaveLength(0);
  });
});
