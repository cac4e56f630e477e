import type {
  CacheControl,
  ContentBlock,
  DocumentBlock,
  ImageBlock,
  Message,
  MessagesRequest,
  OtherBlock,
  TextBlock,
  Tool,
  ToolResultBlock,
  ToolUseBlock,
} from '../../protocol/types';
import type { Compat } from './compat';
import { cleanSchema } from './schema';
import { ToolNames } from './tool-names';
import { SKIP_THOUGHT_SIGNATURE, splitToolUseId } from './thought-signatures';
import type { ChatCompletionRequest, ChatContentPart, ChatMessage, ChatTextPart, ChatTool, ChatToolCall, ChatToolChoice } from './types';

export interface TranslationTarget {
  model: string;
  compat: Compat;
  /** Per-route cap on the output tokens asked for. */
  maxTokens?: number;
  /** The Claude Code session: `prompt_cache_key` where the target takes one. */
  sessionId?: string | null;
}

export interface TranslatedRequest {
  body: ChatCompletionRequest;
  /** Shortened tool names, to map the answer's calls back. */
  toolNames: ToolNames;
}

/** Claude Code's first system block carries attribution for Anthropic's billing, not instructions. */
const BILLING_HEADER = 'x-anthropic-billing-header:';

/** Text a tool call gets when the conversation holds no result for it: OpenAI rejects unanswered calls. */
export const MISSING_TOOL_RESULT = '[no result: this tool call was interrupted before it returned]';

/** Told to a model in place of Anthropic's web search tool, which Chat Completions targets do not have. */
export const NO_WEB_SEARCH_NOTE =
  'Note: web search is not available here. The web_search tool the client offered cannot be used with this model: answer from what you know, and say that you could not search the web.';

/**
 * Anthropic Messages request → OpenAI Chat Completions request. Pure: no I/O, never throws on
 * well-formed input; fields without an OpenAI counterpart are dropped, never passed along.
 */
export function toOpenAIRequest(request: MessagesRequest, target: TranslationTarget): TranslatedRequest {
  const { compat } = target;
  const toolNames = new ToolNames();
  const messages: ChatMessage[] = [];
  const keepCache = compat.cacheControlModels?.test(target.model) === true;

  const system = systemMessage(request, keepCache);
  if (system) messages.push(system);
  appendConversation(messages, request.messages, compat, toolNames, keepCache);

  const body: ChatCompletionRequest = { model: target.model, messages };
  const maxTokens = target.maxTokens ? Math.min(request.max_tokens, target.maxTokens) : request.max_tokens;
  if (typeof maxTokens === 'number') body[compat.maxTokensField] = maxTokens;
  if (request.stream) {
    body.stream = true;
    body.stream_options = { include_usage: true };
  }
  if (Array.isArray(request.stop_sequences) && request.stop_sequences.length > 0) {
    body.stop = request.stop_sequences.slice(0, compat.maxStop);
  }
  if (typeof request.temperature === 'number') body.temperature = request.temperature;
  if (typeof request.top_p === 'number') body.top_p = request.top_p;

  const tools = (request.tools ?? []).filter(isClientTool).map((tool) => toChatTool(tool, compat, toolNames));
  if (tools.length > 0) {
    body.tools = tools;
    const choice = request.tool_choice;
    // Forcing a tool that was not sent (a server tool) would be refused: leave the choice to the model.
    const forcesMissingTool = choice?.type === 'tool' && !tools.some((tool) => tool.function.name === toolNames.shorten(choice.name));
    if (choice && !forcesMissingTool) {
      body.tool_choice = toChatToolChoice(choice, toolNames);
      if ('disable_parallel_tool_use' in choice && choice.disable_parallel_tool_use) body.parallel_tool_calls = false;
    }
  }

  Object.assign(body, reasoningParams(request, target));
  if (compat.promptCacheKey && target.sessionId) body.prompt_cache_key = target.sessionId;

  const format = request.output_config?.format;
  if (format?.type === 'json_schema' && format.schema) {
    body.response_format = { type: 'json_schema', json_schema: { name: 'output', schema: format.schema } };
  }
  return { body, toolNames };
}

/**
 * The system message: the system prompt, plus a note when the client offered web search (a
 * server tool no Chat Completions target has). Targets that forward Claude's cache markers get
 * the prompt's blocks as parts, markers kept.
 */
