import Anthropic from '@anthropic-ai/sdk';
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkResponsesRequest, item, type OutputItem, responseEvents, responseObject, sse } from '../fixtures/scripted-responses.mjs';
import { eventually, type RecordedRequest, startProxy, startUpstream } from './harness';

/**
 * The official Anthropic SDK → the running worker → a scripted Responses API on loopback that
 * refuses what the real endpoint refuses (unanswered calls, reasoning replayed without what
 * followed it or not issued by it, strict schemas that are not strict, unknown parameters…).
 * The upstream picks its answer from a scenario word in the first user message.
 */

interface InputItem {
  type: string;
  role?: string;
  content?: string | Array<{ type: string; text?: string }>;
  call_id?: string;
  output?: string;
  id?: string;
}

const issued = new Map<string, string>();

function firstUserText(input: InputItem[]): string {
  const first = input.find((entry) => entry.type === 'message' && entry.role === 'user');
  if (!first) return '';
  return typeof first.content === 'string' ? first.content : (first.content ?? []).map((part) => part.text ?? '').join(' ');
}

function send(res: ServerResponse, body: { stream?: boolean }, output: OutputItem[], options: Parameters<typeof responseObject>[1] = {}) {
  for (const entry of output) if (entry.type === 'reasoning') issued.set(entry.id, String(entry.encrypted_content));
  if (body.stream) {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end(sse(responseEvents(output, options)));
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(responseObject(output, options)));
}

async function answer(req: RecordedRequest, res: ServerResponse) {
  const body = JSON.parse(req.body) as { input: InputItem[]; stream?: boolean };
  const refused = checkResponsesRequest(body, issued);
  if (refused) {
    res.writeHead(refused.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(refused.body));
    return;
  }
  const scenario = /\[(\w+)\]/.exec(firstUserText(body.input))?.[1] ?? 'text';
  const outputs = body.input.filter((entry) => entry.type === 'function_call_output');
  const replayed = body.input.filter((entry) => entry.type === 'reasoning').map((entry) => entry.id);
  switch (scenario) {
    case 'tool':
      if (outputs.length === 0)
        return send(res, body, [item.reasoning('I need the file list.'), item.message('Listing.'), item.call('Bash', { command: 'ls' }, 'call_ls')]);
      if (outputs.length === 1) return send(res, body, [item.reasoning('Now count them.'), item.call('Bash', { command: 'ls | wc -l' }, 'call_wc')]);
      return send(res, body, [item.message(`Tool said: ${outputs.map((entry) => entry.output).join(' | ')}; replayed ${replayed.length} reasoning items`)]);
    case 'parallel':
      if (outputs.length > 0) return send(res, body, [item.message(`Got ${outputs.length} results`)]);
      return send(res, body, [item.call('Read', { file_path: '/a.txt' }, 'call_a'), item.call('Read', { file_path: '/b.txt' }, 'call_b')]);
    case 'think':
      return send(res, body, [item.reasoning('Two plus two is four.'), item.message('The answer is 4.')], {
        usage: { input_tokens: 12, output_tokens: 30, cached: 8 },
      });
    case 'long':
      return send(res, body, [item.message('This answer was cut')], { status: 'incomplete', incomplete: 'max_output_tokens' });
    case 'ratelimit':
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '3' });
      res.end(JSON.stringify({ error: { message: 'Rate limit reached for gpt-5.1-codex', type: 'requests', code: 'rate_limit_exceeded' } }));
      return;
    case 'failed': {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const events = responseEvents([item.message('This answer fails mid-way')]).slice(0, 5);
      events.push({ type: 'response.failed', response: { status: 'failed', error: { code: 'server_error', message: 'The model had a problem' } } });
      res.end(sse(events));
      return;
    }
    default:
      return send(res, body, [item.message('Hello from the Responses API.')], { usage: { input_tokens: 20, output_tokens: 8 } });
  }
}

let upstream: Awaited<ReturnType<typeof startUpstream>>;
let proxy: Awaited<ReturnType<typeof startProxy>>;
let client: Anthropic;

beforeAll(async () => {
  upstream = await startUpstream(answer);
  proxy = await startProxy(
    {
      ROUTES: JSON.stringify([
        { match: 'claude-*', provider: 'openai-responses', baseUrl: `${upstream.url}/v1`, model: 'gpt-5.1-codex', apiKey: 'OPENAI_API_KEY', retries: 0 },
      ]),
    },
    { OPENAI_API_KEY: 'sk-e2e-responses-key', PROXY_API_KEYS: 'e2e-proxy-key' },
  );
  client = new Anthropic({ baseURL: proxy.url, apiKey: 'e2e-proxy-key', maxRetries: 0 });
});

afterAll(async () => {
  await proxy?.close();
  await upstream?.close();
});

const model = 'claude-sonnet-4-6';
const tools = [
  {
    name: 'Bash',
    description: 'Run a shell command',
    input_schema: { type: 'object' as const, properties: { command: { type: 'string' } }, required: ['command'] },
  },
  {
    name: 'Read',
    description: 'Read a file',
    input_schema: { type: 'object' as const, properties: { file_path: { type: 'string' } }, required: ['file_path'], additionalProperties: false },
  },
];

