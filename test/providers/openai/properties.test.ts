/**
 * Property-based tests for the OpenAI translation: request translation over generated valid
 * Anthropic requests (pure), and stream translation under arbitrary network chunking
 * (through the worker, and through the official SDK).
 */
import Anthropic from '@anthropic-ai/sdk';
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type {
  CacheControl,
  ContentBlock,
  ImageBlock,
  Message,
  MessagesRequest,
  OtherBlock,
  StreamEvent,
  TextBlock,
  Tool,
  ToolChoice,
  ToolResultBlock,
  ToolUseBlock,
} from '../../../src/protocol/types';
import app from '../../../src/index';
import { COMPAT, type CompatName } from '../../../src/providers/openai/compat';
import { MISSING_TOOL_RESULT, toOpenAIRequest } from '../../../src/providers/openai/request';
import type { ChatMessage } from '../../../src/providers/openai/types';
import { toResponsesRequest } from '../../../src/providers/openai-responses/request';
import { encodeReasoningSignature } from '../../../src/providers/openai-responses/signature';
import type { ResponsesInputItem } from '../../../src/providers/openai-responses/types';
import { chunk, openaiRoute, proxyAuth, sse, usageChunk } from '../../fixtures/openai';
import { checkResponsesRequest, item as responsesItem, responseEvents, sse as responsesSse } from '../../fixtures/scripted-responses.mjs';
import { PROXY, chunkedStream, post, scriptUpstream, type TestEnv } from '../../helpers/worker';

type Block = ContentBlock | OtherBlock;

// ---------------------------------------------------------------------------------------------
// 1. Request translation
// ---------------------------------------------------------------------------------------------

/** Keys only the Anthropic API knows: none may reach an OpenAI-compatible server. */
const ANTHROPIC_ONLY_KEYS = [
  'cache_control',
  'top_k',
  'metadata',
  'context_management',
  'service_tier',
  'output_config',
  'budget_tokens',
  'tool_use_id',
  'input_schema',
];
const OPENAI_FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;

const SERVER_TOOLS: Tool[] = [
  { type: 'web_search_20250305', name: 'web_search', max_uses: 5 },
  { type: 'web_fetch_20250910', name: 'web_fetch', cache_control: { type: 'ephemeral' } },
  { type: 'bash_20250124', name: 'bash' },
  { type: 'text_editor_20250728', name: 'str_replace_based_edit_tool' },
  { type: 'code_execution_20250825', name: 'code_execution' },
];
const SERVER_TOOL_NAMES = SERVER_TOOLS.map((tool) => tool.name);

const cacheControl = fc.option(fc.constantFrom<CacheControl>({ type: 'ephemeral' }, { type: 'ephemeral', ttl: '1h' }), { nil: undefined, freq: 3 });

function cached<T extends object>(arb: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return fc.tuple(arb, cacheControl).map(([block, cache]) => (cache ? { ...block, cache_control: cache } : block));
}

const text = fc.oneof(fc.string({ minLength: 1, maxLength: 30 }), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }));
const url = fc.webUrl({ size: 'small' });

const textBlock: fc.Arbitrary<TextBlock> = cached(fc.record({ type: fc.constant('text' as const), text }));

const imageBlock: fc.Arbitrary<ImageBlock> = cached(
  fc.record({
    type: fc.constant('image' as const),
    source: fc.oneof(
      fc.record({
        type: fc.constant('base64' as const),
        media_type: fc.constantFrom('image/png', 'image/jpeg', 'image/gif', 'image/webp'),
        data: fc.base64String({ minLength: 4, maxLength: 40 }),
      }),
      fc.record({ type: fc.constant('url' as const), url }),
    ),
  }),
);

const documentBlock: fc.Arbitrary<Block> = cached(
  fc.record(
    {
      type: fc.constant('document' as const),
      source: fc.oneof(
        fc.record({ type: fc.constant('base64' as const), media_type: fc.constant('application/pdf'), data: fc.base64String({ minLength: 4, maxLength: 40 }) }),
        fc.record({ type: fc.constant('text' as const), media_type: fc.constant('text/plain'), data: text }),
        fc.record({ type: fc.constant('url' as const), url }),
        fc.record({
          type: fc.constant('content' as const),
          content: fc.oneof(text, fc.array(fc.oneof(textBlock, imageBlock), { minLength: 1, maxLength: 2 })),
        }),
      ),
      title: text,
      context: text,
      citations: fc.constant({ enabled: true }),
    },
    { requiredKeys: ['type', 'source'] },
  ),
);

const searchResultBlock: fc.Arbitrary<Block> = cached(
  fc.record({
    type: fc.constant('search_result'),
    source: url,
    title: text,
    content: fc.array(textBlock, { minLength: 1, maxLength: 2 }),
    citations: fc.constant({ enabled: true }),
  }),
);

const userBlock: fc.Arbitrary<Block> = fc.oneof(
  { weight: 4, arbitrary: textBlock },
  { weight: 2, arbitrary: imageBlock },
  { weight: 2, arbitrary: documentBlock },
  { weight: 1, arbitrary: searchResultBlock },
);

/** Names Anthropic clients send: plain, long MCP names, and ones with characters OpenAI rejects. */
const toolName = fc.oneof(
  { weight: 3, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/) },
  { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom(...'abcxyzABC019_-.:/ @é🔧'), minLength: 1, maxLength: 90 }) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.stringMatching(/^[a-z][a-z0-9.-]{2,30}$/), fc.stringMatching(/^[a-z][a-z0-9_]{20,60}$/))
      .map(([server, tool]) => `mcp__${server}__${tool}`),
  },
  { weight: 1, arbitrary: fc.constantFrom('mcp__claude.ai__search', 'server:tool', 'a.b.c', 'x'.repeat(64), 'y'.repeat(65), 'name with spaces') },
);

/** Schema property names are data, passed on as they are: kept clear of the keys the output must not hold. */
const propName = fc
  .oneof(fc.stringMatching(/^[a-z][A-Za-z0-9_]{0,11}$/), fc.constantFrom('type', 'properties', 'items', 'file.name', '$ref', '日付'))
  .filter((name) => !ANTHROPIC_ONLY_KEYS.includes(name));
const primitive = fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.boolean(), fc.constant(null));

type Schema = Record<string, unknown>;

