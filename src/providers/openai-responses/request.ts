import type { ContentBlock, Message, MessagesRequest, OtherBlock, TextBlock, Tool, ToolResultBlock, ToolUseBlock } from '../../protocol/types';
import { COMPAT } from '../openai/compat';
import { blocksOf, isClientTool, MISSING_TOOL_RESULT, systemText, thinkingEffort, toolResultText, userParts } from '../openai/request';
import { cleanSchema } from '../openai/schema';
import { splitToolUseId } from '../openai/thought-signatures';
import { ToolNames } from '../openai/tool-names';
import type { ChatContentPart } from '../openai/types';
import { decodeReasoningSignature } from './signature';
import type { ResponsesContentPart, ResponsesInputItem, ResponsesRequest, ResponsesTool, ResponsesToolChoice } from './types';

/** What the Responses API reads that Chat Completions' `openai` profile already describes (PDFs as files, schemas as they are). */
const PROFILE = COMPAT.openai;

/** Models that reason: they refuse `temperature` and `top_p`, and return encrypted reasoning. */
const REASONING_MODELS = PROFILE.reasoningModels;

/** The Responses API refuses a smaller output cap. */
const MIN_OUTPUT_TOKENS = 16;

export interface ResponsesTarget {
  model: string;
  /** Per-route cap on the output tokens asked for. */
  maxTokens?: number;
  /** Whether to send `reasoning` when the client asks for thinking: the route's `reasoning` setting, else known reasoning models. */
  reasoning: 'auto' | 'always' | 'never';
  /** Keep responses at OpenAI (`store`); off unless the route says so. */
  store?: boolean;
  /** The Claude Code session: requests of one session share a prompt cache. */
  sessionId?: string | null;
}

export interface TranslatedResponsesRequest {
  body: ResponsesRequest;
  toolNames: ToolNames;
}

/**
 * Anthropic Messages request → Responses API request. Pure: no I/O, never throws on well-formed
 * input; fields without a Responses counterpart are dropped.
 */
export function toResponsesRequest(request: MessagesRequest, target: ResponsesTarget): TranslatedResponsesRequest {
  const toolNames = new ToolNames();
  const reasoningModel = REASONING_MODELS.test(target.model);
  const body: ResponsesRequest = { model: target.model, input: conversationItems(request.messages, toolNames, target.model), store: target.store ?? false };

  const system = systemText(request.system);
  if (system) body.instructions = system;

  const maxTokens = target.maxTokens ? Math.min(request.max_tokens, target.maxTokens) : request.max_tokens;
  if (typeof maxTokens === 'number') body.max_output_tokens = Math.max(MIN_OUTPUT_TOKENS, maxTokens);
  if (request.stream) body.stream = true;
  // Reasoning models answer 400 to sampling parameters.
  if (!reasoningModel) {
    if (typeof request.temperature === 'number') body.temperature = request.temperature;
    if (typeof request.top_p === 'number') body.top_p = request.top_p;
  }

  const include: string[] = [];
  const tools: ResponsesTool[] = [];
  for (const tool of request.tools ?? []) {
    if (isClientTool(tool)) tools.push(functionTool(tool, toolNames));
    else if (isWebSearch(tool)) tools.push(webSearchTool(tool));
  }
  if (tools.length > 0) {
    body.tools = tools;
    if (tools.some((tool) => tool.type === 'web_search')) include.push('web_search_call.action.sources');
    const choice = request.tool_choice;
    if (choice) {
      const toolChoice = toResponsesToolChoice(choice, tools, toolNames);
      if (toolChoice) body.tool_choice = toolChoice;
      if ('disable_parallel_tool_use' in choice && choice.disable_parallel_tool_use) body.parallel_tool_calls = false;
    }
  }

  const effort = thinkingEffort(request);
  const sendReasoning = target.reasoning === 'always' || (target.reasoning === 'auto' && reasoningModel);
  if (effort && sendReasoning) body.reasoning = { effort, summary: 'auto' };
  // Without stored responses, encrypted reasoning is the only way the next turn can continue it.
  if (!body.store && (reasoningModel || body.reasoning)) include.push('reasoning.encrypted_content');
  if (include.length > 0) body.include = include;

  const format = request.output_config?.format;
  if (format?.type === 'json_schema' && format.schema && typeof format.schema === 'object') {
    const schema = cleanSchema(format.schema as Record<string, unknown>, 'keep');
    body.text = { format: { type: 'json_schema', name: 'output', schema, strict: isStrictCompatible(schema) } };
  }
  if (target.sessionId) body.prompt_cache_key = target.sessionId;
  return { body, toolNames };
}