describe('official SDK → worker → Responses API upstream', () => {
  it('answers text, streaming and not, on /v1/responses with the server key', async () => {
    const plain = await client.messages.create({ model, max_tokens: 100, messages: [{ role: 'user', content: 'Say hello' }] });
    expect(plain.content).toEqual([{ type: 'text', text: 'Hello from the Responses API.' }]);
    expect(plain.usage).toMatchObject({ input_tokens: 20, output_tokens: 8 });
    const last = upstream.requests.at(-1)!;
    expect(last.path).toBe('/v1/responses');
    expect(last.headers.authorization).toBe('Bearer sk-e2e-responses-key');

    const final = await client.messages.stream({ model, max_tokens: 100, messages: [{ role: 'user', content: 'Say hello' }] }).finalMessage();
    expect(final.content).toEqual([{ type: 'text', text: 'Hello from the Responses API.' }]);
    expect(final.stop_reason).toBe('end_turn');
  });

  it('runs two sequential tool turns with thinking, the reasoning chain replayed each turn, streaming and not', async () => {
    for (const stream of [true, false]) {
      const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'Count the files [tool]' }];
      const params = { model, max_tokens: 4000, tools, thinking: { type: 'enabled' as const, budget_tokens: 2048 } };
      const results = ['a.txt b.txt', '2'];
      for (const result of results) {
        const reply = stream ? await client.messages.stream({ ...params, messages }).finalMessage() : await client.messages.create({ ...params, messages });
        expect(reply.stop_reason).toBe('tool_use');
        expect(reply.content[0]).toMatchObject({ type: 'thinking', signature: expect.stringMatching(/^cpr1\./) });
        const use = reply.content.find((block) => block.type === 'tool_use')!;
        messages.push({ role: 'assistant', content: reply.content });
        messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: (use as Anthropic.ToolUseBlock).id, content: result }] });
      }
      const done = stream ? await client.messages.stream({ ...params, messages }).finalMessage() : await client.messages.create({ ...params, messages });
      expect(done.content).toEqual([{ type: 'text', text: 'Tool said: a.txt b.txt | 2; replayed 2 reasoning items' }]);
      const sent = JSON.parse(upstream.requests.at(-1)!.body);
      expect(sent.reasoning).toEqual({ effort: 'low', summary: 'auto' });
      expect(sent.input.map((entry: InputItem) => entry.type)).toEqual([
        'message',
        'reasoning',
        'message',
        'function_call',
        'function_call_output',
        'reasoning',
        'function_call',
        'function_call_output',
      ]);
    }
  });

  it('streams parallel function calls as separate tool_use blocks and answers both', async () => {
    const message = await client.messages
      .stream({ model, max_tokens: 200, tools, messages: [{ role: 'user', content: 'Read both [parallel]' }] })
      .finalMessage();
    expect(message.content).toEqual([
      { type: 'tool_use', id: 'call_a', name: 'Read', input: { file_path: '/a.txt' } },
      { type: 'tool_use', id: 'call_b', name: 'Read', input: { file_path: '/b.txt' } },
    ]);
    const next = await client.messages.create({
      model,
      max_tokens: 200,
      tools,
      messages: [
        { role: 'user', content: 'Read both [parallel]' },
        { role: 'assistant', content: message.content },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'call_b', content: 'B' },
            { type: 'tool_result', tool_use_id: 'call_a', content: 'A' },
          ],
        },
      ],
    });
    expect(next.content).toEqual([{ type: 'text', text: 'Got 2 results' }]);
  });

  it('streams thinking then text, with cached input tokens as cache reads', async () => {
    const message = await client.messages
      .stream({ model, max_tokens: 2000, thinking: { type: 'enabled', budget_tokens: 1024 }, messages: [{ role: 'user', content: 'What is 2+2? [think]' }] })
      .finalMessage();
    expect(message.content).toEqual([
      { type: 'thinking', thinking: 'Two plus two is four.', signature: expect.stringMatching(/^cpr1\./) },
      { type: 'text', text: 'The answer is 4.' },
    ]);
    expect(message.usage).toMatchObject({ input_tokens: 4, output_tokens: 30, cache_read_input_tokens: 8 });
  });

  it('maps an incomplete response to max_tokens', async () => {
    const message = await client.messages.create({ model, max_tokens: 16, messages: [{ role: 'user', content: 'Talk [long]' }] });
    expect(message.stop_reason).toBe('max_tokens');
  });

  it('raises the typed SDK error for a rate limit, with retry-after kept', async () => {
    const error = await client.messages.create({ model, max_tokens: 10, messages: [{ role: 'user', content: 'Hi [ratelimit]' }] }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    expect((error as InstanceType<typeof Anthropic.RateLimitError>).headers?.get('retry-after')).toBe('3');
  });

  it('fails the stream with an error, not a clean truncated answer, on response.failed', async () => {
    const stream = client.messages.stream({ model, max_tokens: 100, messages: [{ role: 'user', content: 'Talk [failed]' }] });
    const error = await stream.finalMessage().catch((err: unknown) => err);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect(String((error as Error).message)).toMatch(/The model had a problem/);
    const rows = await eventually(async () => {
      const found = await proxy.query<{ end_reason: string; error_type: string; provider: string }>(
        "SELECT end_reason, error_type, provider FROM traces WHERE new_messages LIKE '%[failed]%'",
      );
      expect(found).toHaveLength(1);
      return found;
    });
    expect(rows[0]).toEqual({ end_reason: 'upstream_error', error_type: 'api_error', provider: 'openai-responses' });
  });

  it('refuses nothing the proxy sends: every request the scripted endpoint received was accepted', async () => {
    // Each request above went through checkResponsesRequest; replay them all to be sure none was refused.
    const replay = new Map(issued);
    for (const request of upstream.requests) {
      const body = JSON.parse(request.body);
      expect(checkResponsesRequest(body, replay), request.body.slice(0, 200)).toBeNull();
    }
  });
});