function objectSchema(child: fc.Arbitrary<Schema>): fc.Arbitrary<Schema> {
  return fc
    .tuple(fc.dictionary(propName, child, { maxKeys: 4 }), fc.boolean(), fc.option(fc.boolean(), { nil: undefined }))
    .map(([properties, withRequired, additional]) => ({
      type: 'object',
      properties,
      ...(withRequired ? { required: Object.keys(properties).slice(0, 2) } : {}),
      ...(additional === undefined ? {} : { additionalProperties: additional }),
    }));
}

const { schema } = fc.letrec<{ schema: Schema }>((tie) => ({
  schema: fc.oneof(
    { depthSize: 'small', maxDepth: 3 },
    fc.record(
      {
        type: fc.constantFrom('string', 'integer', 'number', 'boolean'),
        description: text,
        format: fc.constantFrom('date-time', 'uri', 'email', 'enum'),
        minimum: fc.integer(),
        default: primitive,
      },
      { requiredKeys: ['type'] },
    ),
    fc.record({ type: fc.constant(['string', 'null']), maxLength: fc.nat(100) }, { requiredKeys: ['type'] }),
    fc.record({ enum: fc.array(primitive, { minLength: 1, maxLength: 4 }) }),
    fc.record({ const: primitive }),
    fc.record({ type: fc.constant('array'), items: tie('schema'), minItems: fc.nat(3) }, { requiredKeys: ['type', 'items'] }),
    objectSchema(tie('schema')),
    fc.record({ anyOf: fc.array(tie('schema'), { minLength: 1, maxLength: 3 }) }),
    fc.record({ oneOf: fc.array(tie('schema'), { minLength: 1, maxLength: 3 }) }),
  ),
}));

const inputSchema = fc
  .tuple(objectSchema(schema), fc.boolean())
  .map(([object, dialect]) => (dialect ? { $schema: 'http://json-schema.org/draft-07/schema#', ...object } : object));

function clientTool(name: string): fc.Arbitrary<Tool> {
  return cached(
    fc.record(
      {
        name: fc.constant(name),
        type: fc.constant('custom'),
        description: text,
        input_schema: inputSchema,
        strict: fc.boolean(),
        eager_input_streaming: fc.boolean(),
      },
      { requiredKeys: ['name', 'input_schema'] },
    ),
  );
}

interface ResultSpec {
  content: undefined | string | Array<TextBlock | ImageBlock>;
  isError: boolean | undefined;
  cache: CacheControl | undefined;
  /** Sort key: results come in any order. */
  order: number;
}

const resultSpec: fc.Arbitrary<ResultSpec> = fc.record({
  content: fc.oneof(fc.constant(undefined), fc.string({ maxLength: 20 }), fc.array(fc.oneof(textBlock, imageBlock), { maxLength: 3 })),
  isError: fc.option(fc.boolean(), { nil: undefined }),
  cache: cacheControl,
  order: fc.nat(),
});

function callSpec(pool: string[]) {
  return fc.record({
    idCore: fc.oneof(
      fc.stringMatching(/^toolu_[A-Za-z0-9]{6,24}$/),
      fc.stringMatching(/^call_[A-Za-z0-9_-]{1,20}$/),
      fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/),
    ),
    name: pool.length > 0 ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...pool) }, { weight: 1, arbitrary: toolName }) : toolName,
    input: fc.dictionary(propName, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
    cache: cacheControl,
    /** null: the next user turn has no result for this call. */
    result: fc.option(resultSpec, { freq: 4 }),
  });
}

const systemItem: fc.Arbitrary<Message> = fc.record({
  role: fc.constant('system' as const),
  content: fc.oneof(text, fc.array(textBlock, { minLength: 1, maxLength: 2 })),
});

function roundSpec(pool: string[]) {
  return fc.record({
    systemBefore: fc.option(systemItem, { freq: 8 }),
    thinking: fc.option(text, { freq: 2 }),
    redacted: fc.boolean(),
    text: fc.option(fc.oneof(text, fc.constant('')), { freq: 2 }),
    calls: fc.array(callSpec(pool), { maxLength: 3 }),
    serverTool: fc.boolean(),
    asString: fc.boolean(),
    systemBetween: fc.option(systemItem, { freq: 10 }),
    userBlocks: fc.array(userBlock, { maxLength: 3 }),
  });
}

type RoundSpec = ReturnType<typeof roundSpec> extends fc.Arbitrary<infer T> ? T : never;

function toolChoice(pool: string[]): fc.Arbitrary<ToolChoice> {
  const parallel = fc.option(fc.boolean(), { nil: undefined });
  const choices: fc.Arbitrary<ToolChoice>[] = [
    parallel.map((disable) => ({ type: 'auto' as const, ...(disable === undefined ? {} : { disable_parallel_tool_use: disable }) })),
    parallel.map((disable) => ({ type: 'any' as const, ...(disable === undefined ? {} : { disable_parallel_tool_use: disable }) })),
    fc.constant({ type: 'none' as const }),
  ];
  // A named choice may force a client tool or a server tool (web_search…); buildRequest adds the server tool it names.
  const named = [...pool, ...SERVER_TOOL_NAMES];
  choices.push(
    fc.tuple(fc.constantFrom(...named), parallel).map(([name, disable]) => ({
      type: 'tool' as const,
      name,
      ...(disable === undefined ? {} : { disable_parallel_tool_use: disable }),
    })),
  );
  return fc.oneof(...choices);
}

