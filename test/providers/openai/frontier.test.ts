/**
 * The openai provider on today's targets: Gemini 3's thought signatures (against a scripted
 * Gemini that enforces them), reasoning on servers the proxy does not know, prompt caching and
 * OpenRouter's cache markers, web search offered to a target that has none.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { MessagesRequest } from '../../../src/protocol/types';
import { COMPAT } from '../../../src/providers/openai/compat';
import { NO_WEB_SEARCH_NOTE, toOpenAIRequest } from '../../../src/providers/openai/request';
import { mapUsage } from '../../../src/providers/openai/response';
import { cleanSchema } from '../../../src/providers/openai/schema';
import { SKIP_THOUGHT_SIGNATURE, splitToolUseId, withThoughtSignature } from '../../../src/providers/openai/thought-signatures';
import CLAUDE_CODE_TOOLS from '../../fixtures/claude-code-tools.json';
import { chunk, completion, openaiRoute, proxyAuth, sse, usageChunk } from '../../fixtures/openai';
import { checkGeminiRequest, GEMINI_KEYWORDS, SKIP_THOUGHT_SIGNATURE as GEMINI_PLACEHOLDER, unknownKeyword } from '../../fixtures/scripted-gemini.mjs';
import { post, scriptUpstream, traceOf } from '../../helpers/worker';

let upstream: ReturnType<typeof scriptUpstream> | undefined;
afterEach(() => {
  upstream?.restore();
  upstream = undefined;
});

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const GEMINI = { baseUrl: 'https://generativelanguage.googleapis.com/v1beta/openai', model: 'gemini-3-pro-preview' };
const tools = [
  { name: 'Read', input_schema: { type: 'object', properties: { file_path: { type: 'string' } }, required: ['file_path'] } },
  { name: 'Bash', input_schema: { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] } },
];

interface ChatCall {
  id: string;
  function: { name: string; arguments: string };
  extra_content?: { google?: { thought_signature?: string } };
}

/**
 * A scripted Gemini 3 (OpenAI-compatible endpoint) that checks what the real one checks
 * (checkGeminiRequest): the first function call of every step in the history carries the
 * signature it was issued with (or the documented placeholder), and tool schemas stay within its
 * subset; else 400, as Gemini words it.
 */
function scriptedGemini(
  answer: (body: { messages: Array<{ role: string; tool_calls?: ChatCall[] }>; stream?: boolean }, sign: (id: string) => string) => Response,
) {
  const issued = new Map<string, string>();
  let serial = 0;
  const sign = (id: string) => {
    // Real signatures are base64 of opaque bytes: '+', '/' and '=' included.
    const signature = btoa(`sig/${id}/${++serial}?>~`);
    issued.set(id, signature);
    return signature;
  };
  return scriptUpstream(async (request) => {
    const body = (await request.json()) as { messages: Array<{ role: string; tool_calls?: ChatCall[] }>; stream?: boolean };
    const refused = checkGeminiRequest(body, issued);
    if (refused) return json(refused.body, refused.status);
    return answer(body, sign);
  });
}

