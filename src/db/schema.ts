import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** One try at one target, as recorded in `traces.attempts`. */
export interface Attempt {
  /** Where the target is configured: `ROUTES[0]`, `ROUTES[0].fallbacks[1]`. */
  target: string;
  provider: string;
  url: string;
  /** The upstream's HTTP status, or null when no answer came. */
  status: number | null;
  error: string | null;
  ms: number;
}

/**
 * One row per client request: what was asked, where it went, what came back.
 * Times are epoch milliseconds; token counts are Anthropic's (input excludes cache).
 */
export const traces = sqliteTable('traces', {
  /** Time-sortable id (ULID), also sent to the client as `x-trace-id`. */
  id: text('id').primaryKey(),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  /** `x-claude-code-session-id`, else the session named in `metadata.user_id`. */
  sessionId: text('session_id'),
  method: text('method').notNull(),
  path: text('path').notNull(),
  requestedModel: text('requested_model'),
  provider: text('provider'),
  targetModel: text('target_model'),
  targetUrl: text('target_url'),
  stream: integer('stream', { mode: 'boolean' }).notNull().default(false),
  /** HTTP status sent to the client. */
  status: integer('status'),
  errorType: text('error_type'),
  errorMessage: text('error_message'),
  /** How the response ended: complete | error | client_abort | upstream_error (broke, stalled or cut mid-answer). */
  endReason: text('end_reason'),
  /** Request headers as JSON, credentials redacted. */
  requestHeaders: text('request_headers', { mode: 'json' }).$type<Record<string, string>>(),
  requestBody: text('request_body'),
  requestBytes: integer('request_bytes'),
  requestBodyTruncated: integer('request_body_truncated', { mode: 'boolean' }).notNull().default(false),
  /** The request as sent to the target, when the proxy translated it (openai routes). */
  upstreamRequestBody: text('upstream_request_body'),
  upstreamRequestBodyTruncated: integer('upstream_request_body_truncated', { mode: 'boolean' }).notNull().default(false),
  /** The Anthropic response; for streams, the final message reassembled from the events. */
  responseBody: text('response_body'),
  responseBytes: integer('response_bytes'),
  responseBodyTruncated: integer('response_body_truncated', { mode: 'boolean' }).notNull().default(false),
  stopReason: text('stop_reason'),
  inputTokens: integer('input_tokens'),
  outputTokens: integer('output_tokens'),
  cacheReadInputTokens: integer('cache_read_input_tokens'),
  cacheCreationInputTokens: integer('cache_creation_input_tokens'),
  /** Milliseconds from the request's arrival to the first byte of the upstream body. */
  ttftMs: integer('ttft_ms'),
  /** Milliseconds from the request's arrival to the last byte sent (or the disconnect). */
  durationMs: integer('duration_ms'),
  clientIp: text('client_ip'),
  userAgent: text('user_agent'),
  /** Name of the proxy key the client used (PROXY_API_KEYS `name:key`), never the key. */
  apiKeyName: text('api_key_name'),
  /** Every try at every target, in order: retries and fallbacks. */
  attempts: text('attempts', { mode: 'json' }).$type<Attempt[]>(),
});

export type Trace = typeof traces.$inferSelect;
export type NewTrace = typeof traces.$inferInsert;
