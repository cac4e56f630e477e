import type { MessageResponse, ResponseBlock, StopReason, Usage, WebSearchResult } from '../../protocol/types';
import { type AnswerContext, messageId, newToolUseId, parseToolArguments } from '../openai/response';
import { encodeReasoningSignature } from './signature';
import type { ResponsesOutputItem, ResponsesResponse, ResponsesUsage, WebSearchSource } from './types';

export interface ResponsesAnswerContext extends AnswerContext {
  /** The target model: reasoning signatures name it, so they are replayed only to it. */
  targetModel: string;
}

/** The name Anthropic's web search server tool has in `server_tool_use` blocks. */
export const WEB_SEARCH_TOOL = 'web_search';

/** Responses API answer → Anthropic message. Pure; never throws on a 200 body of any shape. */
export function fromResponsesResponse(response: ResponsesResponse, context: ResponsesAnswerContext): MessageResponse {
  const content: ResponseBlock[] = [];
  let refused = false;
  for (const item of response.output ?? []) {
    if (item.type === 'message' && messageRefused(item)) refused = true;
    content.push(...itemBlocks(item, context));
  }
  return {
    id: messageId(response.id),
    type: 'message',
    role: 'assistant',
    model: context.requestedModel,
    content,
    stop_reason: stopReason(
      response,
      content.some((block) => block.type === 'tool_use'),
      refused,
    ),
    stop_sequence: null,
    usage: mapResponsesUsage(response.usage),
  };
}

/** The Anthropic blocks one finished output item becomes (none for items with no counterpart). */
export function itemBlocks(item: ResponsesOutputItem, context: ResponsesAnswerContext): ResponseBlock[] {
  switch (item.type) {
    case 'reasoning': {
      const reasoning = item as Extract<ResponsesOutputItem, { type: 'reasoning' }>;
      const thinking = summaryText(reasoning.summary);
      const signature = reasoningSignature(reasoning, context.targetModel);
      return thinking || signature ? [{ type: 'thinking', thinking, signature }] : [];
    }
    case 'message': {
      const text = messageText(item as Extract<ResponsesOutputItem, { type: 'message' }>);
      return text ? [{ type: 'text', text }] : [];
    }
    case 'function_call': {
      const call = item as Extract<ResponsesOutputItem, { type: 'function_call' }>;
      return [
        {
          type: 'tool_use',
          id: toolUseId(call.call_id),
          name: context.toolNames.restore(call.name ?? 'unknown_tool'),
          input: parseToolArguments(call.arguments ?? ''),
        },
      ];
    }
    case 'web_search_call':
      return webSearchBlocks(item as Extract<ResponsesOutputItem, { type: 'web_search_call' }>);
    default:
      return [];
  }
}

/** Reasoning summaries, one paragraph each. */
export function summaryText(summary: Array<{ text?: string }> | undefined): string {
  return (summary ?? [])
    .map((part) => (typeof part?.text === 'string' ? part.text : ''))
    .filter(Boolean)
    .join('\n\n');
}

/** The thinking block's signature for a reasoning item: empty when there is nothing to replay. */
export function reasoningSignature(item: { id?: string; encrypted_content?: string | null }, model: string): string {
  if (typeof item.id !== 'string' || !item.id || typeof item.encrypted_content !== 'string' || !item.encrypted_content) return '';
  return encodeReasoningSignature({ id: item.id, encryptedContent: item.encrypted_content, model });
}

function messageText(item: Extract<ResponsesOutputItem, { type: 'message' }>): string {
  return (item.content ?? []).map((part) => (part?.type === 'refusal' ? (part.refusal ?? '') : typeof part?.text === 'string' ? part.text : '')).join('');
}

function messageRefused(item: ResponsesOutputItem): boolean {
  const content = (item as Extract<ResponsesOutputItem, { type: 'message' }>).content;
  return Array.isArray(content) && content.some((part) => part?.type === 'refusal');
}

/** Anthropic tool_use ids allow [A-Za-z0-9_-]: other characters in a call id are replaced. */
export function toolUseId(callId: string | undefined): string {
  if (!callId) return newToolUseId();
  return callId.replace(/[^A-Za-z0-9_-]/g, '_');
}

/**
 * A finished web search as Anthropic's server-tool blocks: the query as `server_tool_use`, the
 * pages it found as `web_search_tool_result` (what Claude Code's WebSearch tool reads).
 */
export function webSearchBlocks(item: Extract<ResponsesOutputItem, { type: 'web_search_call' }>): ResponseBlock[] {
  const id = `srvtoolu_${(item.id ?? newToolUseId()).replace(/[^A-Za-z0-9_-]/g, '_')}`;
  const query = typeof item.action?.query === 'string' ? item.action.query : '';
  const results: WebSearchResult[] = (item.action?.sources ?? [])
    .filter((source): source is WebSearchSource & { url: string } => typeof source?.url === 'string' && source.url !== '')
    .map((source) => ({ type: 'web_search_result', url: source.url, title: source.title || source.url, encrypted_content: '', page_age: null }));
  return [
    { type: 'server_tool_use', id, name: WEB_SEARCH_TOOL, input: { query } },
    { type: 'web_search_tool_result', tool_use_id: id, content: results },
  ];
}

/** completed → end_turn (tool_use with calls); incomplete for max_output_tokens → max_tokens; a refusal → refusal. */
export function stopReason(response: Pick<ResponsesResponse, 'status' | 'incomplete_details'>, sawToolCalls: boolean, refused = false): StopReason {
  if (response.status === 'incomplete') {
    const reason = response.incomplete_details?.reason;
    if (reason === 'content_filter') return 'refusal';
    return 'max_tokens';
  }
  if (sawToolCalls) return 'tool_use';
  return refused ? 'refusal' : 'end_turn';
}

/** Responses usage → Anthropic usage: `input_tokens` includes the cached part, Anthropic's does not. */
export function mapResponsesUsage(usage: ResponsesUsage | null | undefined): Usage {
  const input = numberOr(usage?.input_tokens, 0);
  const cached = Math.min(input, numberOr(usage?.input_tokens_details?.cached_tokens, 0));
  return {
    input_tokens: input - cached,
    output_tokens: numberOr(usage?.output_tokens, 0),
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: cached,
  };
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}