describe('Gemini 3 thought signatures', () => {
  it('carries a signature through the client in the tool_use id, streaming, across sequential tool turns', async () => {
    upstream = scriptedGemini((body, sign) => {
      const step = body.messages.filter((m) => m.role === 'tool').length;
      if (step === 2) return json(completion({ content: 'Both done.' }));
      const id = `function-call-${step}`;
      const name = step === 0 ? 'Read' : 'Bash';
      const args = step === 0 ? '{"file_path":"/a.txt"}' : '{"command":"wc -c /a.txt"}';
      return new Response(
        sse([
          chunk({
            role: 'assistant',
            tool_calls: [{ index: 0, id, type: 'function', function: { name, arguments: args }, extra_content: { google: { thought_signature: sign(id) } } }],
          }),
          chunk({}, 'tool_calls'),
          usageChunk(40, 5),
        ]),
        { headers: { 'content-type': 'text/event-stream' } },
      );
    });
    const messages: MessagesRequest['messages'] = [{ role: 'user', content: 'Read /a.txt, then count its bytes.' }];
    for (const result of ['hello', '5 /a.txt']) {
      const sent = await post('/v1/messages', { model: 'claude-sonnet-4-6', max_tokens: 500, stream: true, tools, messages }, proxyAuth, openaiRoute(GEMINI));
      const events = (await sent.response.text())
        .split('\n\n')
        .filter(Boolean)
        .map((frame) => JSON.parse(frame.split('\n')[1]!.slice(6)));
      const use = events.find((event) => event.type === 'content_block_start' && event.content_block.type === 'tool_use').content_block;
      expect(use.id).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(splitToolUseId(use.id).id).toMatch(/^function-call-\d$/);
      const input = events.find((event) => event.type === 'content_block_delta').delta.partial_json;
      messages.push({ role: 'assistant', content: [{ type: 'tool_use', id: use.id, name: use.name, input: JSON.parse(input) }] });
      messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: result }] });
    }
    const last = await post('/v1/messages', { model: 'claude-sonnet-4-6', max_tokens: 500, tools, messages }, proxyAuth, openaiRoute(GEMINI));
    expect(last.response.status).toBe(200);
    expect(upstream.calls).toHaveLength(3);
    const sent = JSON.parse(upstream.calls[2]!.body);
    // The ids Gemini gave, not the client's: the tool messages answer them.
    expect(sent.messages.filter((m: { role: string }) => m.role === 'tool').map((m: { tool_call_id: string }) => m.tool_call_id)).toEqual([
      'function-call-0',
      'function-call-1',
    ]);
    const row = await traceOf(last);
    expect(row.status).toBe(200);
  });

  it('answers parallel calls with the signature on the first only, and the placeholder for history that never had one', async () => {
    upstream = scriptedGemini((body, sign) => {
      if (body.messages.some((m) => m.role === 'tool')) return json(completion({ content: 'Read both.' }));
      return json(
        completion(
          {
            content: null,
            tool_calls: [
              {
                id: 'p1',
                type: 'function',
                function: { name: 'Read', arguments: '{"file_path":"/a"}' },
                extra_content: { google: { thought_signature: sign('p1') } },
              },
              { id: 'p2', type: 'function', function: { name: 'Read', arguments: '{"file_path":"/b"}' } },
            ],
          },
          'tool_calls',
        ),
      );
    });
    const first = await post(
      '/v1/messages',
      { model: 'claude-sonnet-4-6', max_tokens: 500, tools, messages: [{ role: 'user', content: 'Read /a and /b' }] },
      proxyAuth,
      openaiRoute(GEMINI),
    );
    const answer = (await first.response.json()) as { content: Array<{ id: string; name: string; input: unknown }> };
    expect(answer.content.map((block) => splitToolUseId(block.id))).toEqual([
      { id: 'p1', signature: expect.any(String) },
      { id: 'p2', signature: null },
    ]);
    // A conversation another model started: its calls never had a signature.
    const history: MessagesRequest['messages'] = [
      { role: 'user', content: 'Earlier' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_01Claude', name: 'Bash', input: { command: 'ls' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01Claude', content: 'a b' }] },
      { role: 'assistant', content: answer.content.map((block) => ({ type: 'tool_use', id: block.id, name: block.name, input: block.input })) },
      { role: 'user', content: answer.content.map((block) => ({ type: 'tool_result', tool_use_id: block.id, content: 'text' })) },
    ];
    const second = await post('/v1/messages', { model: 'claude-sonnet-4-6', max_tokens: 500, tools, messages: history }, proxyAuth, openaiRoute(GEMINI));
    expect(second.response.status).toBe(200);
    const calls = JSON.parse(upstream.calls[1]!.body)
      .messages.filter((m: { tool_calls?: ChatCall[] }) => m.tool_calls)
      .map((m: { tool_calls: ChatCall[] }) => m.tool_calls.map((call) => call.extra_content?.google?.thought_signature ?? null));
    expect(calls).toEqual([[SKIP_THOUGHT_SIGNATURE], [expect.stringMatching(/^[A-Za-z0-9+/]+=*$/), null]]);
  });

  it('is enforced by the scripted Gemini: a call whose signature was lost is refused, as the real one refuses it', async () => {
    upstream = scriptedGemini(() => json(completion({ content: 'ok' })));
    const unsigned = {
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'x', type: 'function', function: { name: 'Read', arguments: '{}' }, extra_content: { google: { thought_signature: 'Zm9yZ2Vk' } } }],
    };
    // Straight to the scripted upstream with a forged signature: what a proxy that lost it would cause.
    const refused = await fetch('https://generativelanguage.googleapis.com/v1beta/openai/chat/completions', {
      method: 'POST',
      body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }, unsigned, { role: 'tool', tool_call_id: 'x', content: '' }] }),
    });
    expect(refused.status).toBe(400);
    // Through the proxy, the same call from the client's history goes with the placeholder.
    const sent = await post(
      '/v1/messages',
      {
        model: 'claude-sonnet-4-6',
        max_tokens: 100,
        tools,
        messages: [
          { role: 'user', content: 'hi' },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'x', name: 'Read', input: {} }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'x', content: '' }] },
        ],
      },
      proxyAuth,
      openaiRoute(GEMINI),
    );
    expect(sent.response.status).toBe(200);
  });

  it('round-trips any signature through an id of [A-Za-z0-9_-] only', () => {
    for (const signature of ['CiQBVKhc7k+/AbC=', 'AAAA', 'not base64: ü/+?', 'abc', 'x'.repeat(3000)]) {
      const id = withThoughtSignature('function-call-7', signature);
      expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(splitToolUseId(id)).toEqual({ id: 'function-call-7', signature });
    }
    expect(splitToolUseId('toolu_01A09q90qw90lq917835lq9')).toEqual({ id: 'toolu_01A09q90qw90lq917835lq9', signature: null });
    expect(withThoughtSignature('call_1', null)).toBe('call_1');
    expect(SKIP_THOUGHT_SIGNATURE).toBe(GEMINI_PLACEHOLDER);
  });
});

