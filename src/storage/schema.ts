import { relations, sql } from 'drizzle-orm';
import { index, integer, primaryKey, real, sqliteTable, sqliteView, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { CLIENT_ABORT } from '../core/errors';
import type { Attempt } from '../upstream/types';

export type { Attempt };

/**
 * One row per client request: what was asked, where it went, what came back.
 * Times are epoch milliseconds; token counts are Anthropic's (input excludes cache).
 */
export const traces = sqliteTable(
  'traces',
  {
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
    /** The route that served the request: its `name` in ROUTES, else `ROUTES[i]`. */
    routeName: text('route_name'),
    /** Why: the match, the `when` conditions that held (`minInputTokens 71234 ≥ 60000`), the weighted choice (`weight 3/4, session affinity`). */
    routeReason: text('route_reason'),
    /** Every try at every target, in order: retries, key pool moves and fallbacks; each names its key by secret name. */
    attempts: text('attempts', { mode: 'json' }).$type<Attempt[]>(),
    upstreamRequestBytes: integer('upstream_request_bytes'),
    /** Bodies kept in R2 (BODIES_BUCKET) instead of here: their object keys; the column above is then null. */
    requestBodyR2Key: text('request_body_r2_key'),
    upstreamRequestBodyR2Key: text('upstream_request_body_r2_key'),
    responseBodyR2Key: text('response_body_r2_key'),
    /** What the request cost, in millionths of a dollar; null when the model has no price. */
    costMicros: integer('cost_micros'),
    /** The model_prices row the cost was computed with. */
    priceId: integer('price_id'),
  },
  (table) => [index('traces_session_idx').on(table.sessionId, table.id)],
);

export type Trace = typeof traces.$inferSelect;
export type NewTrace = typeof traces.$inferInsert;

/**
 * One row per Claude Code session (`x-claude-code-session-id`), written once, when its first
 * trace is: what Drizzle Studio links traces to. Totals are in the session_summary view.
 */
export const sessions = sqliteTable('sessions', {
  id: text('id').primaryKey(),
  startedAt: integer('started_at', { mode: 'timestamp_ms' }).notNull(),
  firstTraceId: text('first_trace_id').notNull(),
  userAgent: text('user_agent'),
  apiKeyName: text('api_key_name'),
});

export type Session = typeof sessions.$inferSelect;

/**
 * Prices per million tokens, in US dollars, by target model. Edit them in Drizzle Studio; a
 * trace keeps the cost it was written with. `model` is an exact id, or a prefix ending in `*`
 * (`claude-haiku-4-5*` covers the dated ids). A cache price left empty costs as input.
 */
export const modelPrices = sqliteTable(
  'model_prices',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    model: text('model').notNull(),
    inputUsdPerMtok: real('input_usd_per_mtok').notNull(),
    outputUsdPerMtok: real('output_usd_per_mtok').notNull(),
    cacheReadUsdPerMtok: real('cache_read_usd_per_mtok'),
    cacheWriteUsdPerMtok: real('cache_write_usd_per_mtok'),
    /** First day (UTC, YYYY-MM-DD) the price applies; the latest one not after a trace's day wins. */
    effectiveFrom: text('effective_from').notNull(),
    source: text('source'),
  },
  (table) => [uniqueIndex('model_prices_model_effective_idx').on(table.model, table.effectiveFrom)],
);

export type ModelPrice = typeof modelPrices.$inferSelect;

/**
 * What each proxy key (PROXY_API_KEYS `name:key`) has spent, per UTC day and per UTC month:
 * every trace write adds its cost here, sampled out or not, and retention leaves it alone, so
 * KEY_BUDGETS are checked against a few small rows instead of a scan of the traces.
 */