/**
 * Turns → input items. Every `function_call` is answered by a `function_call_output` right after
 * its turn (the API refuses one without the other): a user turn's tool results go first, in call
 * order, then its other blocks; unanswered calls get a synthetic output; results for calls that
 * are not in the history become text.
 */
function conversationItems(conversation: Message[], toolNames: ToolNames, model: string): ResponsesInputItem[] {
  const items: ResponsesInputItem[] = [];
  let unanswered: string[] = [];
  const answerMissing = () => {
    for (const id of unanswered) items.push({ type: 'function_call_output', call_id: id, output: MISSING_TOOL_RESULT });
    unanswered = [];
  };

  for (const message of conversation) {
    const blocks = blocksOf(message);
    if (message.role === 'assistant') {
      answerMissing();
      const turn = assistantItems(blocks, toolNames, model);
      items.push(...turn);
      unanswered = turn.flatMap((item) => (item.type === 'function_call' ? [item.call_id] : []));
      continue;
    }
    if (message.role === 'system') {
      answerMissing();
      const text = blocks.map((block) => ('text' in block && typeof block.text === 'string' ? block.text : '')).join('\n\n');
      if (text) items.push({ type: 'message', role: 'developer', content: text });
      continue;
    }

    const results = new Map<string, ToolResultBlock>();
    const parts: ResponsesContentPart[] = [];
    const movedImages: ChatContentPart[] = [];
    for (const block of blocks) {
      if (block.type === 'tool_result') {
        const result = block as ToolResultBlock;
        const id = splitToolUseId(result.tool_use_id).id;
        if (unanswered.includes(id) && !results.has(id)) results.set(id, result);
        else parts.push(inputText(`[result of tool call ${result.tool_use_id}]\n${toolResultText(result, PROFILE, movedImages)}`));
      } else {
        parts.push(...userParts(block, PROFILE).map(fromChatPart));
      }
    }
    for (const id of unanswered) {
      const result = results.get(id);
      items.push({ type: 'function_call_output', call_id: id, output: result ? toolResultText(result, PROFILE, movedImages) : MISSING_TOOL_RESULT });
    }
    unanswered = [];
    // Tool outputs carry text here: images a tool returned follow in the next user message.
    const content = movedImages.length > 0 ? [inputText('Images returned by the tool calls above:'), ...movedImages.map(fromChatPart), ...parts] : parts;
    if (content.length > 0) items.push({ type: 'message', role: 'user', content });
  }
  answerMissing();
  return items;
}

/**
 * One assistant turn, in block order: our reasoning items replayed (others' thinking dropped),
 * text as `output_text`, tool calls as `function_call` items, Anthropic server-tool blocks as a
 * text note.
 */
function assistantItems(blocks: Array<ContentBlock | OtherBlock>, toolNames: ToolNames, model: string): ResponsesInputItem[] {
  const items: ResponsesInputItem[] = [];
  let text: string[] = [];
  const flushText = () => {
    if (text.length > 0) items.push({ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: text.join('\n\n') }] });
    text = [];
  };
  for (const block of blocks) {
    switch (block.type) {
      case 'text': {
        const value = (block as TextBlock).text;
        if (typeof value === 'string' && value) text.push(value);
        break;
      }
      case 'thinking': {
        const ref = decodeReasoningSignature((block as { signature?: unknown }).signature);
        // Claude's own signatures, and reasoning another model wrote, mean nothing here.
        if (!ref || ref.model !== model) break;
        flushText();
        const thinking = (block as { thinking?: unknown }).thinking;
        items.push({
          type: 'reasoning',
          id: ref.id,
          encrypted_content: ref.encryptedContent,
          summary: typeof thinking === 'string' && thinking ? [{ type: 'summary_text', text: thinking }] : [],
        });
        break;
      }
      case 'tool_use': {
        flushText();
        const use = block as ToolUseBlock;
        // A Gemini thought signature riding in the id means nothing here: the call's own id goes.
        items.push({
          type: 'function_call',
          call_id: splitToolUseId(use.id).id,
          name: toolNames.shorten(use.name),
          arguments: JSON.stringify(use.input ?? {}),
        });
        break;
      }
      case 'server_tool_use': {
        const input = (block as { input?: { query?: unknown } }).input;
        if (typeof input?.query === 'string') text.push(`[searched the web for: ${input.query}]`);
        break;
      }
      case 'web_search_tool_result': {
        const content = (block as { content?: unknown }).content;
        if (Array.isArray(content)) {
          const hits = content.flatMap((hit: { url?: unknown; title?: unknown }) =>
            typeof hit?.url === 'string' ? [`- ${String(hit.title ?? hit.url)} (${hit.url})`] : [],
          );
          if (hits.length > 0) text.push(`[web search results]\n${hits.join('\n')}`);
        }
        break;
      }
      // redacted_thinking and other server-tool blocks have no Responses counterpart.
    }
  }
  flushText();
  // A reasoning item must be followed by the output it led to: one left last is refused.
  while (items.at(-1)?.type === 'reasoning') items.pop();
  return items;
}

