import type { Target } from '../../config/routes';

/**
 * What an OpenAI-compatible target accepts. Supporting a new provider's quirk is a data change
 * here, not a new code path.
 */
export interface Compat {
  name: CompatName;
  /** Which field carries the output cap: OpenAI's reasoning models reject `max_tokens`. */
  maxTokensField: 'max_tokens' | 'max_completion_tokens';
  /** How thinking is requested. */
  reasoning: ReasoningStyle;
  /** Models that accept the reasoning parameter; others get none (OpenAI 400s on it for gpt-4o). */
  reasoningModels: RegExp;
  /** Send prior thinking back as `reasoning_content` on assistant turns (DeepSeek requires it with tools). */
  replayReasoning: boolean;
  /** Where a `role: "system"` item inside `messages` goes: many chat templates allow one leading system message only. */
  midConversationSystem: 'system' | 'user';
  /** Accepts PDF documents as `file` parts. */
  pdf: boolean;
  /** Tool JSON schemas: passed as is, or cleaned of keywords the target rejects. */
  schema: 'keep' | 'strict-subset';
  /** Most stop sequences the target takes. */
  maxStop: number;
  /** Send `prompt_cache_key` (the Claude Code session) so a session's turns share the prompt cache. */
  promptCacheKey: boolean;
  /** Models that take Claude's `cache_control` markers on content parts (OpenRouter passes them to Anthropic). */
  cacheControlModels: RegExp | null;
  /** Function calls carry thought signatures that must come back (Gemini 3). */
  thoughtSignatures: boolean;
}

export type CompatName = 'openai' | 'openrouter' | 'deepseek' | 'gemini' | 'groq' | 'generic';
export type ReasoningStyle = 'reasoning_effort' | 'openrouter' | 'deepseek' | 'none';

const ANY = /./;

export const COMPAT: Record<CompatName, Compat> = {
  openai: {
    name: 'openai',
    maxTokensField: 'max_completion_tokens',
    reasoning: 'reasoning_effort',
    reasoningModels: /^(o\d|gpt-5|gpt-oss|codex)/i,
    replayReasoning: false,
    midConversationSystem: 'system',
    pdf: true,
    schema: 'keep',
    maxStop: 4,
    promptCacheKey: true,
    cacheControlModels: null,
    thoughtSignatures: false,
  },
  openrouter: {
    name: 'openrouter',
    maxTokensField: 'max_tokens',
    reasoning: 'openrouter',
    reasoningModels: ANY,
    replayReasoning: false,
    midConversationSystem: 'system',
    pdf: true,
    schema: 'keep',
    maxStop: 4,
    promptCacheKey: false,
    cacheControlModels: /^anthropic\//i,
    thoughtSignatures: false,
  },
  deepseek: {
    name: 'deepseek',
    maxTokensField: 'max_tokens',
    reasoning: 'deepseek',
    reasoningModels: ANY,
    replayReasoning: true,
    midConversationSystem: 'user',
    pdf: false,
    schema: 'keep',
    maxStop: 16,
    promptCacheKey: false,
    cacheControlModels: null,
    thoughtSignatures: false,
  },
  gemini: {
    name: 'gemini',
    maxTokensField: 'max_tokens',
    reasoning: 'reasoning_effort',
    reasoningModels: /gemini-(2\.5|[3-9])/i,
    replayReasoning: false,
    midConversationSystem: 'user',
    pdf: false,
    schema: 'strict-subset',
    maxStop: 5,
    promptCacheKey: false,
    cacheControlModels: null,
    thoughtSignatures: true,
  },
  groq: {
    name: 'groq',
    maxTokensField: 'max_completion_tokens',
    reasoning: 'reasoning_effort',
    reasoningModels: /(qwen3|gpt-oss)/i,
    replayReasoning: false,
    midConversationSystem: 'user',
    pdf: false,
    schema: 'keep',
    maxStop: 4,
    promptCacheKey: false,
    cacheControlModels: null,
    thoughtSignatures: false,
  },
  /**
   * vLLM, Ollama, LM Studio, llama.cpp and other local or self-hosted servers. Thinking is asked
   * for with `reasoning_effort`; a server that refuses it gets the request again without it.
   */
  generic: {
    name: 'generic',
    maxTokensField: 'max_tokens',
    reasoning: 'reasoning_effort',
    reasoningModels: ANY,
    replayReasoning: false,
    midConversationSystem: 'user',
    pdf: false,
    schema: 'keep',
    maxStop: 4,
    promptCacheKey: false,
    cacheControlModels: null,
    thoughtSignatures: false,
  },
};

const HOSTS: [RegExp, CompatName][] = [
  [/(^|\.)openai\.com$/, 'openai'],
  [/(^|\.)openrouter\.ai$/, 'openrouter'],
  [/(^|\.)deepseek\.com$/, 'deepseek'],
  [/^generativelanguage\.googleapis\.com$/, 'gemini'],
  [/(^|\.)groq\.com$/, 'groq'],
];

/** The route's compat profile: named by `compat`, else recognised from the base URL's host; overrides applied. */
export function compatFor(route: Pick<Target, 'baseUrl' | 'compat' | 'reasoning' | 'maxTokensField'>): Compat {
  let name = route.compat;
  if (!name) {
    const host = new URL(route.baseUrl).hostname.toLowerCase();
    name = HOSTS.find(([pattern]) => pattern.test(host))?.[1] ?? 'generic';
  }
  const base = COMPAT[name];
  if (!route.reasoning && !route.maxTokensField) return base;
  return {
    ...base,
    ...(route.reasoning ? { reasoning: route.reasoning, reasoningModels: ANY } : {}),
    ...(route.maxTokensField ? { maxTokensField: route.maxTokensField } : {}),
  };
}