function systemMessage(request: MessagesRequest, keepCache: boolean): ChatMessage | null {
  const note = (request.tools ?? []).some((tool) => typeof tool.type === 'string' && tool.type.startsWith('web_search_')) ? NO_WEB_SEARCH_NOTE : null;
  if (keepCache && Array.isArray(request.system) && request.system.some((block) => block?.cache_control)) {
    const parts: ChatTextPart[] = request.system
      .filter((block): block is TextBlock => block?.type === 'text' && typeof block.text === 'string' && !block.text.startsWith(BILLING_HEADER))
      .map((block) => withCacheControl({ type: 'text', text: block.text }, block.cache_control));
    if (note) parts.push({ type: 'text', text: note });
    return parts.length > 0 ? { role: 'system', content: parts } : null;
  }
  const text = [systemText(request.system), note].filter(Boolean).join('\n\n');
  return text ? { role: 'system', content: text } : null;
}

function withCacheControl<T extends ChatTextPart>(part: T, cache: CacheControl | undefined): T {
  if (!cache) return part;
  return { ...part, cache_control: cache.ttl ? { type: 'ephemeral', ttl: cache.ttl } : { type: 'ephemeral' } };
}

export function systemText(system: MessagesRequest['system']): string | null {
  if (typeof system === 'string') return system || null;
  if (!Array.isArray(system)) return null;
  const texts = system
    .filter((block): block is TextBlock => block?.type === 'text' && typeof block.text === 'string')
    .map((block) => block.text)
    .filter((text) => !text.startsWith(BILLING_HEADER));
  return texts.length > 0 ? texts.join('\n\n') : null;
}

export function blocksOf(message: Message): Array<ContentBlock | OtherBlock> {
  if (typeof message.content === 'string') return [{ type: 'text', text: message.content }];
  return Array.isArray(message.content) ? message.content : [];
}

/**
 * Walks the turns in order. OpenAI needs every assistant tool call answered by a `tool` message
 * directly after it: a user turn's tool results go first, in call order, then its other blocks;
 * calls nobody answered get a synthetic reply.
 */
function appendConversation(out: ChatMessage[], conversation: Message[], compat: Compat, toolNames: ToolNames, keepCache: boolean): void {
  let unanswered: string[] = [];
  const answerMissing = () => {
    for (const id of unanswered) out.push({ role: 'tool', tool_call_id: id, content: MISSING_TOOL_RESULT });
    unanswered = [];
  };

  for (const message of conversation) {
    const blocks = blocksOf(message);
    if (message.role === 'assistant') {
      answerMissing();
      const assistant = toAssistantMessage(blocks, compat, toolNames);
      if (assistant) {
        out.push(assistant);
        unanswered = assistant.role === 'assistant' ? (assistant.tool_calls ?? []).map((call) => call.id) : [];
      }
      continue;
    }
    if (message.role === 'system') {
      answerMissing();
      const text = blocks.map((block) => ('text' in block && typeof block.text === 'string' ? block.text : '')).join('\n\n');
      if (!text) continue;
      out.push(
        compat.midConversationSystem === 'system'
          ? { role: 'system', content: text }
          : { role: 'user', content: `<system-reminder>\n${text}\n</system-reminder>` },
      );
      continue;
    }

    // user turn
    const results = new Map<string, ToolResultBlock>();
    const parts: ChatContentPart[] = [];
    const movedImages: ChatContentPart[] = [];
    for (const block of blocks) {
      if (block.type === 'tool_result') {
        const result = block as ToolResultBlock;
        // Ids that carry a thought signature answer the call under its upstream id.
        const id = splitToolUseId(result.tool_use_id).id;
        if (unanswered.includes(id) && !results.has(id)) results.set(id, result);
        else parts.push({ type: 'text', text: `[result of tool call ${result.tool_use_id}]\n${toolResultText(result, compat, movedImages)}` });
      } else {
        const converted = userParts(block, compat);
        const last = converted.at(-1);
        const cache = (block as { cache_control?: CacheControl }).cache_control;
        if (keepCache && cache && last?.type === 'text') converted[converted.length - 1] = withCacheControl(last, cache);
        parts.push(...converted);
      }
    }
    for (const id of unanswered) {
      const result = results.get(id);
      const text = result ? toolResultText(result, compat, movedImages) : MISSING_TOOL_RESULT;
      const cache = keepCache ? result?.cache_control : undefined;
      out.push({ role: 'tool', tool_call_id: id, content: cache ? [withCacheControl({ type: 'text', text }, cache)] : text });
    }
    unanswered = [];
    // Tool messages carry text only: images a tool returned follow in the next user message.
    const content = movedImages.length > 0 ? [{ type: 'text' as const, text: 'Images returned by the tool calls above:' }, ...movedImages, ...parts] : parts;
    if (content.length > 0) out.push({ role: 'user', content: collapseText(content) });
  }
  answerMissing();
}

