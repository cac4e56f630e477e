/** OpenAI Chat Completions, as far as the proxy writes and reads it (wire-spec §5). */

/** Claude's cache marker, passed on where the target forwards it to Anthropic (OpenRouter). */
export interface ChatCacheControl {
  cache_control?: { type: 'ephemeral'; ttl?: string };
}

export type ChatTextPart = { type: 'text'; text: string } & ChatCacheControl;

export type ChatContentPart =
  | ChatTextPart
  | { type: 'image_url'; image_url: { url: string; detail?: string } }
  | { type: 'file'; file: { filename?: string; file_data?: string; file_id?: string } };

/** Gemini's thought signature on a function call. */
export interface ChatExtraContent {
  google?: { thought_signature?: string } | null;
}

export interface ChatToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
  extra_content?: ChatExtraContent;
}

export type ChatMessage =
  | { role: 'system' | 'developer'; content: string | ChatTextPart[] }
  | { role: 'user'; content: string | ChatContentPart[] }
  | { role: 'assistant'; content: string | null; tool_calls?: ChatToolCall[]; reasoning_content?: string }
  | { role: 'tool'; tool_call_id: string; content: string | ChatTextPart[] };

export interface ChatTool {
  type: 'function';
  function: { name: string; description?: string; parameters?: Record<string, unknown> };
}

export type ChatToolChoice = 'auto' | 'none' | 'required' | { type: 'function'; function: { name: string } };

export interface ChatCompletionRequest {
  model: string;
  messages: ChatMessage[];
  max_tokens?: number;
  max_completion_tokens?: number;
  stream?: boolean;
  stream_options?: { include_usage: boolean };
  stop?: string[];
  temperature?: number;
  top_p?: number;
  tools?: ChatTool[];
  tool_choice?: ChatToolChoice;
  parallel_tool_calls?: boolean;
  reasoning_effort?: string;
  reasoning?: { effort?: string; max_tokens?: number };
  thinking?: { type: 'enabled' | 'disabled' };
  response_format?: { type: 'json_schema'; json_schema: { name: string; schema: unknown } };
  prompt_cache_key?: string;
}

export interface ChatUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number | null; cache_write_tokens?: number | null } | null;
  completion_tokens_details?: { reasoning_tokens?: number | null } | null;
  /** DeepSeek's names for cached and uncached prompt tokens. */
  prompt_cache_hit_tokens?: number;
  prompt_cache_miss_tokens?: number;
}

export interface ChatToolCallFragment {
  index?: number;
  id?: string | number | null;
  type?: string;
  function?: { name?: string | null; arguments?: string | null };
  extra_content?: ChatExtraContent | null;
}

export interface ChatCompletion {
  id?: string;
  model?: string;
  choices?: Array<{
    index?: number;
    message?: {
      role?: string;
      content?: string | Array<{ type?: string; text?: string }> | null;
      refusal?: string | null;
      reasoning_content?: string | null;
      reasoning?: string | null;
      tool_calls?: ChatToolCallFragment[] | null;
    };
    finish_reason?: string | null;
    /** vLLM: the stop string that matched. */
    stop_reason?: string | number | null;
  }>;
  usage?: ChatUsage | null;
  error?: unknown;
}

export interface ChatCompletionChunk {
  id?: string;
  model?: string;
  choices?: Array<{
    index?: number;
    delta?: {
      role?: string;
      content?: string | null;
      refusal?: string | null;
      reasoning_content?: string | null;
      reasoning?: string | null;
      tool_calls?: ChatToolCallFragment[] | null;
    } | null;
    finish_reason?: string | null;
    stop_reason?: string | number | null;
  }>;
  usage?: ChatUsage | null;
  /** Mid-stream failures arrive as a frame holding an error object. */
  error?: { message?: string; type?: string; code?: string | number } | null;
}
