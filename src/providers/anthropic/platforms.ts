import { type AnthropicErrorType, clientStatusFor, ERROR_STATUS, errorTypeForStatus, ProxyError } from '../../core/errors';
import type { ContentBlock, Message, MessagesRequest, OtherBlock, TextBlock } from '../../protocol/types';
import { contextOverflow } from '../openai/errors';

/**
 * Anthropic's Messages API as the cloud platforms (Bedrock, Vertex AI) serve it: the same
 * request and answer, minus what a platform does not take. A platform answers 400 to a field or a
 * beta flag it does not know ("Extra inputs are not permitted", "invalid beta flag"), and Claude
 * Code sends many of both, so each platform has a policy: what passes, what is dropped, what is
 * refused with a clear error.
 */
export interface PlatformPolicy {
  /** The platform's name, for error messages. */
  name: string;
  /**
   * Top-level request fields passed on. Others are dropped: a platform refuses fields it does not
   * know, and Claude Code sends Anthropic API ones (`speed`, `diagnostics`) every month.
   */
  kept: ReadonlySet<string>;
  /** Top-level fields refused with a 400: features the platform lacks, whose loss would change the answer. */
  refused: Readonly<Record<string, string>>;
  /** `context_management` edit types the platform takes; others are removed (and the field, if none is left). */
  contextEdits: ReadonlySet<string> | null;
  /** `anthropic-beta` values the platform takes, each mapped to its name there (usually the same). */
  betas: Readonly<Record<string, string>>;
}

/**
 * The Messages API's documented request fields that both platforms take (besides `model` and
 * `stream`, which each places its own way). Anything else is an Anthropic API feature or newer
 * than the platforms: dropped.
 */
export const PLATFORM_FIELDS = [
  'messages',
  'max_tokens',
  'system',
  'stop_sequences',
  'temperature',
  'top_p',
  'top_k',
  'tools',
  'tool_choice',
  'thinking',
  'metadata',
  'output_config',
  'context_management',
] as const;

/** Features neither platform offers, whose silent loss would change the answer: refused with a 400. */
export function platformRefusals(platform: string): Record<string, string> {
  return {
    mcp_servers: `the MCP connector is not available on ${platform}; remove it, or route this model to Anthropic`,
    container: `code execution containers and Agent Skills are not available on ${platform}; remove it, or route this model to Anthropic`,
  };
}

/** A request body for a platform, and the top-level fields left out of it. */
export interface ShapedBody {
  body: Record<string, unknown>;
  droppedFields: string[];
}

/**
 * The client's request as the platform takes it. Nothing of the request is changed in place: a
 * fallback to another provider gets it as the client sent it.
 */
export function shapeBody(request: MessagesRequest, policy: PlatformPolicy, options: { cacheTtl: boolean }): ShapedBody {
  const body: Record<string, unknown> = {};
  const droppedFields: string[] = [];
  for (const [field, value] of Object.entries(request)) {
    if (field in policy.refused) throw new ProxyError('invalid_request_error', `${field}: ${policy.refused[field]}`);
    if (!policy.kept.has(field)) {
      droppedFields.push(field);
      continue;
    }
    body[field] = value;
  }
  const cacheFix = (block: unknown) => withPlatformCacheControl(block, options.cacheTtl);
  if (Array.isArray(body.system)) body.system = mapChanged(body.system, cacheFix);
  if (Array.isArray(body.tools)) body.tools = mapChanged(body.tools, cacheFix);
  if (Array.isArray(body.messages)) {
    body.messages = mapChanged(foldSystemMessages(body.messages), (message) => {
      const content = (message as { content?: unknown }).content;
      if (!Array.isArray(content)) return message;
      const fixed = mapChanged(content, (block) => {
        const outer = cacheFix(block) as { type?: unknown; content?: unknown };
        // tool results carry blocks of their own
        if (outer?.type === 'tool_result' && Array.isArray(outer.content)) {
          const inner = mapChanged(outer.content, cacheFix);
          return inner === outer.content ? outer : { ...outer, content: inner };
        }
        return outer;
      });
      return fixed === content ? message : { ...(message as object), content: fixed };
    });
  }
  if (body.context_management !== undefined && policy.contextEdits) {
    const management = body.context_management as { edits?: unknown };
    const edits = Array.isArray(management?.edits) ? management.edits.filter((edit) => policy.contextEdits!.has((edit as { type?: string })?.type ?? '')) : [];
    if (edits.length === 0) {
      delete body.context_management;
      droppedFields.push('context_management');
    } else if (edits.length !== (management.edits as unknown[]).length) {
      body.context_management = { ...management, edits };
    }
  }
  return { body, droppedFields };
}