/** A user message whose parts are all text goes as one string: every server accepts that (unless a part carries a cache marker). */
function collapseText(parts: ChatContentPart[]): string | ChatContentPart[] {
  if (parts.every((part) => part.type === 'text' && !part.cache_control)) return parts.map((part) => (part as { text: string }).text).join('\n\n');
  return parts;
}

function toAssistantMessage(blocks: Array<ContentBlock | OtherBlock>, compat: Compat, toolNames: ToolNames): ChatMessage | null {
  const texts: string[] = [];
  const reasoning: string[] = [];
  const calls: ChatToolCall[] = [];
  for (const block of blocks) {
    if (block.type === 'text' && typeof (block as TextBlock).text === 'string') {
      if ((block as TextBlock).text) texts.push((block as TextBlock).text);
    } else if (block.type === 'tool_use') {
      const use = block as ToolUseBlock;
      const { id, signature } = splitToolUseId(use.id);
      const call: ChatToolCall = { id, type: 'function', function: { name: toolNames.shorten(use.name), arguments: JSON.stringify(use.input ?? {}) } };
      if (compat.thoughtSignatures && signature) call.extra_content = { google: { thought_signature: signature } };
      calls.push(call);
    } else if (block.type === 'thinking' && typeof (block as { thinking?: unknown }).thinking === 'string') {
      reasoning.push((block as { thinking: string }).thinking);
    }
    // redacted_thinking and server-tool blocks have no OpenAI counterpart.
  }
  if (texts.length === 0 && calls.length === 0 && reasoning.length === 0) return null;
  // Gemini 3 validates the first call of each step: one that never had a signature (another
  // model answered it) gets the documented placeholder; parallel calls carry one on the first only.
  if (compat.thoughtSignatures && calls.length > 0 && !calls.some((call) => call.extra_content)) {
    calls[0]!.extra_content = { google: { thought_signature: SKIP_THOUGHT_SIGNATURE } };
  }
  const message: ChatMessage = { role: 'assistant', content: texts.length > 0 ? texts.join('\n\n') : calls.length > 0 ? null : '' };
  if (calls.length > 0) message.tool_calls = calls;
  if (compat.replayReasoning && reasoning.length > 0) message.reasoning_content = reasoning.join('\n\n');
  return message;
}

export function userParts(block: ContentBlock | OtherBlock, compat: Compat): ChatContentPart[] {
  switch (block.type) {
    case 'text':
      return typeof (block as TextBlock).text === 'string' ? [{ type: 'text', text: (block as TextBlock).text }] : [];
    case 'image':
      return [imagePart(block as ImageBlock)];
    case 'document':
      return documentParts(block as DocumentBlock, compat);
    case 'search_result': {
      const result = block as { title?: string; source?: string; content?: Array<{ text?: string }> };
      const text = (result.content ?? []).map((item) => item.text ?? '').join('\n');
      return [{ type: 'text', text: `[search result: ${result.title ?? ''} (${result.source ?? ''})]\n${text}` }];
    }
    default:
      // thinking, tool_use and server-tool blocks in a user turn have no meaning for the target
      return [];
  }
}

function imagePart(image: ImageBlock): ChatContentPart {
  const source = image.source;
  if (source?.type === 'base64') return { type: 'image_url', image_url: { url: `data:${source.media_type};base64,${source.data}` } };
  if (source?.type === 'url') return { type: 'image_url', image_url: { url: source.url } };
  return {
    type: 'text',
    text: `[image ${source && 'file_id' in source ? source.file_id : ''} omitted: Anthropic file references cannot be sent to this model]`,
  };
}

