import * as v from 'valibot';
import { ProxyError } from '../core/errors';
import { describeIssues } from '../core/issues';
import type { MessagesRequest } from './types';

/**
 * The Messages API request, checked before anything is sent: a clear 400 naming the field beats
 * an upstream's puzzling one. Objects are loose (Claude Code sends new fields every month); the
 * fields the proxy reads or translates are strict.
 */

const nonEmptyString = v.pipe(v.string(), v.nonEmpty('must not be empty'));

const TextBlock = v.looseObject({ type: v.literal('text'), text: v.string() });

const ImageSource = v.variant('type', [
  v.looseObject({ type: v.literal('base64'), media_type: v.string(), data: v.string() }),
  v.looseObject({ type: v.literal('url'), url: v.string() }),
  v.looseObject({ type: v.literal('file'), file_id: v.string() }),
]);
const ImageBlock = v.looseObject({ type: v.literal('image'), source: ImageSource });

const DocumentBlock = v.looseObject({
  type: v.literal('document'),
  source: v.looseObject({ type: v.picklist(['base64', 'text', 'content', 'url', 'file']) }),
});

const ToolUseBlock = v.looseObject({
  type: v.literal('tool_use'),
  id: nonEmptyString,
  name: nonEmptyString,
  input: v.record(v.string(), v.unknown()),
});

const ToolResultBlock = v.looseObject({
  type: v.literal('tool_result'),
  tool_use_id: nonEmptyString,
  content: v.optional(v.union([v.string(), v.array(v.looseObject({ type: v.string() }))])),
  is_error: v.optional(v.boolean()),
});

const ThinkingBlock = v.looseObject({ type: v.literal('thinking'), thinking: v.string() });
const RedactedThinkingBlock = v.looseObject({ type: v.literal('redacted_thinking'), data: v.string() });

/** History blocks from Anthropic's server tools: accepted everywhere, dropped or textualised in translation. */
const SERVER_BLOCK_TYPES = [
  'server_tool_use',
  'web_search_tool_result',
  'web_fetch_tool_result',
  'code_execution_tool_result',
  'bash_code_execution_tool_result',
  'text_editor_code_execution_tool_result',
  'mcp_tool_use',
  'mcp_tool_result',
  'search_result',
  'container_upload',
  'tool_reference',
] as const;
const ServerBlock = v.looseObject({ type: v.picklist(SERVER_BLOCK_TYPES) });

const KNOWN_BLOCKS = [TextBlock, ImageBlock, DocumentBlock, ToolUseBlock, ToolResultBlock, ThinkingBlock, RedactedThinkingBlock, ServerBlock];
const KNOWN_TYPES = new Set<string>(['text', 'image', 'document', 'tool_use', 'tool_result', 'thinking', 'redacted_thinking', ...SERVER_BLOCK_TYPES]);

/** Blocks of types the proxy does not know, accepted where the upstream is Anthropic itself. */
const UnknownBlock = v.looseObject({
  type: v.pipe(
    v.string(),
    v.check((type) => !KNOWN_TYPES.has(type)),
  ),
});

function messageSchema(blocks: v.GenericSchema) {
  return v.looseObject({
    role: v.picklist(['user', 'assistant', 'system']),
    content: v.union([v.string(), v.array(blocks)], 'expected a string or an array of content blocks'),
  });
}

const Tool = v.looseObject({
  name: v.pipe(v.string(), v.nonEmpty('must not be empty'), v.maxLength(256)),
  description: v.optional(v.string()),
  input_schema: v.optional(v.looseObject({})),
});

const ToolChoice = v.variant('type', [
  v.looseObject({ type: v.literal('auto'), disable_parallel_tool_use: v.optional(v.boolean()) }),
  v.looseObject({ type: v.literal('any'), disable_parallel_tool_use: v.optional(v.boolean()) }),
  v.looseObject({ type: v.literal('tool'), name: nonEmptyString, disable_parallel_tool_use: v.optional(v.boolean()) }),
  v.looseObject({ type: v.literal('none') }),
]);

const Thinking = v.variant('type', [
  v.looseObject({ type: v.literal('enabled'), budget_tokens: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1_000_000)) }),
  v.looseObject({ type: v.literal('adaptive') }),
  v.looseObject({ type: v.literal('disabled') }),
]);

/** Output tokens no model comes near: anything above is a client bug, not a request. */
export const MAX_TOKENS_LIMIT = 1_000_000;

function requestSchema(blocks: v.GenericSchema, operation: 'messages' | 'countTokens') {
  const Message = messageSchema(blocks);
  return v.looseObject({
    model: v.pipe(v.string('expected a string naming the model'), v.nonEmpty('must not be empty')),
    max_tokens:
      operation === 'messages'
        ? v.pipe(v.number('expected an integer'), v.integer('expected an integer'), v.minValue(1), v.maxValue(MAX_TOKENS_LIMIT))
        : v.optional(v.number()),
    messages: operation === 'messages' ? v.pipe(v.array(Message), v.minLength(1, 'expected at least one message')) : v.array(Message),
    system: v.optional(v.union([v.string(), v.array(TextBlock)], 'expected a string or an array of text blocks')),
    stream: v.optional(v.boolean()),
    temperature: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(1))),
    top_p: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(1))),
    top_k: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
    stop_sequences: v.optional(v.array(v.string())),
    metadata: v.optional(v.looseObject({ user_id: v.optional(v.nullable(v.string())) })),
    tools: v.optional(v.array(Tool)),
    tool_choice: v.optional(ToolChoice),
    thinking: v.optional(Thinking),
    output_config: v.optional(v.looseObject({ effort: v.optional(v.string()) })),
  });
}

const KnownBlock = v.variant('type', KNOWN_BLOCKS, 'expected a content block of a known type');
const AnyBlock = v.variant('type', [...KNOWN_BLOCKS, UnknownBlock]);

const SCHEMAS = {
  /** Upstreams that take Anthropic's format: unknown block types go through. */
  anthropic: { messages: requestSchema(AnyBlock, 'messages'), countTokens: requestSchema(AnyBlock, 'countTokens') },
  /** Upstreams reached by translation: a block the proxy cannot translate is an error. */
  translated: { messages: requestSchema(KnownBlock, 'messages'), countTokens: requestSchema(KnownBlock, 'countTokens') },
};

/** A JSON object with a model: enough to pick a route. */
export function requireModel(json: unknown): MessagesRequest {
  if (!json || typeof json !== 'object' || Array.isArray(json)) {
    throw new ProxyError('invalid_request_error', 'request body must be a JSON object');
  }
  const model = (json as { model?: unknown }).model;
  if (typeof model !== 'string' || model === '') {
    throw new ProxyError('invalid_request_error', 'model: expected a non-empty string naming the model');
  }
  return json as MessagesRequest;
}

/** Checks a request against the Messages API; throws a 400 naming the field and what was expected. */
export function validateRequest(json: MessagesRequest, operation: 'messages' | 'countTokens', dialect: 'anthropic' | 'translated'): void {
  const result = v.safeParse(SCHEMAS[dialect][operation], json);
  if (!result.success) throw new ProxyError('invalid_request_error', describeIssues(result.issues));
}
