import Anthropic from '@anthropic-ai/sdk';
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startProxy, startUpstream, type RecordedRequest } from './harness';

/**
 * The official Anthropic SDK → the running worker → a scripted OpenAI-compatible upstream on
 * loopback. The upstream picks its answer from a scenario word in the last user message.
 */

type Chunk = Record<string, unknown>;
const chunk = (delta: Chunk, finish_reason: string | null = null): Chunk => ({
  id: 'chatcmpl-e2e',
  object: 'chat.completion.chunk',
  model: 'gpt-e2e',
  choices: [{ index: 0, delta, finish_reason }],
});
const usage = (prompt_tokens: number, completion_tokens: number): Chunk => ({
  id: 'chatcmpl-e2e',
  object: 'chat.completion.chunk',
  choices: [],
  usage: { prompt_tokens, completion_tokens },
});
const call = (index: number, id: string | undefined, name: string | undefined, args: string) => ({
  index,
  ...(id ? { id, type: 'function' } : {}),
  function: { ...(name ? { name } : {}), arguments: args },
});

async function streamChunks(res: ServerResponse, chunks: Chunk[], options: { done?: boolean; cut?: boolean } = {}) {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  for (const item of chunks) {
    res.write(`data: ${JSON.stringify(item)}\n\n`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  if (options.cut) {
    res.destroy();
    return;
  }
  if (options.done !== false) res.write('data: [DONE]\n\n');
  res.end();
}

function lastUserText(body: { messages: { role: string; content: unknown }[] }): string {
  const last = [...body.messages].reverse().find((message) => message.role === 'user');
  if (!last) return '';
  if (typeof last.content === 'string') return last.content;
  return (last.content as { type: string; text?: string }[]).map((part) => part.text ?? '').join(' ');
}

async function answer(req: RecordedRequest, res: ServerResponse) {
  const body = JSON.parse(req.body);
  const text = lastUserText(body);
  const scenario = /\[(\w+)\]/.exec(text)?.[1] ?? 'text';
  const lastMessage = body.messages.at(-1);
  if (lastMessage.role === 'tool') {
    // the tool round trip: answer with what the tool returned
    const results = body.messages.filter((message: { role: string }) => message.role === 'tool').map((message: { content: string }) => message.content);
    return streamOrJson(res, body, `Tool said: ${results.join(' | ')}`);
  }
  switch (scenario) {
    case 'tool':
      if (!body.stream) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            id: 'c1',
            choices: [
              {
                index: 0,
                message: {
                  role: 'assistant',
                  content: null,
                  tool_calls: [{ id: 'call_ls', type: 'function', function: { name: 'Bash', arguments: '{"command":"ls"}' } }],
                },
                finish_reason: 'tool_calls',
              },
            ],
            usage: { prompt_tokens: 40, completion_tokens: 9 },
          }),
        );
        return;
      }
      return streamChunks(res, [
        chunk({ role: 'assistant', content: 'Listing.' }),
        chunk({ tool_calls: [call(0, 'call_ls', 'Bash', '')] }),
        chunk({ tool_calls: [call(0, undefined, undefined, '{"comma')] }),
        chunk({ tool_calls: [call(0, undefined, undefined, 'nd":"ls"}')] }),
        chunk({}, 'tool_calls'),
        usage(40, 9),
      ]);
    case 'parallel':
      return streamChunks(res, [
        chunk({ tool_calls: [call(0, 'call_a', 'Read', '{"file_path":"/a.txt"}')] }),
        chunk({ tool_calls: [call(1, 'call_b', 'Read', '{"file_')] }),
        chunk({ tool_calls: [call(1, undefined, undefined, 'path":"/b.txt"}')] }),
        chunk({}, 'tool_calls'),
        usage(50, 20),
      ]);
    case 'think':
      return streamChunks(res, [
        chunk({ reasoning_content: 'Two plus two ' }),
        chunk({ reasoning_content: 'is four.' }),
        chunk({ content: 'The answer is 4.' }, 'stop'),
        usage(12, 30),
      ]);
    case 'image': {
      const image = body.messages.at(-1).content.find((part: { type: string }) => part.type === 'image_url');
      return streamOrJson(res, body, `I see an image at ${image.image_url.url.slice(0, 22)}`);
    }
    case 'ratelimit':
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '3' });
      res.end(JSON.stringify({ error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } }));
      return;
    case 'cut':
      return streamChunks(res, [chunk({ content: 'This answer will be cut ' }), chunk({ content: 'off in the mid' })], { cut: true });
    default:
      return streamOrJson(res, body, 'Hello from the OpenAI-compatible upstream.');
  }
}

async function streamOrJson(res: ServerResponse, body: { stream?: boolean }, text: string) {
  if (body.stream)
    return streamChunks(res, [
      chunk({ role: 'assistant', content: '' }),
      ...text.split(/(?<= )/).map((piece) => chunk({ content: piece })),
      chunk({}, 'stop'),
      usage(20, 8),
    ]);
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({
      id: 'c1',
      object: 'chat.completion',
      choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 20, completion_tokens: 8 },
    }),
  );
}

let upstream: Awaited<ReturnType<typeof startUpstream>>;
let proxy: Awaited<ReturnType<typeof startProxy>>;
let client: Anthropic;

