import { relations, sql } from 'drizzle-orm';
import { customType, index, integer, primaryKey, real, sqliteTable, sqliteView, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { CLIENT_ABORT } from '../core/errors';
import type { Attempt } from '../upstream/types';

export type { Attempt };

/** Bytes in a BLOB column: D1 returns them as an array of numbers, or an ArrayBuffer. */
const bytes = customType<{ data: Uint8Array; driverData: ArrayBuffer | Uint8Array | number[] }>({
  dataType: () => 'blob',
  toDriver: (value) => value,
  fromDriver: (value) => (value instanceof Uint8Array ? value : Array.isArray(value) ? Uint8Array.from(value) : new Uint8Array(value)),
});

/**
 * The parts of request bodies that repeat from request to request, each stored once, named by
 * the hash of its JSON text: a system prompt, a tool list, a request's frame (its top-level
 * fields and stable headers, with its system and tools named by hash), a message too large to
 * keep in a trace row. Small pieces are readable JSON; pieces of 4 KB and more are gzipped (a
 * BLOB, with `preview` showing how they start); with an R2 bucket bound, a piece past
 * R2_BODY_THRESHOLD_BYTES lives there. See README, "How bodies are stored".
 */
export const bodyPieces = sqliteTable('body_pieces', {
  /** base64url of the first 128 bits of the SHA-256 of the piece's JSON text. */
  hash: text('hash').primaryKey(),
  /** `frame`, `system`, `tools`, `instructions`, `message`… (the field it came from). */
  kind: text('kind').notNull(),
  /** The JSON text, for a small piece. */
  json: text('json'),
  /** The JSON text gzipped, for a large one. */
  gzip: bytes('gzip'),
  /** The object key in BODIES_BUCKET, for one too large for D1 (or when every body goes to R2). */
  r2Key: text('r2_key'),
  /** Length of the JSON text, in UTF-16 code units (JavaScript's `length`). */
  chars: integer('chars').notNull(),
  /** The first 200 characters of a gzipped or R2 piece, so Studio shows what it is. */
  preview: text('preview'),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  /** The last UTC day a stored trace used it: retention frees the pieces no remaining trace can use. */
  lastDay: text('last_day').notNull(),
});

export type BodyPiece = typeof bodyPieces.$inferSelect;
export type NewBodyPiece = typeof bodyPieces.$inferInsert;

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
    /** A Claude Code subagent's `x-claude-code-agent-id` (null for the main conversation). */
    agentId: text('agent_id'),
    /** `x-claude-code-parent-agent-id`: the agent that started this one, when that was a subagent too. */
    parentAgentId: text('parent_agent_id'),
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
    /**
     * Request headers as JSON, credentials redacted. From body format 1 on, only those that change
     * from request to request (content-length, cf-ray…): the rest are in the request's frame.
     */
    requestHeaders: text('request_headers', { mode: 'json' }).$type<Record<string, string>>(),
    /**
     * How the bodies are stored: null for a trace written before body format 1 (whole bodies in
     * request_body and friends, converted in the background), 1 for frame + history + news.
     */
    bodyFormat: integer('body_format'),
    /** The request's frame piece: its top-level fields (system and tools by hash) and stable headers. */
    requestFrame: text('request_frame').references(() => bodyPieces.hash),
    /**
     * What this request added to its conversation, as readable JSON: the messages after the ones
     * its history already holds (for Claude Code, the turn's tool results or prompt). Cache
     * markers are in request_patch; a message over 8 KB is a piece, written `"\u0000piece:<hash>"`.
     */
    newMessages: text('new_messages'),
    /** Where the request's `cache_control` markers were: taken out so that histories match turn to turn. */
    requestPatch: text('request_patch', { mode: 'json' }).$type<unknown[]>(),
    /**
     * The earlier trace whose conversation (its messages, then its answer) begins this request's
     * messages. Not a foreign key: a queued write may land before the one it continues (its body
     * reads back once that one is in), and a write that fails must not take later turns with it.
     */
    historyTraceId: text('history_trace_id'),
    /** How many messages of that conversation this request begins with. */
    historyLength: integer('history_length'),
    /** Hash and length of this trace's conversation (messages without markers, then the answer): how the next turn finds it. */
    conversationHash: text('conversation_hash'),
    conversationLength: integer('conversation_length'),
    requestBody: text('request_body'),
    requestBytes: integer('request_bytes'),
    requestBodyTruncated: integer('request_body_truncated', { mode: 'boolean' }).notNull().default(false),
    /** The request as sent to the target, when the proxy translated it (openai routes): whole, before body format 1. */
    upstreamRequestBody: text('upstream_request_body'),
    /** The translated request, stored like the request: frame, the history's first messages (same history trace), news, markers. */
    upstreamFrame: text('upstream_frame').references(() => bodyPieces.hash),
    /** Its new messages; a long string copied from the client's request is written as where to find it there. */
    upstreamNewMessages: text('upstream_new_messages'),
    upstreamPatch: text('upstream_patch', { mode: 'json' }).$type<unknown[]>(),
    upstreamHistoryLength: integer('upstream_history_length'),
    upstreamConversationHash: text('upstream_conversation_hash'),
    upstreamConversationLength: integer('upstream_conversation_length'),
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
  (table) => [
    index('traces_session_idx').on(table.sessionId, table.id),
    // Foreign keys are checked on delete: these keep retention and piece collection from scanning
    // traces. Partial, so a trace without the link writes no index row for it (D1 bills rows written).
    index('traces_history_idx').on(table.historyTraceId).where(sql`${table.historyTraceId} IS NOT NULL`),
    index('traces_request_frame_idx').on(table.requestFrame).where(sql`${table.requestFrame} IS NOT NULL`),
    index('traces_upstream_frame_idx').on(table.upstreamFrame).where(sql`${table.upstreamFrame} IS NOT NULL`),
  ],
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
 * Spend added for a request that stored no trace row (TRACING=off, sampled out), by trace id, when
 * the write came through TRACE_QUEUE: a message delivered twice adds its cost once. (A trace row
 * is its own receipt.) Rows older than 15 days are pruned by the queue consumer.
 */
export const spendReceipts = sqliteTable('spend_receipts', {
  traceId: text('trace_id').primaryKey(),
});

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

/**
 * Viewer sign-ins: the signed cookie holds the id, and the row says whether it is still good.
 * Signing out revokes the row, so a copy of the cookie is refused afterwards.
 */
export const uiSessions = sqliteTable('ui_sessions', {
  id: text('id').primaryKey(),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
  revokedAt: integer('revoked_at', { mode: 'timestamp_ms' }),
  clientIp: text('client_ip'),
  userAgent: text('user_agent'),
});

/**
 * Failed admin-token checks (viewer sign-in, /api bearer), per client address and window: past a
 * threshold the address is refused with 429 until its window ends, so a token cannot be guessed.
 */
export const authFailures = sqliteTable(
  'auth_failures',
  {
    clientIp: text('client_ip').notNull(),
    /** Start of the window (epoch ms). */
    windowStart: integer('window_start', { mode: 'timestamp_ms' }).notNull(),
    failures: integer('failures').notNull().default(0),
  },
  (table) => [primaryKey({ columns: [table.clientIp, table.windowStart] })],
);

export const tracesRelations = relations(traces, ({ one }) => ({
  session: one(sessions, { fields: [traces.sessionId], references: [sessions.id] }),
  price: one(modelPrices, { fields: [traces.priceId], references: [modelPrices.id] }),
}));

export const sessionsRelations = relations(sessions, ({ many }) => ({ traces: many(traces) }));

export const modelPricesRelations = relations(modelPrices, ({ many }) => ({ traces: many(traces) }));

/**
 * The figures views and read model share. Each is written against bare column names, so the same
 * definition serves a query on `traces` and a view over a derived table of its rows.
 */
const col = (column: { name: string }) => sql.identifier(column.name);

/** An error is a request that failed, by the proxy's, the upstream's or the stream's doing (not a client leaving). */
export const isError = sql`(${col(traces.errorType)} IS NOT NULL AND ${col(traces.errorType)} <> ${sql.raw(`'${CLIENT_ABORT}'`)})`;

/** A trace's UTC day, as `YYYY-MM-DD`. */
export const traceDay = sql<string>`DATE(${col(traces.createdAt)} / 1000, 'unixepoch')`;

/** Sums over a group of traces: what a session, a day or a model came to. */
export const usageTotals = {
  requests: sql<number>`COUNT(*)`,
  errors: sql<number>`SUM(${isError})`,
  inputTokens: sql<number | null>`SUM(${col(traces.inputTokens)})`,
  outputTokens: sql<number | null>`SUM(${col(traces.outputTokens)})`,
  cacheReadInputTokens: sql<number | null>`SUM(${col(traces.cacheReadInputTokens)})`,
  cacheCreationInputTokens: sql<number | null>`SUM(${col(traces.cacheCreationInputTokens)})`,
  costMicros: sql<number | null>`SUM(${col(traces.costMicros)})`,
};

/** A session's own figures beside its totals. */
export const sessionTotals = {
  firstAt: sql<number>`MIN(${col(traces.createdAt)})`,
  lastAt: sql<number>`MAX(${col(traces.createdAt)})`,
  ...usageTotals,
  requestMs: sql<number | null>`SUM(${col(traces.durationMs)})`,
  requestedModels: sql<string | null>`GROUP_CONCAT(DISTINCT ${col(traces.requestedModel)})`,
  targetModels: sql<string | null>`GROUP_CONCAT(DISTINCT ${col(traces.targetModel)})`,
};

/** Renders named figures as a SELECT list: `<sql> AS <snake_name>`. */
function selectList(figures: Record<string, ReturnType<typeof sql>>) {
  return sql.join(
    Object.entries(figures).map(([name, figure]) => sql`${figure} AS ${sql.identifier(name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`))}`),
    sql`, `,
  );
}

/** Per session: when, how much, what it cost, what went wrong, which models. */
export const sessionSummary = sqliteView('session_summary', {
  sessionId: text('session_id').notNull(),
  /** A session is its id and the proxy key that sent it: a client chooses its session id. */
  apiKeyName: text('api_key_name'),
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
}).as(
  sql`SELECT ${col(traces.sessionId)} AS session_id, ${col(traces.apiKeyName)} AS api_key_name, ${selectList(sessionTotals)} FROM ${traces} WHERE ${col(traces.sessionId)} IS NOT NULL GROUP BY ${col(traces.sessionId)}, ${col(traces.apiKeyName)}`,
);

/** Nearest-rank percentile `p` of the durations ranked in `ranked` (duration_rank among `durations`). */
const durationPercentile = (p: number) =>
  sql<number | null>`MAX(CASE WHEN duration_rank = MAX(1, CAST((durations * ${sql.raw(String(p))} + 99) / 100 AS INTEGER)) THEN ${col(traces.durationMs)} END)`;

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
}).as(
  sql`WITH ranked AS (SELECT *, ${traceDay} AS day, ROW_NUMBER() OVER (PARTITION BY ${traceDay}, ${col(traces.targetModel)} ORDER BY ${col(traces.durationMs)} IS NULL, ${col(traces.durationMs)}) AS duration_rank, COUNT(${col(traces.durationMs)}) OVER (PARTITION BY ${traceDay}, ${col(traces.targetModel)}) AS durations FROM ${traces}) SELECT day, ${col(traces.targetModel)} AS model, ${selectList(usageTotals)}, ${durationPercentile(50)} AS p50_duration_ms, ${durationPercentile(95)} AS p95_duration_ms FROM ranked GROUP BY day, ${col(traces.targetModel)}`,
);

/**
 * Every turn of every session, with what it added: in Studio, filter on `session_id`. A turn's
 * request is its history (the first `history_length` messages of `history_trace_id`'s
 * conversation: that turn's messages, then its answer), then `new_messages`.
 */
export const sessionTurns = sqliteView('session_turns', {
  sessionId: text('session_id').notNull(),
  apiKeyName: text('api_key_name'),
  turn: integer('turn').notNull(),
  traceId: text('trace_id').notNull(),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  agentId: text('agent_id'),
  requestedModel: text('requested_model'),
  status: integer('status'),
  historyTraceId: text('history_trace_id'),
  historyLength: integer('history_length'),
  newMessages: text('new_messages'),
  responseBody: text('response_body'),
}).as(
  sql`SELECT ${col(traces.sessionId)} AS session_id, ${col(traces.apiKeyName)} AS api_key_name, ROW_NUMBER() OVER (PARTITION BY ${col(traces.sessionId)}, ${col(traces.apiKeyName)} ORDER BY ${col(traces.id)}) AS turn, ${col(traces.id)} AS trace_id, ${col(traces.createdAt)} AS created_at, ${col(traces.agentId)} AS agent_id, ${col(traces.requestedModel)} AS requested_model, ${col(traces.status)} AS status, ${col(traces.historyTraceId)} AS history_trace_id, ${col(traces.historyLength)} AS history_length, ${col(traces.newMessages)} AS new_messages, ${col(traces.responseBody)} AS response_body FROM ${traces} WHERE ${col(traces.sessionId)} IS NOT NULL`,
);