const scenario = fc
  .uniqueArray(
    toolName.filter((name) => !SERVER_TOOL_NAMES.includes(name)),
    { maxLength: 5 },
  )
  .chain((pool) =>
    fc.record({
      compat: fc.constantFrom(...(Object.keys(COMPAT) as CompatName[])),
      model: fc.constantFrom(
        'target-model',
        'gpt-5-mini',
        'o3',
        'gemini-2.5-pro',
        'gemini-3-pro-preview',
        'qwen3-32b',
        'deepseek-chat',
        'anthropic/claude-sonnet-4.6',
      ),
      clientTools: pool.length > 0 ? fc.tuple(...pool.map(clientTool)) : fc.constant([] as Tool[]),
      serverTools: fc.subarray(SERVER_TOOLS),
      serverToolsFirst: fc.boolean(),
      firstUser: fc.oneof(text, fc.array(userBlock, { minLength: 1, maxLength: 3 })),
      rounds: fc.array(roundSpec(pool), { maxLength: 4 }),
      endWithAssistant: fc.boolean(),
      system: fc.option(
        fc.oneof(
          text,
          fc.array(textBlock, { minLength: 1, maxLength: 3 }),
          fc
            .array(textBlock, { minLength: 1, maxLength: 2 })
            .map((blocks): TextBlock[] => [{ type: 'text', text: 'x-anthropic-billing-header: cc_version=2.1.197; cc_entrypoint=cli;' }, ...blocks]),
        ),
        { nil: undefined },
      ),
      toolChoice: fc.option(toolChoice(pool), { nil: undefined }),
      thinking: fc.option(
        fc.oneof(
          fc.integer({ min: 1024, max: 64000 }).map((budget) => ({ type: 'enabled' as const, budget_tokens: budget })),
          fc.constant({ type: 'adaptive' as const }),
          fc.constant({ type: 'disabled' as const }),
        ),
        { nil: undefined },
      ),
      outputConfig: fc.option(
        fc.record(
          {
            effort: fc.constantFrom('low', 'medium', 'high', 'xhigh', 'max'),
            format: inputSchema.map((s) => ({ type: 'json_schema', schema: s })),
          },
          { requiredKeys: [] },
        ),
        { nil: undefined },
      ),
      stopSequences: fc.option(fc.array(text, { maxLength: 6 }), { nil: undefined }),
      topK: fc.option(fc.integer({ min: 1, max: 500 }), { nil: undefined }),
      temperature: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
      topP: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
      metadata: fc.option(fc.record({ user_id: fc.string({ maxLength: 20 }) }), { nil: undefined }),
      contextManagement: fc.option(fc.constant({ edits: [{ type: 'clear_tool_uses_20250919', keep: { type: 'tool_uses', value: 3 } }] }), { nil: undefined }),
      serviceTier: fc.option(fc.constantFrom('auto', 'standard_only'), { nil: undefined }),
      stream: fc.boolean(),
    }),
  );

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

/** Builds the Anthropic request a scenario describes; tool_use ids are made unique. */
function buildRequest(s: Scenario): MessagesRequest {
  let counter = 0;
  const messages: Message[] = [{ role: 'user', content: s.firstUser }];
  s.rounds.forEach((round: RoundSpec, i: number) => {
    if (round.systemBefore) messages.push(round.systemBefore);
    const blocks: Block[] = [];
    if (round.thinking !== null) blocks.push({ type: 'thinking', thinking: round.thinking, signature: 'RXVTaWduYXR1cmU=' });
    if (round.redacted) blocks.push({ type: 'redacted_thinking', data: 'ZW5jcnlwdGVk' });
    if (round.text !== null) blocks.push({ type: 'text', text: round.text });
    if (round.serverTool) {
      const id = `srvtoolu_${counter++}`;
      blocks.push({ type: 'server_tool_use', id, name: 'web_search', input: { query: 'weather' } });
      blocks.push({
        type: 'web_search_tool_result',
        tool_use_id: id,
        content: [{ type: 'web_search_result', url: 'https://example.com', title: 'Example', encrypted_content: 'abc', page_age: null }],
        cache_control: { type: 'ephemeral' },
      });
    }
    const calls = round.calls.map((call) => ({ ...call, id: `${call.idCore}_${counter++}` }));
    for (const call of calls) {
      const use: ToolUseBlock = { type: 'tool_use', id: call.id, name: call.name, input: call.input };
      if (call.cache) use.cache_control = call.cache;
      blocks.push(use);
    }
    if (blocks.length === 0) blocks.push({ type: 'text', text: 'ok' });
    const onlyText = blocks.length === 1 && blocks[0]!.type === 'text' && (blocks[0] as TextBlock).text !== '';
    messages.push({ role: 'assistant', content: round.asString && onlyText ? (blocks[0] as TextBlock).text : blocks });

    if (i === s.rounds.length - 1 && s.endWithAssistant) return; // assistant prefill: the calls stay unanswered
    if (round.systemBetween) messages.push(round.systemBetween);
    const results: ToolResultBlock[] = calls
      .filter((call) => call.result !== null)
      .sort((a, b) => a.result!.order - b.result!.order)
      .map((call) => {
        const spec = call.result!;
        const result: ToolResultBlock = { type: 'tool_result', tool_use_id: call.id };
        if (spec.content !== undefined) result.content = spec.content;
        if (spec.isError !== undefined) result.is_error = spec.isError;
        if (spec.cache) result.cache_control = spec.cache;
        return result;
      });
    const user: Block[] = [...results, ...round.userBlocks];
    messages.push({ role: 'user', content: user.length > 0 ? user : 'continue' });
  });

  const request: MessagesRequest = {
    model: 'claude-sonnet-4-6',
    max_tokens: 4096,
    messages,
    stream: s.stream,
  };
  const serverTools = [...s.serverTools];
  const choice = s.toolChoice;
  const forced = choice?.type === 'tool' ? SERVER_TOOLS.find((tool) => tool.name === choice.name && !serverTools.includes(tool)) : undefined;
  if (forced) serverTools.push(forced);
  const tools = s.serverToolsFirst ? [...serverTools, ...s.clientTools] : [...s.clientTools, ...serverTools];
  if (tools.length > 0) request.tools = tools;
  if (s.system !== undefined) request.system = s.system;
  if (s.toolChoice !== undefined) request.tool_choice = s.toolChoice;
  if (s.thinking !== undefined) request.thinking = s.thinking;
  if (s.outputConfig !== undefined) request.output_config = s.outputConfig;
  if (s.stopSequences !== undefined) request.stop_sequences = s.stopSequences;
  if (s.topK !== undefined) request.top_k = s.topK;
  if (s.temperature !== undefined) request.temperature = s.temperature;
  if (s.topP !== undefined) request.top_p = s.topP;
  if (s.metadata !== undefined) request.metadata = s.metadata;
  if (s.contextManagement !== undefined) request.context_management = s.contextManagement;
  if (s.serviceTier !== undefined) request.service_tier = s.serviceTier;
  return request;
}

function blocksOf(message: Message): Block[] {
  return typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
}

function toolUses(request: MessagesRequest): ToolUseBlock[] {
  return request.messages.filter((m) => m.role === 'assistant').flatMap((m) => blocksOf(m).filter((b): b is ToolUseBlock => b.type === 'tool_use'));
}

function imageUrl(image: ImageBlock): string {
  const source = image.source;
  if (source.type === 'base64') return `data:${source.media_type};base64,${source.data}`;
  if (source.type === 'url') return source.url;
  throw new Error('generator makes no file images');
}