/**
 * `cache_control` as the platforms take it: no `scope` (an Anthropic API feature), and `ttl` only
 * where the model takes one. Returns the block itself when nothing changes.
 */
function withPlatformCacheControl(block: unknown, cacheTtl: boolean): unknown {
  const control = (block as { cache_control?: unknown } | null)?.cache_control;
  if (!control || typeof control !== 'object') return block;
  const { scope, ttl, ...rest } = control as { scope?: unknown; ttl?: unknown };
  if (scope === undefined && (ttl === undefined || cacheTtl)) return block;
  return { ...(block as object), cache_control: cacheTtl && ttl !== undefined ? { ...rest, ttl } : rest };
}

/**
 * Claude Code may put `role: "system"` turns mid-conversation (an Anthropic API beta the platforms
 * lack): each becomes a `<system-reminder>` text at the end of the user turn before it, else
 * after the tool results at the start of the user turn after it, else a user turn of its own.
 */
export function foldSystemMessages(messages: readonly unknown[]): unknown[] {
  if (!messages.some((message) => (message as Message)?.role === 'system')) return messages as unknown[];
  const out: Message[] = [];
  let pending: TextBlock[] = [];
  for (const item of messages) {
    const message = item as Message;
    if (message?.role === 'system') {
      const reminder: TextBlock = { type: 'text', text: `<system-reminder>\n${textOf(message.content)}\n</system-reminder>` };
      const last = out.at(-1);
      if (last?.role === 'user') out[out.length - 1] = { ...last, content: [...blocksOf(last.content), reminder] };
      else pending.push(reminder);
      continue;
    }
    if (message?.role === 'user' && pending.length > 0) {
      const blocks = blocksOf(message.content);
      const results = blocks.findIndex((block) => (block as { type?: string })?.type !== 'tool_result');
      const at = results < 0 ? blocks.length : results;
      out.push({ ...message, content: [...blocks.slice(0, at), ...pending, ...blocks.slice(at)] });
      pending = [];
      continue;
    }
    out.push(message);
  }
  if (pending.length > 0) out.push({ role: 'user', content: pending });
  return out;
}

function blocksOf(content: Message['content']): Array<ContentBlock | OtherBlock> {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return Array.isArray(content) ? content : [];
}

function textOf(content: Message['content']): string {
  return blocksOf(content)
    .map((block) => (block?.type === 'text' ? String((block as TextBlock).text ?? '') : ''))
    .filter(Boolean)
    .join('\n\n');
}

/** Maps an array, returning the same array when no element changed (no copy for the common case). */
function mapChanged<T>(items: T[], change: (item: T) => unknown): T[] {
  let out: T[] | null = null;
  for (let i = 0; i < items.length; i++) {
    const next = change(items[i]!) as T;
    if (next !== items[i] && !out) out = items.slice(0, i);
    out?.push(next);
  }
  return out ?? items;
}

/**
 * The client's `anthropic-beta` values the platform takes, renamed where it names them
 * differently, in the client's order without repeats. The rest are dropped: an unknown flag is a
 * 400 there.
 */
export function platformBetas(header: string | null, policy: PlatformPolicy): string[] {
  const out: string[] = [];
  for (const raw of (header ?? '').split(',')) {
    const mapped = policy.betas[raw.trim()];
    if (mapped && !out.includes(mapped)) out.push(mapped);
  }
  return out;
}

/**
 * `max_tokens` for a count_tokens body sent where the whole request shape is required (Bedrock's
 * CountTokens takes an InvokeModel body): count_tokens requests have none.
 */
export function countingMaxTokens(request: MessagesRequest): number {
  const asked = typeof request.max_tokens === 'number' && request.max_tokens > 0 ? request.max_tokens : 1;
  return request.thinking?.type === 'enabled' ? Math.max(asked, request.thinking.budget_tokens + 1) : asked;
}

/**
 * A platform's error before the answer → the Anthropic error a Claude client acts on: the type
 * the platform's own error kind means (else the status's), and context overflows worded the way
 * Claude Code recognises, so it compacts instead of failing.
 */
export function platformFailure(platform: string, status: number, type: AnthropicErrorType | null, message: string, promptEstimate: number): ProxyError {
  const overflow = /^prompt is too long|exceed context limit/i.test(message)
    ? message
    : contextOverflow(message, /input is too long|too many input tokens/i.test(message) ? 'context_length_exceeded' : '', promptEstimate);
  if (overflow && (type === null || type === 'invalid_request_error')) return new ProxyError('invalid_request_error', overflow, 400);
  const errorType = type ?? errorTypeForStatus(status);
  return new ProxyError(errorType, `${platform}: ${message || `HTTP ${status}`}`, type ? ERROR_STATUS[type] : clientStatusFor(status));
}
