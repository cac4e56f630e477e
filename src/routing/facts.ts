import { estimateRequestTokens } from '../protocol/tokens';
import type { MessagesRequest } from '../protocol/types';

/** Claude Code names the subagent a request comes from in this header (the main agent sends none). */
export const SUBAGENT_HEADER = 'x-claude-code-agent-id';

/** What routing may ask about a request. Everything is cheap except `inputTokens`, which is worked out on first use. */
export interface RequestFacts {
  model: string;
  /** The request enables thinking (`enabled` or `adaptive`). */
  thinking: boolean;
  /** The request carries a web search server tool (`web_search_*`). */
  webSearch: boolean;
  /** The request comes from a Claude Code subagent. */
  subagent: boolean;
  headers: Headers;
  /** The name of the proxy key the client presented. */
  keyName: string | null;
  /** Claude Code's session id: what keeps a session on one target. */
  sessionId: string | null;
  /** Estimated input tokens (the count_tokens estimate), computed at most once. */
  inputTokens(): number;
}

/**
 * The facts of a parsed (not yet validated) request body: every read is defensive, since routing
 * comes before validation (the route decides how strictly the body is checked).
 */
export function requestFacts(body: MessagesRequest, headers: Headers, keyName: string | null, sessionId: string | null): RequestFacts {
  const thinking = body.thinking as { type?: unknown } | null | undefined;
  let tokens: number | undefined;
  return {
    model: body.model,
    thinking: typeof thinking === 'object' && thinking !== null && (thinking.type === 'enabled' || thinking.type === 'adaptive'),
    webSearch: Array.isArray(body.tools) && body.tools.some(isWebSearchTool),
    subagent: headers.has(SUBAGENT_HEADER),
    headers,
    keyName,
    sessionId,
    inputTokens: () => {
      tokens ??= estimateRequestTokens(body);
      return tokens;
    },
  };
}

/** Anthropic's web search server tool (`web_search_20250305`, `web_search_20260209`, …), not a client tool named like it. */
function isWebSearchTool(tool: unknown): boolean {
  const type = (tool as { type?: unknown } | null)?.type;
  return typeof type === 'string' && type.startsWith('web_search_');
}