/** What the client says each call returned: the first tool_result for it in the user turn right after the call. */
function deliveredResults(request: MessagesRequest): Map<string, ToolResultBlock | null> {
  const answers = new Map<string, ToolResultBlock | null>();
  request.messages.forEach((message, i) => {
    if (message.role !== 'assistant') return;
    const ids = blocksOf(message)
      .filter((b): b is ToolUseBlock => b.type === 'tool_use')
      .map((b) => b.id);
    const next = request.messages[i + 1];
    const results = next?.role === 'user' ? blocksOf(next).filter((b): b is ToolResultBlock => b.type === 'tool_result') : [];
    for (const id of ids) answers.set(id, results.find((r) => r.tool_use_id === id) ?? null);
  });
  return answers;
}

/** Every call is answered by exactly one `tool` message in the run of tool messages right after it; no stray tool messages. */
function checkToolPairing(messages: ChatMessage[]): void {
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i]!;
    if (message.role === 'tool') expect.fail(`messages[${i}] is a tool message (${message.tool_call_id}) with no assistant tool call right before it`);
    if (message.role !== 'assistant' || !message.tool_calls?.length) continue;
    const ids = message.tool_calls.map((call) => call.id);
    expect(new Set(ids).size, `duplicate tool_call ids in messages[${i}]`).toBe(ids.length);
    const answered: string[] = [];
    let j = i + 1;
    for (; j < messages.length; j++) {
      const next = messages[j]!;
      if (next.role !== 'tool') break;
      answered.push(next.tool_call_id);
    }
    expect([...answered].sort(), `tool messages after messages[${i}]`).toEqual([...ids].sort());
    i = j - 1;
  }
}

/** Paths of Anthropic-only keys (and Anthropic block types) anywhere in the output. */
function anthropicLeftovers(node: unknown, path = '$'): string[] {
  if (Array.isArray(node)) return node.flatMap((item, i) => anthropicLeftovers(item, `${path}[${i}]`));
  if (!node || typeof node !== 'object') return [];
  const found: string[] = [];
  for (const [key, value] of Object.entries(node)) {
    if (ANTHROPIC_ONLY_KEYS.includes(key)) found.push(`${path}.${key}`);
    if (key === 'type' && (value === 'tool_use' || value === 'tool_result')) found.push(`${path}.type=${value}`);
    found.push(...anthropicLeftovers(value, `${path}.${key}`));
  }
  return found;
}

function checkTranslation(s: Scenario): void {
  const request = buildRequest(s);
  const compat = COMPAT[s.compat];
  const { body, toolNames } = toOpenAIRequest(structuredClone(request), { model: s.model, compat });
  const messages = body.messages;

  // Tool calls and their answers.
  checkToolPairing(messages);
  const calls = messages.flatMap((m) => (m.role === 'assistant' ? (m.tool_calls ?? []) : []));
  const uses = toolUses(request);
  expect(calls.map((c) => c.id).sort(), 'every tool_use becomes exactly one tool call').toEqual(uses.map((u) => u.id).sort());
  const toolMessages = new Map(messages.flatMap((m) => (m.role === 'tool' ? [[m.tool_call_id, m] as const] : [])));
  for (const [id, result] of deliveredResults(request)) {
    const message = toolMessages.get(id)!;
    // Text unless the target keeps cache markers (OpenRouter's anthropic/* models): then text parts.
    const answer = { content: typeof message.content === 'string' ? message.content : message.content.map((part) => part.text).join('') };
    if (!result) {
      expect(answer.content, `call ${id} had no result`).toBe(MISSING_TOOL_RESULT);
      continue;
    }
    const prefix = result.is_error ? 'Error: ' : '';
    if (typeof result.content === 'string' || result.content === undefined) {
      expect(answer.content, `result of ${id}`).toBe(prefix + (result.content ?? ''));
      continue;
    }
    expect(answer.content, `result of ${id}`).not.toBe(MISSING_TOOL_RESULT);
    expect(answer.content.startsWith(prefix)).toBe(true);
    for (const block of result.content) if (block.type === 'text') expect(answer.content).toContain((block as TextBlock).text);
    // Images a tool returned follow in the next user message (tool messages carry text only).
    const images = result.content.filter((b): b is ImageBlock => b.type === 'image').map(imageUrl);
    if (images.length > 0) {
      const after = messages.slice(messages.indexOf(message) + 1).find((m) => m.role !== 'tool');
      expect(after?.role, `message after the results of ${id}`).toBe('user');
      const parts = after && after.role === 'user' && Array.isArray(after.content) ? after.content : [];
      const urls = parts.flatMap((p) => (p.type === 'image_url' ? [p.image_url.url] : []));
      for (const image of images) expect(urls).toContain(image);
    }
  }

  // Nothing only Anthropic understands (but Claude's cache markers where the target passes them on to Anthropic).
  const keepsCache = compat.cacheControlModels?.test(s.model) === true;
  expect(anthropicLeftovers(JSON.parse(JSON.stringify(body))).filter((path) => !(keepsCache && path.endsWith('.cache_control')))).toEqual([]);
  // Gemini validates the first call of every step: it always carries a signature (the placeholder at least).
  for (const message of messages) {
    if (message.role !== 'assistant' || !message.tool_calls?.length) continue;
    if (compat.thoughtSignatures) expect(message.tool_calls[0]!.extra_content?.google?.thought_signature).toBeTypeOf('string');
    else expect(message.tool_calls.some((call) => call.extra_content)).toBe(false);
  }
  if (body.stop) expect(body.stop.length).toBeLessThanOrEqual(compat.maxStop);

  // Function names: valid for OpenAI, reversible, one short name per original and vice versa.
  const shortOf = new Map<string, string>();
  const originalOf = new Map<string, string>();
  const see = (original: string, short: string, where: string) => {
    expect(short, `${where}: ${JSON.stringify(original)}`).toMatch(OPENAI_FUNCTION_NAME);
    expect(toolNames.restore(short), `${where}: restore(${short})`).toBe(original);
    expect(shortOf.get(original) ?? short, `${where}: ${JSON.stringify(original)} shortened two ways`).toBe(short);
    expect(originalOf.get(short) ?? original, `${where}: ${short} stands for two names`).toBe(original);
    shortOf.set(original, short);
    originalOf.set(short, original);
  };
  const clientTools = (request.tools ?? []).filter((tool) => !SERVER_TOOL_NAMES.includes(tool.name));
  expect((body.tools ?? []).length, 'client tools sent, server tools dropped').toBe(clientTools.length);
  for (const [i, tool] of clientTools.entries()) see(tool.name, body.tools![i]!.function.name, `tools[${i}]`);
  const useById = new Map(uses.map((use) => [use.id, use]));
  for (const call of calls) see(useById.get(call.id)!.name, call.function.name, `tool call ${call.id}`);
  if (body.tools === undefined) expect(body.tool_choice).toBeUndefined();
  const choice = body.tool_choice;
  if (request.tool_choice?.type === 'tool' && clientTools.some((tool) => tool.name === (request.tool_choice as { name: string }).name)) {
    expect(typeof choice === 'object' && choice !== null).toBe(true);
    if (typeof choice === 'object') see(request.tool_choice.name, choice.function.name, 'tool_choice');
  }
}