/** Every keyword position in a cleaned schema: property names are data, everything else is a keyword. */
function keywords(node: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(node)) for (const item of node) keywords(item, out);
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      out.add(key);
      if (key === 'properties') for (const property of Object.values(value as object)) keywords(property, out);
      else if (key === 'items' || key === 'anyOf') keywords(value, out);
    }
  }
  return out;
}

function requiredDefined(node: unknown): boolean {
  if (Array.isArray(node)) return node.every(requiredDefined);
  if (!node || typeof node !== 'object') return true;
  const schema = node as { required?: string[]; properties?: Record<string, unknown>; items?: unknown; anyOf?: unknown };
  if (schema.required && !schema.required.every((name) => schema.properties && name in schema.properties)) return false;
  return Object.values(schema.properties ?? {}).every(requiredDefined) && requiredDefined(schema.items ?? null) && requiredDefined(schema.anyOf ?? null);
}

describe("Gemini's schema subset", () => {
  it("takes every schema of Claude Code's tools down to keywords Gemini accepts", () => {
    expect(CLAUDE_CODE_TOOLS.length).toBeGreaterThan(10);
    const seen = new Set<string>();
    for (const tool of CLAUDE_CODE_TOOLS) {
      keywords(tool.input_schema, seen);
      const cleaned = cleanSchema(tool.input_schema as Record<string, unknown>, 'strict-subset');
      const used = [...keywords(cleaned)];
      expect(
        used.filter((keyword) => !GEMINI_KEYWORDS.has(keyword)),
        tool.name,
      ).toEqual([]);
      // The scripted Gemini's own check agrees.
      expect(unknownKeyword(cleaned), tool.name).toBeNull();
      expect(requiredDefined(cleaned), tool.name).toBe(true);
      expect(cleaned.type, tool.name).toBe('object');
      // Nothing the tool describes is lost: every top-level property survives.
      expect(Object.keys(cleaned.properties as object).sort(), tool.name).toEqual(Object.keys((tool.input_schema as { properties: object }).properties).sort());
    }
    // The fixture really has what Gemini refuses.
    expect([...seen]).toEqual(expect.arrayContaining(['$schema', 'additionalProperties', 'exclusiveMinimum']));
  });

  it('drops propertyNames and exclusive bounds, turns const into a one-value enum and several types into anyOf', () => {
    expect(
      cleanSchema(
        {
          type: 'object',
          properties: {
            headers: { type: 'object', propertyNames: { pattern: '^x-' }, additionalProperties: { type: 'string' } },
            kind: { const: 'fetch' },
            count: { type: 'integer', exclusiveMinimum: 0, exclusiveMaximum: 10 },
            value: { type: ['string', 'number', 'null'] },
          },
          required: ['kind', 'ghost'],
        },
        'strict-subset',
      ),
    ).toEqual({
      type: 'object',
      properties: {
        headers: { type: 'object' },
        kind: { enum: ['fetch'] },
        count: { type: 'integer' },
        value: { anyOf: [{ type: 'string' }, { type: 'number' }], nullable: true },
      },
      required: ['kind'],
    });
  });
});

