import type { MessageResponse, ResponseBlock, StopReason, Usage } from '../../protocol/types';
import { thoughtSignatureOf, withThoughtSignature } from './thought-signatures';
import type { ToolNames } from './tool-names';
import type { ChatCompletion, ChatUsage } from './types';

export interface AnswerContext {
  /** The model id the client asked for: answers carry it, whatever served them. */
  requestedModel: string;
  toolNames: ToolNames;
  stopSequences?: readonly string[];
}

/** OpenAI chat completion → Anthropic message. Pure; never throws on a 200 body of any shape. */
export function fromOpenAIResponse(completion: ChatCompletion, context: AnswerContext): MessageResponse {
  const choice = completion.choices?.[0];
  const message = choice?.message ?? {};
  const content: ResponseBlock[] = [];

  const reasoning = message.reasoning_content ?? message.reasoning;
  if (typeof reasoning === 'string' && reasoning) content.push({ type: 'thinking', thinking: reasoning, signature: '' });

  const text = textOf(message.content) || (typeof message.refusal === 'string' ? message.refusal : '');
  if (text) content.push({ type: 'text', text });

  for (const call of message.tool_calls ?? []) {
    content.push({
      type: 'tool_use',
      id: withThoughtSignature(call.id != null && call.id !== '' ? String(call.id) : newToolUseId(), thoughtSignatureOf(call)),
      name: context.toolNames.restore(call.function?.name ?? 'unknown_tool'),
      input: parseToolArguments(call.function?.arguments ?? ''),
    });
  }

  const sawTools = content.some((block) => block.type === 'tool_use');
  const matched = matchedStopSequence(choice?.stop_reason, context.stopSequences);
  return {
    id: messageId(completion.id),
    type: 'message',
    role: 'assistant',
    model: context.requestedModel,
    content,
    stop_reason: mapStopReason(choice?.finish_reason ?? null, sawTools, matched),
    stop_sequence: matched,
    usage: mapUsage(completion.usage),
  };
}

function textOf(content: string | Array<{ type?: string; text?: string }> | null | undefined): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((part) => (typeof part?.text === 'string' ? part.text : '')).join('');
  return '';
}

export function messageId(upstreamId: string | undefined): string {
  return upstreamId ? `msg_${upstreamId}` : `msg_${randomId()}`;
}

export function newToolUseId(): string {
  return `toolu_${randomId()}`;
}

function randomId(): string {
  return crypto.randomUUID().replace(/-/g, '').slice(0, 24);
}

/** vLLM names the stop string that matched; OpenAI does not, so it stays `end_turn` there. */
export function matchedStopSequence(stopReason: unknown, stopSequences: readonly string[] | undefined): string | null {
  return typeof stopReason === 'string' && stopSequences?.includes(stopReason) ? stopReason : null;
}

/** finish_reason → stop_reason; a tool call in the answer always means `tool_use`. */
export function mapStopReason(finishReason: string | null, sawToolCalls: boolean, matchedStop: string | null = null): StopReason {
  if (sawToolCalls) return 'tool_use';
  switch (finishReason) {
    case 'length':
      return 'max_tokens';
    case 'content_filter':
      return 'refusal';
    case 'stop':
      return matchedStop ? 'stop_sequence' : 'end_turn';
    default:
      return 'end_turn';
  }
}

/**
 * OpenAI usage → Anthropic usage. `prompt_tokens` includes cached tokens (and, on OpenRouter,
 * the tokens written to Anthropic's cache) and Anthropic's `input_tokens` includes neither;
 * DeepSeek reports the cached part under its own name.
 */
export function mapUsage(usage: ChatUsage | null | undefined): Usage {
  const prompt = numberOr(usage?.prompt_tokens, 0);
  const cached = numberOr(usage?.prompt_tokens_details?.cached_tokens, numberOr(usage?.prompt_cache_hit_tokens, 0));
  const written = numberOr(usage?.prompt_tokens_details?.cache_write_tokens, 0);
  return {
    input_tokens: Math.max(0, prompt - cached - written),
    output_tokens: numberOr(usage?.completion_tokens, 0),
    cache_creation_input_tokens: written,
    cache_read_input_tokens: cached,
  };
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

/**
 * Tool arguments as an input object. Models send malformed JSON (cut short by max_tokens,
 * wrapped in a code fence): keep what can be kept rather than fail the answer.
 */
export function parseToolArguments(args: string): Record<string, unknown> {
  const text = args
    .trim()
    .replace(/^```(?:json)?\s*/i, '')
    .replace(/\s*```$/, '');
  if (!text) return {};
  const parsed = tryParse(text) ?? repairJson(text);
  return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Closes a JSON text that was cut off: the open string, then the open containers; drops a dangling key or comma. */
export function repairJson(text: string): unknown {
  let candidate = text;
  for (let attempt = 0; attempt < 8 && candidate; attempt++) {
    const closed = closeOpenJson(candidate);
    const parsed = tryParse(closed);
    if (parsed !== undefined) return parsed;
    // Cut back to the last separator outside a string and try again.
    const cut = lastSeparator(candidate);
    if (cut <= 0) return undefined;
    candidate = candidate.slice(0, cut);
  }
  return undefined;
}

function closeOpenJson(text: string): string {
  const stack: string[] = [];
  let inString = false;
  let escaped = false;
  for (const ch of text) {
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === '\\') escaped = true;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === '{' || ch === '[') stack.push(ch);
    else if (ch === '}' || ch === ']') stack.pop();
  }
  // A dangling backslash escapes nothing: drop it before closing the string.
  let out = escaped ? text.slice(0, -1) : text;
  if (inString) out += '"';
  out = out.replace(/[\s,:]+$/, '');
  for (let i = stack.length - 1; i >= 0; i--) out += stack[i] === '{' ? '}' : ']';
  return out;
}

function lastSeparator(text: string): number {
  let inString = false;
  let escaped = false;
  let last = -1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === '\\') escaped = true;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === ',') last = i;
  }
  return last;
}
