/** OpenAI's Responses API (`POST /v1/responses`), as far as the proxy writes and reads it. */

export type ResponsesContentPart =
  | { type: 'input_text'; text: string }
  | { type: 'input_image'; image_url: string; detail: 'auto' }
  | { type: 'input_file'; filename: string; file_data: string }
  | { type: 'output_text'; text: string };

export interface ReasoningSummary {
  type: 'summary_text';
  text: string;
}

export type ResponsesInputItem =
  | { type: 'message'; role: 'user' | 'assistant' | 'system' | 'developer'; content: string | ResponsesContentPart[] }
  | { type: 'function_call'; call_id: string; name: string; arguments: string }
  | { type: 'function_call_output'; call_id: string; output: string }
  | { type: 'reasoning'; id: string; encrypted_content: string; summary: ReasoningSummary[] };

export type ResponsesTool =
  | { type: 'function'; name: string; description?: string; parameters: Record<string, unknown>; strict: boolean }
  | { type: 'web_search'; filters?: { allowed_domains: string[] } };

export type ResponsesToolChoice = 'auto' | 'none' | 'required' | { type: 'function'; name: string } | { type: 'web_search' };

export type ReasoningEffort = 'low' | 'medium' | 'high';

export interface ResponsesRequest {
  model: string;
  instructions?: string;
  input: ResponsesInputItem[];
  tools?: ResponsesTool[];
  tool_choice?: ResponsesToolChoice;
  parallel_tool_calls?: boolean;
  max_output_tokens?: number;
  reasoning?: { effort: ReasoningEffort; summary: 'auto' };
  text?: { format: { type: 'json_schema'; name: string; schema: unknown; strict: boolean } };
  store: boolean;
  include?: string[];
  prompt_cache_key?: string;
  stream?: boolean;
  temperature?: number;
  top_p?: number;
}

export interface ResponsesUsage {
  input_tokens?: number;
  input_tokens_details?: { cached_tokens?: number | null } | null;
  output_tokens?: number;
  output_tokens_details?: { reasoning_tokens?: number | null } | null;
  total_tokens?: number;
}

export interface WebSearchSource {
  type?: string;
  url?: string;
  title?: string;
}

export type ResponsesOutputItem =
  | { type: 'reasoning'; id?: string; summary?: Array<{ type?: string; text?: string }>; encrypted_content?: string | null }
  | {
      type: 'message';
      id?: string;
      role?: string;
      content?: Array<{ type?: string; text?: string; refusal?: string; annotations?: Array<{ type?: string; url?: string; title?: string }> }>;
    }
  | { type: 'function_call'; id?: string; call_id?: string; name?: string; arguments?: string }
  | { type: 'web_search_call'; id?: string; status?: string; action?: { type?: string; query?: string; sources?: WebSearchSource[] } }
  | { type: string; id?: string; [key: string]: unknown };

export interface ResponsesError {
  code?: string | null;
  message?: string | null;
  type?: string | null;
}

/** A Responses API answer: the body of a non-streamed call, or the `response` of `response.completed`. */
export interface ResponsesResponse {
  id?: string;
  object?: string;
  model?: string;
  status?: 'completed' | 'incomplete' | 'failed' | 'in_progress' | 'cancelled' | 'queued' | string;
  incomplete_details?: { reason?: string } | null;
  error?: ResponsesError | null;
  output?: ResponsesOutputItem[];
  usage?: ResponsesUsage | null;
}

/** One server-sent event of a streamed response (`event:` repeats `type`). */
export interface ResponsesStreamEvent {
  type: string;
  sequence_number?: number;
  response?: ResponsesResponse;
  output_index?: number;
  item_id?: string;
  item?: ResponsesOutputItem;
  content_index?: number;
  summary_index?: number;
  delta?: string;
  arguments?: string;
  /** `error` events carry these at the top level. */
  code?: string | null;
  message?: string | null;
  error?: ResponsesError | null;
}