describe('reasoning on servers the proxy does not know', () => {
  const thinking = {
    model: 'claude-sonnet-4-6',
    max_tokens: 2000,
    thinking: { type: 'enabled', budget_tokens: 1024 },
    messages: [{ role: 'user', content: 'Think.' }],
  };

  it('sends reasoning_effort; a server that refuses it gets the request again without it, once, and never again', async () => {
    const route = openaiRoute({ baseUrl: 'http://10.9.8.7:8000/v1', model: 'llama-3.1-8b' });
    upstream = scriptUpstream(async (request) => {
      const body = (await request.json()) as Record<string, unknown>;
      if ('reasoning_effort' in body) {
        return json(
          { object: 'error', message: '[{"type":"extra_forbidden","loc":["body","reasoning_effort"],"msg":"Extra inputs are not permitted"}]', code: 400 },
          400,
        );
      }
      return json(completion({ content: 'No thoughts here.' }));
    });
    const first = await post('/v1/messages', thinking, proxyAuth, route);
    expect(first.response.status).toBe(200);
    expect(upstream.calls.map((call) => 'reasoning_effort' in JSON.parse(call.body))).toEqual([true, false]);
    const row = await traceOf(first);
    expect(row.attempts).toEqual([
      expect.objectContaining({ status: 400, error: expect.stringContaining('resent without reasoning_effort') }),
      expect.objectContaining({ status: 200, error: null }),
    ]);
    expect(JSON.parse(row.upstreamRequestBody!)).not.toHaveProperty('reasoning_effort');

    // Remembered for this target: one call, without it.
    const second = await post('/v1/messages', thinking, proxyAuth, route);
    expect(second.response.status).toBe(200);
    expect(upstream.calls).toHaveLength(3);
    expect(JSON.parse(upstream.calls[2]!.body)).not.toHaveProperty('reasoning_effort');
    // Another target is not affected.
    await post('/v1/messages', thinking, proxyAuth, openaiRoute({ baseUrl: 'http://10.9.8.7:8000/v1', model: 'qwen3-32b' }));
    expect(JSON.parse(upstream.calls[3]!.body).reasoning_effort).toBe('low');
  });

  it('keeps thinking for reasoning models with no setting, and passes other 400s straight through', async () => {
    upstream = scriptUpstream(async (request) => {
      const body = (await request.json()) as { messages: Array<{ content: unknown }> };
      if (body.messages.at(-1)?.content === 'bad') return json({ error: { message: 'messages: invalid role sequence', type: 'invalid_request_error' } }, 400);
      return json(completion({ content: '4', reasoning_content: 'Two and two.' }));
    });
    const route = openaiRoute({ baseUrl: 'http://10.9.8.6:8000/v1', model: 'qwen3-32b' });
    const thought = await post('/v1/messages', thinking, proxyAuth, route);
    expect(((await thought.response.json()) as { content: unknown[] }).content[0]).toEqual({ type: 'thinking', thinking: 'Two and two.', signature: '' });
    expect(JSON.parse(upstream.calls[0]!.body).reasoning_effort).toBe('low');
    const bad = await post('/v1/messages', { ...thinking, messages: [{ role: 'user', content: 'bad' }] }, proxyAuth, route);
    expect(bad.response.status).toBe(400);
    expect(upstream.calls).toHaveLength(2);
  });
});

