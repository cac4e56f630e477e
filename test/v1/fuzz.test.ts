import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageResponse, streamText } from '../fixtures/anthropic';
import { chunk, completion, openaiRoute, proxyAuth, sse, usageChunk } from '../fixtures/openai';
import { allTraces, scriptUpstream, send } from '../helpers/worker';
import { waitOnExecutionContext } from 'cloudflare:test';

/**
 * Hostile input: mutated valid requests, random JSON, huge strings, deep nesting, odd unicode,
 * bytes that are not JSON. Whatever arrives, the proxy answers with a success or an
 * Anthropic-format error, never a 5xx of its own, and traces every request.
 */

let upstream: ReturnType<typeof scriptUpstream>;
beforeAll(() => {
  // A healthy upstream of either kind: any 5xx the client sees is the proxy's own.
  upstream = scriptUpstream(async (request) => {
    const url = new URL(request.url);
    let stream = false;
    try {
      stream = (JSON.parse(await request.text()) as { stream?: unknown }).stream === true;
    } catch {
      // the proxy only forwards JSON it parsed
    }
    if (url.pathname.endsWith('/chat/completions')) {
      return stream
        ? new Response(sse([chunk({ content: 'ok' }, 'stop'), usageChunk(3, 1)]), { headers: { 'content-type': 'text/event-stream' } })
        : Response.json(completion({ content: 'ok' }));
    }
    if (url.pathname.endsWith('/count_tokens')) return Response.json({ input_tokens: 5 });
    return stream ? new Response(streamText, { headers: { 'content-type': 'text/event-stream' } }) : Response.json(messageResponse);
  });
});
afterAll(() => upstream.restore());

const validRequest = () => ({
  model: 'claude-sonnet-4-6',
  max_tokens: 256,
  system: [{ type: 'text', text: 'You are terse.' }],
  messages: [
    { role: 'user', content: 'List the files.' },
    {
      role: 'assistant',
      content: [
        { type: 'text', text: 'Sure.' },
        { type: 'tool_use', id: 'toolu_1', name: 'Bash', input: { command: 'ls' } },
      ],
    },
    {
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 'toolu_1', content: 'a.txt' },
        { type: 'text', text: 'Go on.' },
      ],
    },
  ],
  tools: [{ name: 'Bash', description: 'Run a command', input_schema: { type: 'object', properties: { command: { type: 'string' } } } }],
  stream: false,
});

/** Paths into the valid request, for targeted mutations. */
const PATHS = [
  ['model'],
  ['max_tokens'],
  ['system'],
  ['system', 0, 'text'],
  ['messages'],
  ['messages', 0],
  ['messages', 0, 'role'],
  ['messages', 0, 'content'],
  ['messages', 1, 'content', 1],
  ['messages', 1, 'content', 1, 'input'],
  ['messages', 1, 'content', 1, 'id'],
  ['messages', 2, 'content', 0, 'tool_use_id'],
  ['messages', 2, 'content', 0, 'content'],
  ['messages', 2, 'content', 1, 'type'],
  ['tools'],
  ['tools', 0, 'name'],
  ['tools', 0, 'input_schema'],
  ['stream'],
  ['temperature'],
  ['tool_choice'],
  ['thinking'],
  ['metadata'],
  ['stop_sequences'],
] as const;

function setPath(target: Record<string, unknown>, path: readonly (string | number)[], value: unknown, remove: boolean): void {
  let node: Record<string | number, unknown> = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (!next || typeof next !== 'object') return;
    node = next as Record<string | number, unknown>;
  }
  const last = path.at(-1)!;
  if (remove) delete node[last];
  else node[last] = value;
}

const oddString = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme' }),
  fc.constantFrom(
    '\u0000',
    '\ud800',
    '\udfff',
    '\u202e',
    '\ufeff',
    '𝕳𝖊𝖑𝖑𝖔',
    '👩‍👩‍👧‍👦',
    '<script>alert(1)</script>',
    '"; DROP TABLE traces; --',
    '../../etc/passwd',
  ),
);
const deep = (depth: number, leaf: unknown): unknown => {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { a: value };
  return value;
};
const hostileValue = fc.oneof(
  fc.jsonValue(),
  oddString,
  fc.integer({ min: 10_000, max: 300_000 }).map((n) => 'x'.repeat(n)),
  fc.integer({ min: 50, max: 3_000 }).map((n) => deep(n, 1)),
  fc.constantFrom(null, -1, 0, 1e308, -1e308, 2 ** 53, Number.MIN_VALUE, true, [], {}),
);