/** OpenAI rejects a named tool_choice whose function is not in `tools` (400 "tool_choice … not provided in tools"). */
function checkNamedToolChoice(s: Scenario): void {
  const { body } = toOpenAIRequest(buildRequest(s), { model: s.model, compat: COMPAT[s.compat] });
  const choice = body.tool_choice;
  if (typeof choice === 'object') {
    expect(
      body.tools?.map((t) => t.function.name),
      'tool_choice names a function that is sent',
    ).toContain(choice.function.name);
  }
}

describe('request translation properties', () => {
  it('keeps tool calls paired, drops Anthropic-only fields and maps tool names reversibly, for any valid request and compat profile', () => {
    fc.assert(
      fc.property(scenario, (s) => checkTranslation(s)),
      { numRuns: 300 },
    );
  });

  it('sends a named tool_choice only for a function it sends', () => {
    // Anthropic lets tool_choice force a server tool ({type:"tool", name:"web_search"}); server tools are not sent.
    fc.assert(
      fc.property(scenario, (s) => checkNamedToolChoice(s)),
      { numRuns: 300 },
    );
  });

  it('holds with many long tool names and long tool histories', () => {
    const longNames = fc.uniqueArray(
      fc.stringMatching(/^[a-z][a-z0-9._:-]{60,120}$/).filter((name) => !SERVER_TOOL_NAMES.includes(name)),
      { minLength: 1, maxLength: 12 },
    );
    fc.assert(
      fc.property(
        longNames.chain((pool) => fc.tuple(fc.constant(pool), fc.array(roundSpec(pool), { minLength: 3, maxLength: 8 }))),
        scenario,
        ([pool, rounds], base) => {
          const s: Scenario = {
            ...base,
            clientTools: pool.map((name) => ({ name, input_schema: { type: 'object', properties: {} } })),
            toolChoice: base.toolChoice?.type === 'tool' ? { type: 'tool', name: pool[0]! } : base.toolChoice,
            rounds,
          };
          checkTranslation(s);
        },
      ),
      { numRuns: 50 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// 2. Streaming: the output does not depend on how the network cut the upstream bytes
// ---------------------------------------------------------------------------------------------

interface StreamFixture {
  name: string;
  sse: string;
  /** The final message the SDK must assemble. */
  content: unknown[];
  stopReason: string;
  usage?: { input_tokens: number; output_tokens: number };
}

const fragment = (index: number, fields: Record<string, unknown>) => ({ index, ...fields });
const tool = (index: number, id: string | undefined, name: string | undefined, args: string) =>
  fragment(index, { ...(id ? { id, type: 'function' } : {}), function: { ...(name ? { name } : {}), arguments: args } });

const FIXTURES: StreamFixture[] = [
  {
    name: 'plain text with emoji and CJK',
    sse: sse([
      chunk({ role: 'assistant', content: '' }),
      chunk({ content: 'Hello 👋 ' }),
      chunk({ content: '世界，你好！' }),
      chunk({ content: ' — ✓ café 🇫🇷👩‍👩‍👧' }),
      chunk({}, 'stop'),
      usageChunk(12, 9),
    ]),
    content: [{ type: 'text', text: 'Hello 👋 世界，你好！ — ✓ café 🇫🇷👩‍👩‍👧' }],
    stopReason: 'end_turn',
    usage: { input_tokens: 12, output_tokens: 9 },
  },
  {
    name: 'reasoning_content, then content',
    sse: sse([
      chunk({ role: 'assistant', content: null, reasoning_content: 'Let me think… 🤔' }),
      chunk({ reasoning_content: ' 2 + 2 = 4。' }),
      chunk({ content: 'The answer is ' }),
      chunk({ content: '4 ✅' }),
      chunk({}, 'stop'),
      usageChunk(30, 20, 10),
    ]),
    content: [
      { type: 'thinking', thinking: 'Let me think… 🤔 2 + 2 = 4。', signature: '' },
      { type: 'text', text: 'The answer is 4 ✅' },
    ],
    stopReason: 'end_turn',
    usage: { input_tokens: 20, output_tokens: 20 },
  },
  {
    name: 'OpenRouter: comment lines, `reasoning` field, usage on the finish chunk',
    sse: sse([
      ': OPENROUTER PROCESSING\n\n',
      ': OPENROUTER PROCESSING\n\n',
      chunk({ role: 'assistant', content: '', reasoning: 'Überlegung: ' }),
      chunk({ content: '', reasoning: 'kurz.' }),
      ': OPENROUTER PROCESSING\n\n',
      chunk({ content: 'Grüße aus Köln 🍺' }),
      chunk({ content: '' }, 'stop', { usage: { prompt_tokens: 40, completion_tokens: 11, total_tokens: 51 } }),
    ]),
    content: [
      { type: 'thinking', thinking: 'Überlegung: kurz.', signature: '' },
      { type: 'text', text: 'Grüße aus Köln 🍺' },
    ],
    stopReason: 'end_turn',
    usage: { input_tokens: 40, output_tokens: 11 },
  },
  {
    name: 'one tool call, arguments in fragments',
    sse: sse([
      chunk({ role: 'assistant', content: null, tool_calls: [tool(0, 'call_abc', 'get_weather', '')] }),
      chunk({ tool_calls: [tool(0, undefined, undefined, '{"ci')] }),
      chunk({ tool_calls: [tool(0, undefined, undefined, 'ty": "Zürich 🏔')] }),
      chunk({ tool_calls: [tool(0, undefined, undefined, '", "days"')] }),
      chunk({ tool_calls: [tool(0, undefined, undefined, ': 3}')] }),
      chunk({}, 'tool_calls'),
      usageChunk(50, 18),
    ]),
    content: [{ type: 'tool_use', id: 'call_abc', name: 'get_weather', input: { city: 'Zürich 🏔', days: 3 } }],
    stopReason: 'tool_use',
    usage: { input_tokens: 50, output_tokens: 18 },
  },
  {
    name: 'text, then two parallel tool calls one after the other',
    sse: sse([
      chunk({ role: 'assistant', content: 'Reading both files 📄…' }),
      chunk({ tool_calls: [tool(0, 'call_1', 'read_file', '{"path": ')] }),
      chunk({ tool_calls: [tool(0, undefined, undefined, '"docs/説明.md"}')] }),
      chunk({ tool_calls: [tool(1, 'call_2', 'read_file', '')] }),
      chunk({ tool_calls: [tool(1, undefined, undefined, '{"path": "src/ü.ts"')] }),
      chunk({ tool_calls: [tool(1, undefined, undefined, ', "limit": 20}')] }),
      chunk({}, 'tool_calls'),
      usageChunk(70, 33),
    ]),
    content: [
      { type: 'text', text: 'Reading both files 📄…' },
      { type: 'tool_use', id: 'call_1', name: 'read_file', input: { path: 'docs/説明.md' } },
      { type: 'tool_use', id: 'call_2', name: 'read_file', input: { path: 'src/ü.ts', limit: 20 } },
    ],
    stopReason: 'tool_use',
    usage: { input_tokens: 70, output_tokens: 33 },
  },
  {
    name: 'two tool calls interleaved by index, without ids, finish "stop"',
    sse: sse([
      chunk({ role: 'assistant', content: null }),
      chunk({ tool_calls: [tool(0, undefined, 'search', '{"q": ')] }),
      chunk({ tool_calls: [tool(1, undefined, 'lookup', '{"id": ')] }),
      chunk({ tool_calls: [tool(0, undefined, undefined, '"日本の天気 ☀"}')] }),
      chunk({ tool_calls: [tool(1, undefined, undefined, '42}')] }),
      chunk({}, 'stop'),
      usageChunk(15, 25),
    ]),
    content: [
      { type: 'tool_use', id: expect.stringMatching(/^toolu_/), name: 'search', input: { q: '日本の天気 ☀' } },
      { type: 'tool_use', id: expect.stringMatching(/^toolu_/), name: 'lookup', input: { id: 42 } },
    ],
    stopReason: 'tool_use',
    usage: { input_tokens: 15, output_tokens: 25 },
  },
  {
    name: 'content and finish_reason in one chunk, usage after, no [DONE]',
    sse: sse(
      [chunk({ role: 'assistant', content: '' }), chunk({ content: 'Kurz und gut: ' }), chunk({ content: 'fertig 🎉' }, 'length'), usageChunk(9, 4)],
      false,
    ),
    content: [{ type: 'text', text: 'Kurz und gut: fertig 🎉' }],
    stopReason: 'max_tokens',
    usage: { input_tokens: 9, output_tokens: 4 },
  },
  {
    name: 'CRLF line endings',
    sse: sse([chunk({ role: 'assistant', content: 'Ça va ? ' }), chunk({ content: 'はい 🙂' }), chunk({}, 'stop'), usageChunk(5, 6)]).replace(/\n/g, '\r\n'),
    content: [{ type: 'text', text: 'Ça va ? はい 🙂' }],
    stopReason: 'end_turn',
    usage: { input_tokens: 5, output_tokens: 6 },
  },
];

const STREAM_REQUEST = { model: 'claude-sonnet-4-6', max_tokens: 1024, stream: true, messages: [{ role: 'user', content: 'hi' }] };
const encoder = new TextEncoder();

/** Byte offsets worth cutting at: inside multi-byte characters, inside `data:` prefixes, between CR and LF, at frame ends. */
function interestingCuts(bytes: Uint8Array): number[] {
  const cuts = new Set<number>();
  const dataPrefix = encoder.encode('data:');
  for (let i = 1; i < bytes.length; i++) {
    if ((bytes[i]! & 0xc0) === 0x80) cuts.add(i); // continuation byte: the cut splits a character
    if (bytes[i - 1] === 0x0d && bytes[i] === 0x0a) cuts.add(i);
    if (bytes[i - 1] === 0x0a && bytes[i] === 0x0a) cuts.add(i);
    if (dataPrefix.every((b, k) => bytes[i + k] === b)) for (let k = 1; k <= dataPrefix.length; k++) cuts.add(i + k);
  }
  return [...cuts];
}

/** Network chunks of one body; counterexamples print as the cut offsets, not the bytes. */
interface Chunking {
  chunks: Uint8Array[];
}

function cutAt(bytes: Uint8Array, cuts: number[]): Chunking {
  const bounds = [0, ...[...cuts].sort((a, b) => a - b), bytes.length];
  const chunks = bounds.slice(1).map((end, i) => bytes.slice(bounds[i], end));
  const label = cuts.length === bytes.length - 1 ? 'one byte at a time' : `cut at byte offsets [${bounds.slice(1, -1).join(', ')}] of ${bytes.length}`;
  return { chunks, [fc.toStringMethod]: () => label } as Chunking;
}

/** Random ways to cut `bytes` into network chunks (empty chunks included); sometimes one byte at a time. */
function chunkings(bytes: Uint8Array): fc.Arbitrary<Chunking> {
  const interesting = interestingCuts(bytes);
  const cut = fc.oneof(fc.integer({ min: 0, max: bytes.length }), fc.constantFrom(...interesting));
  return fc.oneof(
    { weight: 12, arbitrary: fc.array(cut, { minLength: 1, maxLength: 24 }).map((cuts) => cutAt(bytes, cuts)) },
    {
      weight: 1,
      arbitrary: fc.constant(
        cutAt(
          bytes,
          Array.from({ length: bytes.length - 1 }, (_, i) => i + 1),
        ),
      ),
    },
  );
}

function scriptStream(chunks: Uint8Array[]) {
  return scriptUpstream(() => new Response(chunkedStream(chunks), { headers: { 'content-type': 'text/event-stream' } }));
}

/** The client's SSE text as events; every frame must name its event and match the data's type. */
function parseAnthropicSse(textBody: string): StreamEvent[] {
  expect(textBody.endsWith('\n\n')).toBe(true);
  return textBody
    .slice(0, -2)
    .split('\n\n')
    .map((frame) => {
      const lines = frame.split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(/^event: \w+$/);
      expect(lines[1]).toMatch(/^data: /);
      const event = JSON.parse(lines[1]!.slice('data: '.length)) as StreamEvent;
      expect(lines[0]).toBe(`event: ${event.type}`);
      return event;
    });
}

/** Random ids replaced by their order of appearance. */
function normalize(events: StreamEvent[]): StreamEvent[] {
  const toolIds = new Map<string, string>();
  return events.map((event) => {
    if (event.type === 'message_start') {
      expect(event.message.id).toMatch(/^msg_/);
      return { ...event, message: { ...event.message, id: 'msg_*' } };
    }
    if (event.type === 'content_block_start' && event.content_block.type === 'tool_use' && event.content_block.id.startsWith('toolu_')) {
      const id = event.content_block.id;
      if (!toolIds.has(id)) toolIds.set(id, `toolu_*${toolIds.size}`);
      return { ...event, content_block: { ...event.content_block, id: toolIds.get(id)! } };
    }
    return event;
  });
}

/** Blocks one after another with dense indices, started before their deltas, closed once, then message_delta and message_stop. */
function checkWellFormed(events: StreamEvent[]): void {
  expect(events[0]?.type).toBe('message_start');
  expect(events.at(-1)?.type).toBe('message_stop');
  expect(events.at(-2)?.type).toBe('message_delta');
  let open: number | null = null;
  let next = 0;
  for (const event of events.slice(1, -2)) {
    if (event.type === 'content_block_start') {
      expect(open).toBeNull();
      expect(event.index).toBe(next++);
      open = event.index;
    } else if (event.type === 'content_block_delta') {
      expect(event.index).toBe(open);
    } else if (event.type === 'content_block_stop') {
      expect(event.index).toBe(open);
      open = null;
    } else expect.fail(`unexpected ${event.type} inside the message`);
  }
  expect(open).toBeNull();
}

async function streamThroughWorker(chunks: Uint8Array[], route: Record<string, unknown> = openaiRoute()): Promise<StreamEvent[]> {
  const upstream = scriptStream(chunks);
  try {
    const { response, ctx } = await post('/v1/messages', STREAM_REQUEST, proxyAuth, route);
    expect(response.status).toBe(200);
    const body = await response.text();
    await waitOnExecutionContext(ctx);
    expect(upstream.calls).toHaveLength(1);
    return parseAnthropicSse(body);
  } finally {
    upstream.restore();
  }
}

describe('stream translation properties', () => {
  let upstream: ReturnType<typeof scriptUpstream> | undefined;
  afterEach(() => {
    upstream?.restore();
    upstream = undefined;
  });

  for (const fixture of FIXTURES) {
    it(`gives the same events however the upstream bytes are cut: ${fixture.name}`, async () => {
      const bytes = encoder.encode(fixture.sse);
      const reference = normalize(await streamThroughWorker([bytes]));
      checkWellFormed(reference);

      await fc.assert(
        fc.asyncProperty(chunkings(bytes), async ({ chunks }) => {
          expect(normalize(await streamThroughWorker(chunks))).toEqual(reference);
        }),
        { numRuns: 25 },
      );
    });

    it(`the official SDK assembles the expected message from any cut: ${fixture.name}`, async () => {
      const bytes = encoder.encode(fixture.sse);
      const contexts: ExecutionContext[] = [];
      const client = new Anthropic({
        apiKey: 'proxy-key-for-tests-42',
        baseURL: PROXY,
        maxRetries: 0,
        // Straight to the worker: the SDK must never reach the fetch spy that plays the upstream.
        fetch: async (input, init) => {
          const ctx = createExecutionContext();
          contexts.push(ctx);
          return app.fetch(new Request(input, init), { ...env, ...openaiRoute() } as TestEnv, ctx);
        },
      });

      await fc.assert(
        fc.asyncProperty(chunkings(bytes), async ({ chunks }) => {
          upstream = scriptStream(chunks);
          try {
            const message = await client.messages
              .stream({ model: 'claude-sonnet-4-6', max_tokens: 1024, messages: [{ role: 'user', content: 'hi' }] })
              .finalMessage();
            expect(upstream.calls.map((call) => call.url)).toEqual(['https://llm.example.com/v1/chat/completions']);
            expect(message.content).toEqual(fixture.content);
            expect(message.stop_reason).toBe(fixture.stopReason);
            expect(message.model).toBe('claude-sonnet-4-6');
            if (fixture.usage) expect(message.usage).toMatchObject(fixture.usage);
          } finally {
            await Promise.all(contexts.splice(0).map((ctx) => waitOnExecutionContext(ctx)));
            upstream.restore();
            upstream = undefined;
          }
        }),
        { numRuns: 6 },
      );
    });
  }
});

// ---------------------------------------------------------------------------------------------
// 3. The Responses API provider: the same generated requests, the same network cuts
// ---------------------------------------------------------------------------------------------

/** Marks every other thinking block as a reasoning item this model returned earlier; returns the items issued. */
function withOurReasoning(request: MessagesRequest, model: string): Map<string, string> {
  const issued = new Map<string, string>();
  let n = 0;
  for (const message of request.messages) {
    if (message.role !== 'assistant' || typeof message.content === 'string') continue;
    for (const block of message.content) {
      if (block.type !== 'thinking' || n++ % 2 === 1) continue;
      const id = `rs_${n}`;
      issued.set(id, `encrypted-${n}`);
      (block as { signature: string }).signature = encodeReasoningSignature({ id, encryptedContent: `encrypted-${n}`, model });
    }
  }
  return issued;
}

function checkResponsesTranslation(s: Scenario, model: string): void {
  const request = buildRequest(s);
  const issued = withOurReasoning(request, model);
  const { body, toolNames } = toResponsesRequest(structuredClone(request), { model, reasoning: 'auto', sessionId: 'session-1' });

  // Accepted by an endpoint that refuses what the real one refuses.
  expect(checkResponsesRequest(body as unknown as Record<string, unknown>, issued)).toBeNull();
  // Every tool_use is one function_call, answered exactly once.
  const of = <T extends ResponsesInputItem['type']>(type: T) =>
    body.input.filter((item): item is Extract<ResponsesInputItem, { type: T }> => item.type === type);
  const calls = of('function_call');
  expect(calls.map((call) => call.call_id).sort()).toEqual(
    toolUses(request)
      .map((use) => use.id)
      .sort(),
  );
  expect(
    of('function_call_output')
      .map((output) => output.call_id)
      .sort(),
  ).toEqual(calls.map((call) => call.call_id).sort());
  // Only reasoning this model wrote goes back, verbatim.
  for (const reasoning of of('reasoning')) expect(issued.get(reasoning.id)).toBe(reasoning.encrypted_content);
  // Nothing only Anthropic understands; names valid and reversible.
  expect(anthropicLeftovers(JSON.parse(JSON.stringify(body)))).toEqual([]);
  const useById = new Map(toolUses(request).map((use) => [use.id, use]));
  for (const call of calls) {
    expect(call.name).toMatch(OPENAI_FUNCTION_NAME);
    expect(toolNames.restore(call.name)).toBe(useById.get(call.call_id)!.name);
  }
  for (const tool of body.tools ?? []) if (tool.type === 'function') expect(tool.name).toMatch(OPENAI_FUNCTION_NAME);
}

describe('Responses request translation properties', () => {
  it('is accepted by the scripted Responses API, answers every call once and replays only our reasoning, for any valid request', () => {
    fc.assert(
      fc.property(scenario, fc.constantFrom('gpt-5.1-codex', 'gpt-4.1'), (s, model) => checkResponsesTranslation(s, model)),
      { numRuns: 300 },
    );
  });
});

const RESPONSES_ROUTE = () => ({
  ...openaiRoute(),
  ROUTES: [{ match: 'claude-*', provider: 'openai-responses', baseUrl: 'https://llm.example.com/v1', model: 'gpt-5.1-codex', apiKey: 'UPSTREAM_KEY' }],
});

const RESPONSES_FIXTURES: StreamFixture[] = [
  {
    name: 'reasoning summary, text with emoji and CJK',
    sse: responsesSse(
      responseEvents([responsesItem.reasoning('Überlegen… 🤔 考える'), responsesItem.message('Hello 👋 世界 — ✓ café 🇫🇷')], {
        usage: { input_tokens: 40, output_tokens: 12 },
      }),
    ),
    content: [
      { type: 'thinking', thinking: 'Überlegen… 🤔 考える', signature: expect.stringMatching(/^cpr1\./) },
      { type: 'text', text: 'Hello 👋 世界 — ✓ café 🇫🇷' },
    ],
    stopReason: 'end_turn',
    usage: { input_tokens: 40, output_tokens: 12 },
  },
  {
    name: 'text, then two function calls',
    sse: responsesSse(
      responseEvents(
        [
          responsesItem.message('Reading both 📄'),
          responsesItem.call('read_file', { path: 'docs/説明.md' }, 'call_1'),
          responsesItem.call('read_file', { path: 'src/ü.ts', limit: 20 }, 'call_2'),
        ],
        { usage: { input_tokens: 70, output_tokens: 33, cached: 50 } },
      ),
    ),
    content: [
      { type: 'text', text: 'Reading both 📄' },
      { type: 'tool_use', id: 'call_1', name: 'read_file', input: { path: 'docs/説明.md' } },
      { type: 'tool_use', id: 'call_2', name: 'read_file', input: { path: 'src/ü.ts', limit: 20 } },
    ],
    stopReason: 'tool_use',
    usage: { input_tokens: 20, output_tokens: 33 },
  },
  {
    name: 'web search, then text, CRLF line endings',
    sse: responsesSse(
      responseEvents([responsesItem.webSearch('wetter köln', [{ url: 'https://example.com/köln', title: 'Köln ☀' }]), responsesItem.message('Sonnig.')]),
    ).replace(/\n/g, '\r\n'),
    content: [
      { type: 'server_tool_use', id: expect.stringMatching(/^srvtoolu_/), name: 'web_search', input: { query: 'wetter köln' } },
      {
        type: 'web_search_tool_result',
        tool_use_id: expect.stringMatching(/^srvtoolu_/),
        content: [{ type: 'web_search_result', url: 'https://example.com/köln', title: 'Köln ☀', encrypted_content: '', page_age: null }],
      },
      { type: 'text', text: 'Sonnig.' },
    ],
    stopReason: 'end_turn',
  },
];

describe('Responses stream translation properties', () => {
  let upstream: ReturnType<typeof scriptUpstream> | undefined;
  afterEach(() => {
    upstream?.restore();
    upstream = undefined;
  });

  for (const fixture of RESPONSES_FIXTURES) {
    it(`gives the same events however the upstream bytes are cut: ${fixture.name}`, async () => {
      const bytes = encoder.encode(fixture.sse);
      const reference = normalize(await streamThroughWorker([bytes], RESPONSES_ROUTE()));
      checkWellFormed(reference);
      await fc.assert(
        fc.asyncProperty(chunkings(bytes), async ({ chunks }) => {
          expect(normalize(await streamThroughWorker(chunks, RESPONSES_ROUTE()))).toEqual(reference);
        }),
        { numRuns: 25 },
      );
    });

    it(`the official SDK assembles the expected message from any cut: ${fixture.name}`, async () => {
      const bytes = encoder.encode(fixture.sse);
      const contexts: ExecutionContext[] = [];
      const client = new Anthropic({
        apiKey: 'proxy-key-for-tests-42',
        baseURL: PROXY,
        maxRetries: 0,
        fetch: async (input, init) => {
          const ctx = createExecutionContext();
          contexts.push(ctx);
          return app.fetch(new Request(input, init), { ...env, ...RESPONSES_ROUTE() } as TestEnv, ctx);
        },
      });
      await fc.assert(
        fc.asyncProperty(chunkings(bytes), async ({ chunks }) => {
          upstream = scriptStream(chunks);
          try {
            const message = await client.messages
              .stream({ model: 'claude-sonnet-4-6', max_tokens: 1024, messages: [{ role: 'user', content: 'hi' }] })
              .finalMessage();
            expect(upstream.calls.map((call) => call.url)).toEqual(['https://llm.example.com/v1/responses']);
            expect(message.content).toEqual(fixture.content);
            expect(message.stop_reason).toBe(fixture.stopReason);
            if (fixture.usage) expect(message.usage).toMatchObject(fixture.usage);
          } finally {
            await Promise.all(contexts.splice(0).map((ctx) => waitOnExecutionContext(ctx)));
            upstream.restore();
            upstream = undefined;
          }
        }),
        { numRuns: 6 },
      );
    });
  }
});