function inputText(text: string): ResponsesContentPart {
  return { type: 'input_text', text };
}

/** The Chat Completions parts the shared user-block translation makes, as Responses input parts. */
function fromChatPart(part: ChatContentPart): ResponsesContentPart {
  switch (part.type) {
    case 'text':
      return inputText(part.text);
    case 'image_url':
      return { type: 'input_image', image_url: part.image_url.url, detail: 'auto' };
    case 'file':
      return { type: 'input_file', filename: part.file.filename ?? 'document.pdf', file_data: part.file.file_data ?? '' };
  }
}

function functionTool(tool: Tool, toolNames: ToolNames): ResponsesTool {
  const parameters = cleanSchema(tool.input_schema ?? { type: 'object', properties: {} }, 'keep');
  const fn: ResponsesTool = { type: 'function', name: toolNames.shorten(tool.name), parameters, strict: isStrictCompatible(parameters) };
  if (tool.description) fn.description = tool.description;
  return fn;
}

/** Anthropic's web search server tool (`web_search_20250305`, …). */
export function isWebSearch(tool: Tool): boolean {
  return typeof tool.type === 'string' && tool.type.startsWith('web_search_');
}

function webSearchTool(tool: Tool): ResponsesTool {
  const allowed = tool.allowed_domains;
  if (Array.isArray(allowed) && allowed.length > 0 && allowed.every((domain) => typeof domain === 'string')) {
    return { type: 'web_search', filters: { allowed_domains: allowed as string[] } };
  }
  return { type: 'web_search' };
}

function toResponsesToolChoice(choice: NonNullable<MessagesRequest['tool_choice']>, tools: ResponsesTool[], toolNames: ToolNames): ResponsesToolChoice | null {
  switch (choice.type) {
    case 'any':
      return 'required';
    case 'none':
      return 'none';
    case 'tool': {
      const name = toolNames.shorten(choice.name);
      if (tools.some((tool) => tool.type === 'function' && tool.name === name)) return { type: 'function', name };
      // Forcing the web search tool: with it sent, "some tool" is the closest the API takes.
      return tools.some((tool) => tool.type === 'web_search') && choice.name === 'web_search' ? 'required' : null;
    }
    default:
      return 'auto';
  }
}

/** Keywords strict mode accepts; a schema with any other cannot be strict. */
const STRICT_KEYWORDS = new Set(['type', 'properties', 'required', 'additionalProperties', 'items', 'enum', 'const', 'anyOf', 'description', 'title']);

/**
 * Whether the API can enforce a schema strictly: every object closed (`additionalProperties:
 * false`) with every property required, and only keywords strict mode supports. The API
 * refuses `strict: true` on anything else, and strict is its default, so it is always sent.
 */
export function isStrictCompatible(schema: unknown): boolean {
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) return false;
  const node = schema as Record<string, unknown>;
  for (const key of Object.keys(node)) if (!STRICT_KEYWORDS.has(key)) return false;
  if (Array.isArray(node.anyOf) && !node.anyOf.every(isStrictCompatible)) return false;
  if (node.items !== undefined && !isStrictCompatible(node.items)) return false;
  const isObject = node.type === 'object' || (Array.isArray(node.type) && node.type.includes('object')) || node.properties !== undefined;
  if (!isObject) return true;
  if (node.additionalProperties !== false) return false;
  const properties = (node.properties ?? {}) as Record<string, unknown>;
  if (!properties || typeof properties !== 'object') return false;
  const required = Array.isArray(node.required) ? node.required : [];
  return Object.entries(properties).every(([name, property]) => required.includes(name) && isStrictCompatible(property));
}