const mutatedRequest = fc
  .array(fc.record({ path: fc.constantFrom(...PATHS), value: hostileValue, remove: fc.boolean() }), { minLength: 1, maxLength: 4 })
  .map((mutations) => {
    const request = validRequest() as Record<string, unknown>;
    for (const { path, value, remove } of mutations) setPath(request, path, value, remove);
    return JSON.stringify(request);
  });

/** Valid in shape, hostile in content: reaches translation, the upstream and the trace writer. */
const hostileContent = fc
  .record({ text: oddString, big: fc.integer({ min: 1_000, max: 400_000 }), depth: fc.integer({ min: 10, max: 2_000 }), name: oddString })
  .map(({ text, big, depth, name }) => {
    const request = validRequest();
    request.messages[0]!.content = `${text}${'y'.repeat(big)}`;
    (request.messages[1]!.content as unknown[])[1] = { type: 'tool_use', id: 'toolu_1', name: name || 'n', input: { nested: deep(depth, text) } };
    request.system[0]!.text = text;
    return JSON.stringify(request);
  });

const body = fc.oneof(
  { weight: 5, arbitrary: mutatedRequest },
  { weight: 3, arbitrary: hostileContent },
  { weight: 2, arbitrary: fc.json() },
  { weight: 1, arbitrary: oddString },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 20_000 }).map((n) => '['.repeat(n) + ']'.repeat(n)) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 20_000 }).map((n) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`) },
);

const target = fc.constantFrom(
  { path: '/v1/messages', overrides: {}, headers: { 'x-api-key': 'sk-ant-fuzz-client-key-0001' } },
  { path: '/v1/messages', overrides: openaiRoute(), headers: proxyAuth },
  { path: '/v1/messages/count_tokens', overrides: openaiRoute(), headers: proxyAuth },
  { path: '/v1/messages/count_tokens', overrides: {}, headers: { 'x-api-key': 'sk-ant-fuzz-client-key-0001' } },
);

const contentType = fc.oneof(
  { weight: 12, arbitrary: fc.constant('application/json') },
  { weight: 1, arbitrary: fc.constantFrom('application/json; charset=utf-8', 'text/plain', 'application/vnd.api+json', undefined) },
);

describe('fuzzing the request surface', () => {
  it('never answers a 5xx of its own, always in Anthropic format, and traces every request', async () => {
    const before = (await allTraces()).length;
    const traceIds: string[] = [];
    let requests = 0;
    await fc.assert(
      fc.asyncProperty(body, target, contentType, async (text, { path, overrides, headers }, type) => {
        requests++;
        const sent = await send(path, { method: 'POST', headers: { ...headers, ...(type ? { 'content-type': type } : {}) }, body: text }, overrides);
        const { response } = sent;
        const answer = await response.text();
        await waitOnExecutionContext(sent.ctx);
        expect(sent.traceId).toBeTruthy();
        traceIds.push(sent.traceId!);
        expect(response.status).toBeLessThan(500);
        if (response.status >= 400) {
          const error = JSON.parse(answer) as { type: string; error: { type: string; message: string } };
          expect(error.type).toBe('error');
          expect(typeof error.error.type).toBe('string');
          expect(error.error.message.length).toBeGreaterThan(0);
        } else if ((response.headers.get('content-type') ?? '').includes('text/event-stream')) {
          expect(answer).toMatch(/^event: message_start\n/);
          expect(answer).toMatch(/event: (message_stop|error)\ndata: [^\n]+\n\n$/);
        } else {
          expect(JSON.parse(answer)).toBeTypeOf('object');
        }
      }),
      { numRuns: 1_100, seed: Number(process.env.FUZZ_SEED ?? 20261123) },
    );
    expect(requests).toBeGreaterThanOrEqual(1_000);

    const rows = await allTraces();
    expect(rows.length - before).toBe(requests);
    const stored = new Set(rows.map((row) => row.id));
    for (const id of traceIds) expect(stored.has(id)).toBe(true);
  }, 180_000);
});