describe('prompt caching and web search on Chat Completions targets', () => {
  const base = { model: 'claude-sonnet-4-6', max_tokens: 100, messages: [{ role: 'user' as const, content: 'hi' }] };

  it('sends the Claude Code session as prompt_cache_key to OpenAI, from the header or from metadata.user_id', async () => {
    upstream = scriptUpstream(() => json(completion({ content: 'ok' })));
    const route = openaiRoute({ baseUrl: 'https://api.openai.com/v1', model: 'gpt-5.1' });
    await post('/v1/messages', base, { ...proxyAuth, 'x-claude-code-session-id': 'sess-header-1' }, route);
    const user_id = JSON.stringify({ device_id: 'd', account_uuid: '', session_id: 'sess-meta-2' });
    await post('/v1/messages', { ...base, metadata: { user_id } }, proxyAuth, route);
    await post('/v1/messages', base, { ...proxyAuth, 'x-claude-code-session-id': 'sess-header-1' }, openaiRoute());
    expect(upstream.calls.map((call) => JSON.parse(call.body).prompt_cache_key)).toEqual(['sess-header-1', 'sess-meta-2', undefined]);
  });

  it("keeps Claude's cache markers for OpenRouter's anthropic/* models, and maps its cache usage", () => {
    const request = {
      ...base,
      system: [
        { type: 'text', text: 'x-anthropic-billing-header: cc_version=2.1.330;' },
        { type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } },
      ],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Read it', cache_control: { type: 'ephemeral', ttl: '1h' } }] },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'Read', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'data', cache_control: { type: 'ephemeral' } }] },
      ],
    } as MessagesRequest;
    const claude = toOpenAIRequest(request, { model: 'anthropic/claude-sonnet-4.6', compat: COMPAT.openrouter }).body;
    expect(claude.messages).toEqual([
      { role: 'system', content: [{ type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } }] },
      { role: 'user', content: [{ type: 'text', text: 'Read it', cache_control: { type: 'ephemeral', ttl: '1h' } }] },
      { role: 'assistant', content: null, tool_calls: [{ id: 't1', type: 'function', function: { name: 'Read', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 't1', content: [{ type: 'text', text: 'data', cache_control: { type: 'ephemeral' } }] },
    ]);
    const other = toOpenAIRequest(request, { model: 'qwen/qwen3-coder', compat: COMPAT.openrouter }).body;
    expect(JSON.stringify(other)).not.toContain('cache_control');
    expect(mapUsage({ prompt_tokens: 1000, completion_tokens: 10, prompt_tokens_details: { cached_tokens: 600, cache_write_tokens: 300 } })).toEqual({
      input_tokens: 100,
      output_tokens: 10,
      cache_read_input_tokens: 600,
      cache_creation_input_tokens: 300,
    });
  });

  it('tells a target without web search that it has none, instead of dropping the tool silently', () => {
    const request = {
      ...base,
      system: 'Be brief.',
      tools: [{ type: 'web_search_20250305', name: 'web_search', max_uses: 8 }],
      tool_choice: { type: 'tool', name: 'web_search' },
    } as MessagesRequest;
    const { body } = toOpenAIRequest(request, { model: 'target-model', compat: COMPAT.generic });
    expect(body.messages[0]).toEqual({ role: 'system', content: `Be brief.\n\n${NO_WEB_SEARCH_NOTE}` });
    expect(body).not.toHaveProperty('tools');
    expect(body).not.toHaveProperty('tool_choice');
  });
});