function documentParts(document: DocumentBlock, compat: Compat): ChatContentPart[] {
  const source = document.source;
  const title = document.title ? `${document.title}\n` : '';
  switch (source?.type) {
    case 'text':
      return [{ type: 'text', text: `${title}${source.data}` }];
    case 'content':
      if (typeof source.content === 'string') return [{ type: 'text', text: `${title}${source.content}` }];
      return source.content.flatMap((block) => (block.type === 'image' ? [imagePart(block)] : [{ type: 'text' as const, text: block.text }]));
    case 'base64':
      if (compat.pdf && source.media_type === 'application/pdf') {
        return [{ type: 'file', file: { filename: document.title ?? 'document.pdf', file_data: `data:application/pdf;base64,${source.data}` } }];
      }
      return [{ type: 'text', text: `[document ${quoted(document.title)}(${source.media_type}) omitted: the target model cannot read this document type]` }];
    case 'url':
      return [{ type: 'text', text: `[document ${quoted(document.title)}at ${source.url} omitted: the target model cannot fetch documents]` }];
    default:
      return [{ type: 'text', text: `[document ${quoted(document.title)}omitted: the target model cannot read it]` }];
  }
}

function quoted(title: string | undefined): string {
  return title ? `"${title}" ` : '';
}

/** A tool result as the text of a `tool` message; images are moved out to `movedImages`. */
export function toolResultText(result: ToolResultBlock, compat: Compat, movedImages: ChatContentPart[]): string {
  let text: string;
  if (typeof result.content === 'string') text = result.content;
  else if (Array.isArray(result.content)) {
    const pieces: string[] = [];
    for (const block of result.content) {
      if (block.type === 'text' && typeof block.text === 'string') pieces.push(block.text);
      else if (block.type === 'image') {
        movedImages.push(imagePart(block as ImageBlock));
        pieces.push('[image: attached in the next user message]');
      } else if (block.type === 'document') {
        for (const part of documentParts(block as DocumentBlock, compat)) {
          if (part.type === 'text') pieces.push(part.text);
          else movedImages.push(part);
        }
      } else if (block.type === 'tool_reference') pieces.push(`[tool reference: ${String((block as { tool_name?: unknown }).tool_name ?? '')}]`);
      else pieces.push(...userParts(block as OtherBlock, compat).flatMap((part) => (part.type === 'text' ? [part.text] : [])));
    }
    text = pieces.join('\n');
  } else text = '';
  return result.is_error ? `Error: ${text}` : text;
}

/** Server and Anthropic-defined tools (web_search_20250305, bash_20250124, …) have a dated type and no schema to send. */
export function isClientTool(tool: Tool): boolean {
  return !tool.type || tool.type === 'custom' || tool.input_schema !== undefined;
}

function toChatTool(tool: Tool, compat: Compat, toolNames: ToolNames): ChatTool {
  const fn: ChatTool['function'] = { name: toolNames.shorten(tool.name) };
  if (tool.description) fn.description = tool.description;
  fn.parameters = cleanSchema(tool.input_schema ?? { type: 'object', properties: {} }, compat.schema);
  return { type: 'function', function: fn };
}

function toChatToolChoice(choice: NonNullable<MessagesRequest['tool_choice']>, toolNames: ToolNames): ChatToolChoice {
  switch (choice.type) {
    case 'any':
      return 'required';
    case 'none':
      return 'none';
    case 'tool':
      return { type: 'function', function: { name: toolNames.shorten(choice.name) } };
    default:
      return 'auto';
  }
}

/** Anthropic's thinking request as an effort level, or null when thinking is off. */
export function thinkingEffort(request: MessagesRequest): 'low' | 'medium' | 'high' | null {
  const thinking = request.thinking;
  if (!thinking || thinking.type === 'disabled') return null;
  if (thinking.type === 'enabled') {
    const budget = thinking.budget_tokens;
    return budget < 4096 ? 'low' : budget < 16384 ? 'medium' : 'high';
  }
  if (thinking.type === 'adaptive') {
    const effort = request.output_config?.effort;
    if (effort === 'low' || effort === 'medium' || effort === 'high') return effort;
    if (effort === 'xhigh' || effort === 'max') return 'high';
    return 'medium';
  }
  return null;
}

function reasoningParams(request: MessagesRequest, target: TranslationTarget): Partial<ChatCompletionRequest> {
  const { compat } = target;
  const effort = thinkingEffort(request);
  if (!effort || compat.reasoning === 'none' || !compat.reasoningModels.test(target.model)) return {};
  switch (compat.reasoning) {
    case 'reasoning_effort':
      return { reasoning_effort: effort };
    case 'openrouter':
      return request.thinking?.type === 'enabled' ? { reasoning: { max_tokens: request.thinking.budget_tokens } } : { reasoning: { effort } };
    case 'deepseek':
      return { thinking: { type: 'enabled' } };
  }
}