export const keySpend = sqliteTable(
  'key_spend',
  {
    apiKeyName: text('api_key_name').notNull(),
    /** A UTC day (`2026-11-23`) or a UTC month (`2026-11`). */
    period: text('period').notNull(),
    costMicros: integer('cost_micros').notNull().default(0),
    requests: integer('requests').notNull().default(0),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  // Period first: the budget check reads one day's and one month's rows for every key.
  (table) => [primaryKey({ columns: [table.period, table.apiKeyName] })],
);

export type KeySpend = typeof keySpend.$inferSelect;

/**
 * One row per watched condition of the ALERTS cron (`error_rate:<model>`, `p95_ms:<model>`,
 * `spend_per_hour`): whether it is firing and when the owner was last told, for the cool-down.
 */
export const alertState = sqliteTable('alert_state', {
  key: text('key').primaryKey(),
  firing: integer('firing', { mode: 'boolean' }).notNull(),
  /** When the current state (firing or clear) began. */
  since: integer('since', { mode: 'timestamp_ms' }).notNull(),
  /** When a firing message for this condition was last sent, across episodes: the cool-down runs from it. */
  notifiedAt: integer('notified_at', { mode: 'timestamp_ms' }),
  /** Whether this episode's firing was announced, so its end is announced too. */
  announced: integer('announced', { mode: 'boolean' }).notNull().default(false),
  /** The last value measured and the threshold it was compared with. */
  value: real('value'),
  threshold: real('threshold'),
  updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
});

export type AlertState = typeof alertState.$inferSelect;

export const tracesRelations = relations(traces, ({ one }) => ({
  session: one(sessions, { fields: [traces.sessionId], references: [sessions.id] }),
  price: one(modelPrices, { fields: [traces.priceId], references: [modelPrices.id] }),
}));

export const sessionsRelations = relations(sessions, ({ many }) => ({ traces: many(traces) }));

export const modelPricesRelations = relations(modelPrices, ({ many }) => ({ traces: many(traces) }));

/** An error is a request that failed, by the proxy's, the upstream's or the stream's doing (not a client leaving). */
export const isError = sql`(${traces.errorType} IS NOT NULL AND ${traces.errorType} <> ${sql.raw(`'${CLIENT_ABORT}'`)})`;

/** Per session: when, how much, what it cost, what went wrong, which models. */
export const sessionSummary = sqliteView('session_summary', {
  sessionId: text('session_id').notNull(),
  firstAt: integer('first_at', { mode: 'timestamp_ms' }).notNull(),
  lastAt: integer('last_at', { mode: 'timestamp_ms' }).notNull(),
  requests: integer('requests').notNull(),
  errors: integer('errors').notNull(),
  inputTokens: integer('input_tokens'),
  outputTokens: integer('output_tokens'),
  cacheReadInputTokens: integer('cache_read_input_tokens'),
  cacheCreationInputTokens: integer('cache_creation_input_tokens'),
  costMicros: integer('cost_micros'),
  /** Time spent waiting on requests, summed (the session's span is last_at − first_at). */
  requestMs: integer('request_ms'),
  requestedModels: text('requested_models'),
  targetModels: text('target_models'),
}).as(sql`
  SELECT
    ${traces.sessionId} AS session_id,
    MIN(${traces.createdAt}) AS first_at,
    MAX(${traces.createdAt}) AS last_at,
    COUNT(*) AS requests,
    SUM(${isError}) AS errors,
    SUM(${traces.inputTokens}) AS input_tokens,
    SUM(${traces.outputTokens}) AS output_tokens,
    SUM(${traces.cacheReadInputTokens}) AS cache_read_input_tokens,
    SUM(${traces.cacheCreationInputTokens}) AS cache_creation_input_tokens,
    SUM(${traces.costMicros}) AS cost_micros,
    SUM(${traces.durationMs}) AS request_ms,
    GROUP_CONCAT(DISTINCT ${traces.requestedModel}) AS requested_models,
    GROUP_CONCAT(DISTINCT ${traces.targetModel}) AS target_models
  FROM ${traces}
  WHERE ${traces.sessionId} IS NOT NULL
  GROUP BY ${traces.sessionId}
`);

/**
 * Per UTC day and target model: requests, errors, tokens, cost, and the median and 95th
 * percentile duration (nearest rank, from a window over each day's durations).
 */
export const dailyUsage = sqliteView('daily_usage', {
  day: text('day').notNull(),
  model: text('model'),
  requests: integer('requests').notNull(),
  errors: integer('errors').notNull(),
  inputTokens: integer('input_tokens'),
  outputTokens: integer('output_tokens'),
  cacheReadInputTokens: integer('cache_read_input_tokens'),
  cacheCreationInputTokens: integer('cache_creation_input_tokens'),
  costMicros: integer('cost_micros'),
  p50DurationMs: integer('p50_duration_ms'),
  p95DurationMs: integer('p95_duration_ms'),
}).as(sql`
  WITH ranked AS (
    SELECT
      DATE(created_at / 1000, 'unixepoch') AS day,
      target_model AS model,
      error_type, input_tokens, output_tokens, cache_read_input_tokens, cache_creation_input_tokens, cost_micros, duration_ms,
      ROW_NUMBER() OVER (PARTITION BY DATE(created_at / 1000, 'unixepoch'), target_model ORDER BY duration_ms IS NULL, duration_ms) AS duration_rank,
      COUNT(duration_ms) OVER (PARTITION BY DATE(created_at / 1000, 'unixepoch'), target_model) AS durations
    FROM traces
  )
  SELECT
    day,
    model,
    COUNT(*) AS requests,
    SUM(error_type IS NOT NULL AND error_type <> 'client_abort') AS errors,
    SUM(input_tokens) AS input_tokens,
    SUM(output_tokens) AS output_tokens,
    SUM(cache_read_input_tokens) AS cache_read_input_tokens,
    SUM(cache_creation_input_tokens) AS cache_creation_input_tokens,
    SUM(cost_micros) AS cost_micros,
    MAX(CASE WHEN duration_rank = MAX(1, CAST((durations * 50 + 99) / 100 AS INTEGER)) THEN duration_ms END) AS p50_duration_ms,
    MAX(CASE WHEN duration_rank = MAX(1, CAST((durations * 95 + 99) / 100 AS INTEGER)) THEN duration_ms END) AS p95_duration_ms
  FROM ranked
  GROUP BY day, model
`);
