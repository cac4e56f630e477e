import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startProxy, startUpstream } from './harness';

const streamFrames = [
  {
    type: 'message_start',
    message: {
      id: 'msg_e2e_stream',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-6',
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 21, output_tokens: 1 },
    },
  },
  { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
  { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hello' } },
  { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: ', world' } },
  { type: 'content_block_stop', index: 0 },
  { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 5 } },
  { type: 'message_stop' },
];

const message = {
  id: 'msg_e2e_plain',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-4-6',
  content: [{ type: 'text', text: 'Plain hello' }],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: { input_tokens: 9, output_tokens: 3, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
};

let upstream: Awaited<ReturnType<typeof startUpstream>>;
let proxy: Awaited<ReturnType<typeof startProxy>>;

beforeAll(async () => {
  upstream = await startUpstream(async (req, res) => {
    const body = JSON.parse(req.body);
    if (body.model === 'claude-error') {
      res.writeHead(529, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }));
      return;
    }
    if (!body.stream) {
      res.writeHead(200, { 'content-type': 'application/json', 'request-id': 'req_e2e' });
      res.end(JSON.stringify(message));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const frame of streamFrames) {
      res.write(`event: ${frame.type}\ndata: ${JSON.stringify(frame)}\n\n`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    res.end();
  });
  proxy = await startProxy({
    ROUTES: JSON.stringify([{ match: '*', provider: 'anthropic', baseUrl: `${upstream.url}/prefix`, apiKey: 'client' }]),
  });
});

afterAll(async () => {
  await proxy?.close();
  await upstream?.close();
});

describe('the official Anthropic SDK through the running worker', () => {
  const client = () => new Anthropic({ baseURL: proxy.url, apiKey: 'sk-ant-e2e-client-key-123456', maxRetries: 0 });

  it('completes a non-streaming request and the trace lands in D1', async () => {
    const raw = await client()
      .messages.create({ model: 'claude-sonnet-4-6', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] })
      .withResponse();
    expect(raw.data.content).toEqual([{ type: 'text', text: 'Plain hello' }]);
    const traceId = raw.response.headers.get('x-trace-id');
    expect(traceId).toBeTruthy();
    const last = upstream.requests.at(-1)!;
    expect(last.path).toBe('/prefix/v1/messages');
    expect(last.headers['x-api-key'] ?? last.headers.authorization).toContain('sk-ant-e2e-client-key-123456');

    const rows = await eventually(async () => {
      const found = await proxy.query<{ status: number; output_tokens: number; stop_reason: string; request_headers: string }>(
        'SELECT status, output_tokens, stop_reason, request_headers FROM traces WHERE id = ?',
        traceId,
      );
      expect(found).toHaveLength(1);
      return found;
    });
    expect(rows[0]).toMatchObject({ status: 200, output_tokens: 3, stop_reason: 'end_turn' });
    expect(rows[0]!.request_headers).not.toContain('sk-ant-e2e-client-key-123456');
  });

  it('streams with the SDK accumulator and records the reassembled message', async () => {
    const stream = client().messages.stream({ model: 'claude-sonnet-4-6', max_tokens: 64, messages: [{ role: 'user', content: 'Hi' }] });
    const texts: string[] = [];
    stream.on('text', (text) => texts.push(text));
    const final = await stream.finalMessage();
    expect(texts).toEqual(['Hello', ', world']);
    expect(final.content).toEqual([{ type: 'text', text: 'Hello, world' }]);
    expect(final.usage.output_tokens).toBe(5);

    const rows = await eventually(async () => {
      const found = await proxy.query<{ response_body: string; stream: number; end_reason: string }>(
        "SELECT response_body, stream, end_reason FROM traces WHERE response_body LIKE '%msg_e2e_stream%'",
      );
      expect(found).toHaveLength(1);
      return found;
    });
    expect(rows[0]!.stream).toBe(1);
    expect(rows[0]!.end_reason).toBe('complete');
    expect(JSON.parse(rows[0]!.response_body).content).toEqual([{ type: 'text', text: 'Hello, world' }]);
  });

  it('surfaces an upstream error as the SDK typed error with its status', async () => {
    const error = await client()
      .messages.create({ model: 'claude-error', max_tokens: 8, messages: [{ role: 'user', content: 'Hi' }] })
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect((error as InstanceType<typeof Anthropic.APIError>).status).toBe(529);
    expect((error as InstanceType<typeof Anthropic.APIError>).type).toBe('overloaded_error');
  });
});