beforeAll(async () => {
  upstream = await startUpstream(answer);
  proxy = await startProxy(
    { ROUTES: JSON.stringify([{ match: 'claude-*', provider: 'openai', baseUrl: `${upstream.url}/v1`, model: 'gpt-e2e', apiKey: 'OPENAI_API_KEY' }]) },
    { OPENAI_API_KEY: 'sk-e2e-upstream-key', PROXY_API_KEYS: 'e2e-proxy-key' },
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
    input_schema: { type: 'object' as const, properties: { file_path: { type: 'string' } }, required: ['file_path'] },
  },
];

describe('official SDK → worker → OpenAI-compatible upstream', () => {
  it('answers text, streaming and not', async () => {
    const plain = await client.messages.create({ model, max_tokens: 100, messages: [{ role: 'user', content: 'Say hello' }] });
    expect(plain.content).toEqual([{ type: 'text', text: 'Hello from the OpenAI-compatible upstream.' }]);
    expect(plain.model).toBe(model);
    expect(plain.usage).toMatchObject({ input_tokens: 20, output_tokens: 8 });
    expect(upstream.requests.at(-1)!.headers.authorization).toBe('Bearer sk-e2e-upstream-key');

    const stream = client.messages.stream({ model, max_tokens: 100, messages: [{ role: 'user', content: 'Say hello' }] });
    const final = await stream.finalMessage();
    expect(final.content).toEqual([{ type: 'text', text: 'Hello from the OpenAI-compatible upstream.' }]);
    expect(final.stop_reason).toBe('end_turn');
    expect(final.usage).toMatchObject({ input_tokens: 20, output_tokens: 8 });
  });

  it('calls a tool, then completes the multi-turn round trip with the tool result', async () => {
    const first = await client.messages
      .stream({ model, max_tokens: 200, tools, messages: [{ role: 'user', content: 'List the files [tool]' }] })
      .finalMessage();
    expect(first.stop_reason).toBe('tool_use');
    expect(first.content).toEqual([
      { type: 'text', text: 'Listing.' },
      { type: 'tool_use', id: 'call_ls', name: 'Bash', input: { command: 'ls' } },
    ]);

    const second = await client.messages.create({
      model,
      max_tokens: 200,
      tools,
      messages: [
        { role: 'user', content: 'List the files [tool]' },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_ls', content: 'README.md src' }] },
      ],
    });
    expect(second.content).toEqual([{ type: 'text', text: 'Tool said: README.md src' }]);
    const sent = JSON.parse(upstream.requests.at(-1)!.body);
    expect(sent.messages.slice(-2)).toEqual([
      { role: 'assistant', content: 'Listing.', tool_calls: [{ id: 'call_ls', type: 'function', function: { name: 'Bash', arguments: '{"command":"ls"}' } }] },
      { role: 'tool', tool_call_id: 'call_ls', content: 'README.md src' },
    ]);
    expect(sent.tools.map((tool: { function: { name: string } }) => tool.function.name)).toEqual(['Bash', 'Read']);
  });

  it('streams parallel tool calls as separate, complete tool_use blocks', async () => {
    const message = await client.messages
      .stream({ model, max_tokens: 200, tools, messages: [{ role: 'user', content: 'Read both [parallel]' }] })
      .finalMessage();
    expect(message.content).toEqual([
      { type: 'tool_use', id: 'call_a', name: 'Read', input: { file_path: '/a.txt' } },
      { type: 'tool_use', id: 'call_b', name: 'Read', input: { file_path: '/b.txt' } },
    ]);
    expect(message.stop_reason).toBe('tool_use');
  });

  it('streams thinking then text', async () => {
    const message = await client.messages
      .stream({ model, max_tokens: 2000, thinking: { type: 'enabled', budget_tokens: 1024 }, messages: [{ role: 'user', content: 'What is 2+2? [think]' }] })
      .finalMessage();
    expect(message.content).toEqual([
      { type: 'thinking', thinking: 'Two plus two is four.', signature: '' },
      { type: 'text', text: 'The answer is 4.' },
    ]);
  });

  it('sends images as image_url parts', async () => {
    const message = await client.messages.create({
      model,
      max_tokens: 100,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Describe [image]' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
          ],
        },
      ],
    });
    expect(message.content).toEqual([{ type: 'text', text: 'I see an image at data:image/png;base64,' }]);
  });

  it('raises the typed SDK error for an upstream rate limit, with retry-after kept', async () => {
    const error = await client.messages.create({ model, max_tokens: 10, messages: [{ role: 'user', content: 'Hi [ratelimit]' }] }).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    const rateLimit = error as InstanceType<typeof Anthropic.RateLimitError>;
    expect(rateLimit.status).toBe(429);
    expect(rateLimit.headers?.get('retry-after')).toBe('3');
  });

  it('fails the stream with an error, not a clean truncated answer, when the upstream is cut mid-way', async () => {
    const stream = client.messages.stream({ model, max_tokens: 100, messages: [{ role: 'user', content: 'Talk [cut]' }] });
    const texts: string[] = [];
    stream.on('text', (text) => texts.push(text));
    const error = await stream.finalMessage().catch((err: unknown) => err);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect(String((error as Error).message)).toMatch(/upstream/);
    expect(texts.join('')).toBe('This answer will be cut off in the mid');

    const rows = await eventually(async () => {
      const found = await proxy.query<{ end_reason: string; error_type: string }>(
        "SELECT end_reason, error_type FROM traces WHERE new_messages LIKE '%[cut]%'",
      );
      expect(found).toHaveLength(1);
      return found;
    });
    expect(rows[0]).toEqual({ end_reason: 'upstream_error', error_type: 'api_error' });
  });

  it('counts tokens locally', async () => {
    const count = await client.messages.countTokens({ model, messages: [{ role: 'user', content: 'How many tokens is this sentence, roughly?' }] });
    expect(count.input_tokens).toBeGreaterThan(5);
    expect(count.input_tokens).toBeLessThan(30);
  });

  it('lists the routed models', async () => {
    const page = await client.models.list();
    expect(page.data.map((model) => model.id)).toEqual(['claude-gpt-e2e']);
  });
});
