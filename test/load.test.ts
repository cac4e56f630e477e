import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageRequest, messageResponse, streamText } from './fixtures/anthropic';
import { chunk, completion, proxyAuth, sse, usageChunk } from './fixtures/openai';
import { allTraces, post, scriptUpstream, traceOf } from './helpers/worker';

/**
 * 300 requests, 30 at a time, mixed: passthrough and translated, streamed and not, some failing
 * upstream, some refused by the proxy. Every request gets its own right answer, and exactly one
 * trace row.
 */

const REQUESTS = 300;
const CONCURRENCY = 30;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let upstream: ReturnType<typeof scriptUpstream>;
beforeAll(() => {
  upstream = scriptUpstream(async (request) => {
    const body = JSON.parse(await request.text()) as { stream?: boolean; messages: { content: unknown }[] };
    const tag = JSON.stringify(body.messages.at(-1)?.content);
    await sleep(Math.random() * 4);
    if (tag.includes('fail')) return Response.json({ type: 'error', error: { type: 'api_error', message: 'upstream broke' } }, { status: 500 });
    if (request.url.endsWith('/chat/completions')) {
      if (tag.includes('limit')) return Response.json({ error: { message: 'Rate limit reached', code: 'rate_limit_exceeded' } }, { status: 429 });
      const text = `answer to ${tag}`;
      return body.stream
        ? new Response(sse([chunk({ content: text }), chunk({}, 'stop'), usageChunk(10, 3)]), { headers: { 'content-type': 'text/event-stream' } })
        : Response.json(completion({ content: text }));
    }
    return body.stream ? new Response(streamText, { headers: { 'content-type': 'text/event-stream' } }) : Response.json(messageResponse);
  });
});
afterAll(() => upstream.restore());

const config = {
  ROUTES: [
    { match: 'claude-translated-*', provider: 'openai', baseUrl: 'https://llm.example/v1', model: 'm', apiKey: 'LLM_KEY', retries: 0 },
    { match: '*', provider: 'anthropic', baseUrl: 'https://api.anthropic.com', apiKey: 'client', retries: 0 },
  ],
  LLM_KEY: 'sk-load-llm-key-1234',
  PROXY_API_KEYS: 'proxy-key-for-tests-42',
};

type Kind = 'passthrough' | 'passthrough-stream' | 'translated' | 'translated-stream' | 'upstream-500' | 'upstream-429' | 'bad-input';
const KINDS: Kind[] = ['passthrough', 'passthrough-stream', 'translated', 'translated-stream', 'upstream-500', 'upstream-429', 'bad-input'];

async function one(i: number) {
  const kind = KINDS[i % KINDS.length]!;
  const translated = kind.startsWith('translated') || kind === 'upstream-429';
  const content = `request ${i} ${kind === 'upstream-500' ? 'fail' : kind === 'upstream-429' ? 'limit' : ''}`;
  const body =
    kind === 'bad-input'
      ? { model: 'claude-x', messages: [] }
      : {
          ...messageRequest,
          model: translated ? 'claude-translated-1' : 'claude-sonnet-4-6',
          stream: kind.endsWith('stream'),
          messages: [{ role: 'user', content }],
        };
  const sent = await post('/v1/messages', body, translated ? proxyAuth : { 'x-api-key': 'sk-ant-load-client', 'x-proxy-key': proxyAuth['x-api-key'] }, config);
  const text = await sent.response.text();
  switch (kind) {
    case 'passthrough':
      expect(JSON.parse(text)).toEqual(messageResponse);
      break;
    case 'passthrough-stream':
      expect(text).toBe(streamText);
      break;
    case 'translated':
      expect(JSON.parse(text).content).toEqual([{ type: 'text', text: `answer to ${JSON.stringify(content)}` }]);
      break;
    case 'translated-stream':
      expect(text).toContain(JSON.stringify({ type: 'text_delta', text: `answer to ${JSON.stringify(content)}` }));
      expect(text).toMatch(/event: message_stop\ndata: \{"type":"message_stop"\}\n\n$/);
      break;
    case 'upstream-500':
      expect(sent.response.status).toBe(500);
      break;
    case 'upstream-429':
      expect(sent.response.status).toBe(429);
      expect(JSON.parse(text).error.type).toBe('rate_limit_error');
      break;
    case 'bad-input':
      expect(sent.response.status).toBe(400);
      break;
  }
  const row = await traceOf(sent);
  expect(row.status).toBe(sent.response.status);
  return sent.traceId!;
}

describe('under load', () => {
  it(`answers ${REQUESTS} mixed requests at concurrency ${CONCURRENCY}, with exactly one trace each`, async () => {
    const before = await allTraces();
    const ids: string[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < REQUESTS) ids.push(await one(next++));
      }),
    );
    expect(ids).toHaveLength(REQUESTS);
    expect(new Set(ids).size).toBe(REQUESTS);
    const rows = (await allTraces()).filter((row) => !before.some((old) => old.id === row.id));
    expect(rows).toHaveLength(REQUESTS);
    expect(new Set(rows.map((row) => row.id))).toEqual(new Set(ids));
    const byStatus: Record<number, number> = {};
    for (const row of rows) byStatus[row.status!] = (byStatus[row.status!] ?? 0) + 1;
    const expected: Record<number, number> = {};
    const statusOf: Record<Kind, number> = {
      passthrough: 200,
      'passthrough-stream': 200,
      translated: 200,
      'translated-stream': 200,
      'upstream-500': 500,
      'upstream-429': 429,
      'bad-input': 400,
    };
    for (let i = 0; i < REQUESTS; i++) expected[statusOf[KINDS[i % KINDS.length]!]] = (expected[statusOf[KINDS[i % KINDS.length]!]] ?? 0) + 1;
    expect(byStatus).toEqual(expected);
  }, 60_000);
});
