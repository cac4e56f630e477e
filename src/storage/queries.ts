import { and, asc, desc, eq, gte, isNotNull, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../config';
import { idFloor } from '../core/ids';
import { BODY_OBJECTS, readStoredBody } from './bodies';
import { isError, sessions, type Trace, traces } from './schema';

/**
 * The questions traces answer, one function each: used by /api and by the /ui pages alike, so
 * filters and statistics have a single implementation.
 */

export interface TimeRange {
  /** Inclusive, epoch ms. */
  since?: number;
  /** Exclusive, epoch ms. */
  until?: number;
}

export interface TraceFilters extends TimeRange {
  sessionId?: string;
  /** Requested or target model. */
  model?: string;
  requestedModel?: string;
  targetModel?: string;
  /** The route's name (`route_name`). */
  route?: string;
  /** `2xx`, `4xx`, `5xx`… or an exact status. */
  status?: string;
  errorType?: string;
  limit?: number;
  /** The last id of the previous page. */
  cursor?: string;
}

/** Time ranges are id ranges: trace ids are ULIDs, sortable by creation time. */
function timeConditions(range: TimeRange): SQL[] {
  const conditions: SQL[] = [];
  if (range.since !== undefined) conditions.push(gte(traces.id, idFloor(range.since)));
  if (range.until !== undefined) conditions.push(lt(traces.id, idFloor(range.until)));
  return conditions;
}

function statusCondition(status: string): SQL | undefined {
  const classMatch = /^([1-5])xx$/i.exec(status);
  if (classMatch) {
    const base = Number(classMatch[1]) * 100;
    return and(gte(traces.status, base), lt(traces.status, base + 100));
  }
  if (/^\d{3}$/.test(status)) return eq(traces.status, Number(status));
  return undefined;
}

/** The columns of a trace without its bodies, headers and attempts: what lists show. */
const summaryColumns = {
  id: traces.id,
  createdAt: traces.createdAt,
  sessionId: traces.sessionId,
  method: traces.method,
  path: traces.path,
  requestedModel: traces.requestedModel,
  provider: traces.provider,
  targetModel: traces.targetModel,
  stream: traces.stream,
  status: traces.status,
  errorType: traces.errorType,
  errorMessage: traces.errorMessage,
  endReason: traces.endReason,
  stopReason: traces.stopReason,
  inputTokens: traces.inputTokens,
  outputTokens: traces.outputTokens,
  cacheReadInputTokens: traces.cacheReadInputTokens,
  cacheCreationInputTokens: traces.cacheCreationInputTokens,
  costMicros: traces.costMicros,
  ttftMs: traces.ttftMs,
  durationMs: traces.durationMs,
  requestBytes: traces.requestBytes,
  responseBytes: traces.responseBytes,
  apiKeyName: traces.apiKeyName,
  routeName: traces.routeName,
};

export type TraceSummary = Pick<Trace, keyof typeof summaryColumns>;

export const MAX_PAGE = 500;

export async function listTraces(db: Database, filters: TraceFilters): Promise<{ data: TraceSummary[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(filters.limit ?? 50, 1), MAX_PAGE);
  const conditions = timeConditions(filters);
  if (filters.sessionId) conditions.push(eq(traces.sessionId, filters.sessionId));
  if (filters.model) conditions.push(or(eq(traces.requestedModel, filters.model), eq(traces.targetModel, filters.model))!);
  if (filters.requestedModel) conditions.push(eq(traces.requestedModel, filters.requestedModel));
  if (filters.targetModel) conditions.push(eq(traces.targetModel, filters.targetModel));
  if (filters.errorType) conditions.push(eq(traces.errorType, filters.errorType));
  if (filters.route) conditions.push(eq(traces.routeName, filters.route));
  if (filters.status) {
    const condition = statusCondition(filters.status);
    if (condition) conditions.push(condition);
  }
  if (filters.cursor) conditions.push(lt(traces.id, filters.cursor));
  const rows = await db
    .select(summaryColumns)
    .from(traces)
    .where(and(...conditions))
    .orderBy(desc(traces.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  return { data: page, nextCursor: rows.length > limit ? page.at(-1)!.id : null };
}

export type FullTrace = Trace & { requestBody: string | null; upstreamRequestBody: string | null; responseBody: string | null };

/** One trace with everything, bodies included: fetched back from R2 where they were moved. */
export async function getTrace(db: Database, id: string, bucket?: R2Bucket): Promise<FullTrace | null> {
  const row = await db.select().from(traces).where(eq(traces.id, id)).get();
  if (!row) return null;
  await loadStoredBodies(row, bucket);
  return row;
}

export async function loadStoredBodies(row: Trace, bucket?: R2Bucket): Promise<void> {
  await Promise.all(
    BODY_OBJECTS.map(async ({ column, keyColumn }) => {
      const key = row[keyColumn];
      if (key && bucket) row[column] = await readStoredBody(bucket, key);
    }),
  );
}

export interface SessionSummary {
  sessionId: string;
  firstAt: Date;
  lastAt: Date;
  requests: number;
  errors: number;
  inputTokens: number | null;
  outputTokens: number | null;
  cacheReadInputTokens: number | null;
  cacheCreationInputTokens: number | null;
  costMicros: number | null;
  requestMs: number | null;
  targetModels: string[];
  requestedModels: string[];
}

const sessionAggregates = {
  sessionId: sql<string>`${traces.sessionId}`.as('session_id'),
  firstAt: sql<number>`MIN(${traces.createdAt})`.as('first_at'),
  lastAt: sql<number>`MAX(${traces.createdAt})`.as('last_at'),
  requests: sql<number>`COUNT(*)`.as('requests'),
  errors: sql<number>`SUM(${isError})`.as('errors'),
  inputTokens: sql<number | null>`SUM(${traces.inputTokens})`.as('input_tokens'),
  outputTokens: sql<number | null>`SUM(${traces.outputTokens})`.as('output_tokens'),
  cacheReadInputTokens: sql<number | null>`SUM(${traces.cacheReadInputTokens})`.as('cache_read_input_tokens'),
  cacheCreationInputTokens: sql<number | null>`SUM(${traces.cacheCreationInputTokens})`.as('cache_creation_input_tokens'),
  costMicros: sql<number | null>`SUM(${traces.costMicros})`.as('cost_micros'),
  requestMs: sql<number | null>`SUM(${traces.durationMs})`.as('request_ms'),
  targetModels: sql<string | null>`GROUP_CONCAT(DISTINCT ${traces.targetModel})`.as('target_models'),
  requestedModels: sql<string | null>`GROUP_CONCAT(DISTINCT ${traces.requestedModel})`.as('requested_models'),
};

type SessionRow = { [K in keyof typeof sessionAggregates]: (typeof sessionAggregates)[K]['_']['type'] };

function toSession(row: SessionRow): SessionSummary {
  return {
    ...row,
    firstAt: new Date(row.firstAt),
    lastAt: new Date(row.lastAt),
    errors: row.errors ?? 0,
    targetModels: row.targetModels ? row.targetModels.split(',') : [],
    requestedModels: row.requestedModels ? row.requestedModels.split(',') : [],
  };
}

export interface SessionFilters extends TimeRange {
  model?: string;
  /** Only sessions with at least one failed request. */
  errorsOnly?: boolean;
  sort?: 'recent' | 'cost';
  limit?: number;
  /** Offset into the sorted list (sessions have no stable id order). */
  cursor?: string;
}

/** Sessions with activity in the range, most recent (or most expensive) first. */
export async function listSessions(db: Database, filters: SessionFilters): Promise<{ data: SessionSummary[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(filters.limit ?? 50, 1), MAX_PAGE);
  const offset = Math.max(0, Number(filters.cursor) || 0);
  const conditions = [isNotNull(traces.sessionId), ...timeConditions(filters)];
  const having: SQL[] = [];
  if (filters.model) having.push(sql`SUM(${traces.targetModel} = ${filters.model} OR ${traces.requestedModel} = ${filters.model}) > 0`);
  if (filters.errorsOnly) having.push(sql`SUM(${isError}) > 0`);
  const rows = await db
    .select(sessionAggregates)
    .from(traces)
    .where(and(...conditions))
    .groupBy(traces.sessionId)
    .having(having.length > 0 ? and(...having) : undefined)
    .orderBy(filters.sort === 'cost' ? sql`cost_micros DESC NULLS LAST, last_at DESC` : sql`last_at DESC`)
    .limit(limit + 1)
    .offset(offset);
  const page = rows.slice(0, limit).map(toSession);
  return { data: page, nextCursor: rows.length > limit ? String(offset + limit) : null };
}

/** A session's totals and its traces in order (bodies only when asked: they can be large). */
export async function getSession(
  db: Database,
  id: string,
  options: { bodies?: boolean; bucket?: R2Bucket } = {},
): Promise<{ session: SessionSummary & { userAgent: string | null; apiKeyName: string | null }; traces: (TraceSummary | FullTrace)[] } | null> {
  const [aggregate, meta] = await db.batch([
    db.select(sessionAggregates).from(traces).where(eq(traces.sessionId, id)).groupBy(traces.sessionId),
    db.select().from(sessions).where(eq(sessions.id, id)),
  ]);
  if (aggregate.length === 0) return null;
  const ordered = options.bodies
    ? await db.select().from(traces).where(eq(traces.sessionId, id)).orderBy(asc(traces.id))
    : await db.select(summaryColumns).from(traces).where(eq(traces.sessionId, id)).orderBy(asc(traces.id));
  if (options.bodies) await Promise.all((ordered as Trace[]).map((row) => loadStoredBodies(row, options.bucket)));
  return {
    session: { ...toSession(aggregate[0]!), userAgent: meta[0]?.userAgent ?? null, apiKeyName: meta[0]?.apiKeyName ?? null },
    traces: ordered,
  };
}

export interface ModelStats {
  model: string | null;
  requests: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens: number;
  cacheCreationInputTokens: number;
  costMicros: number | null;
  duration: { p50: number | null; p95: number | null; p99: number | null };
  ttft: { p50: number | null; p95: number | null; p99: number | null };
}

/** One route's share: requests, tokens, cost and latency of the requests it served (`route_name`). */
export type RouteStats = Omit<ModelStats, 'model'> & { route: string | null };

export interface Stats {
  range: { since: Date | null; until: Date | null };
  requests: number;
  errors: number;
  errorRate: number;
  errorsByType: { errorType: string; count: number }[];
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens: number;
  cacheCreationInputTokens: number;
  costMicros: number | null;
  models: ModelStats[];
  /** The same by route (`route_name`): where the routing decisions sent requests. */
  routes: RouteStats[];
  days: { day: string; model: string | null; requests: number; errors: number; inputTokens: number; outputTokens: number; costMicros: number | null }[];
}

/** Nearest-rank percentiles per target model (or per route), computed in SQL over the range. */
function percentiles(column: 'duration_ms' | 'ttft_ms', where: SQL, by: 'target_model' | 'route_name' = 'target_model') {
  return sql<{ model: string | null; p50: number | null; p95: number | null; p99: number | null }>`
    WITH ranked AS (
      SELECT ${sql.raw(by)} AS model, ${sql.raw(column)} AS v,
        ROW_NUMBER() OVER (PARTITION BY ${sql.raw(by)} ORDER BY ${sql.raw(column)}) AS rn,
        COUNT(*) OVER (PARTITION BY ${sql.raw(by)}) AS n
      FROM ${traces} WHERE ${where} AND ${sql.raw(column)} IS NOT NULL
    )
    SELECT model,
      MAX(CASE WHEN rn = MAX(1, (n * 50 + 99) / 100) THEN v END) AS p50,
      MAX(CASE WHEN rn = MAX(1, (n * 95 + 99) / 100) THEN v END) AS p95,
      MAX(CASE WHEN rn = MAX(1, (n * 99 + 99) / 100) THEN v END) AS p99
    FROM ranked GROUP BY model`;
}

/** What a group of traces came to: requests, failures, tokens, cost. */
const usageTotals = {
  requests: sql<number>`COUNT(*)`,
  errors: sql<number>`SUM(${isError})`,
  inputTokens: sql<number>`COALESCE(SUM(${traces.inputTokens}), 0)`,
  outputTokens: sql<number>`COALESCE(SUM(${traces.outputTokens}), 0)`,
  cacheReadInputTokens: sql<number>`COALESCE(SUM(${traces.cacheReadInputTokens}), 0)`,
  cacheCreationInputTokens: sql<number>`COALESCE(SUM(${traces.cacheCreationInputTokens}), 0)`,
  costMicros: sql<number | null>`SUM(${traces.costMicros})`,
};

/** Requests, errors by type, latency percentiles, tokens and cost per model, per route and per day, for a range. */
export async function stats(db: Database, range: TimeRange): Promise<Stats> {
  const where = and(...timeConditions(range)) ?? sql`1 = 1`;
  const day = sql<string>`DATE(${traces.createdAt} / 1000, 'unixepoch')`;
  type Percentiles = { model: string | null; p50: number | null; p95: number | null; p99: number | null };
  // Raw window-function queries cannot join a Drizzle batch: they run beside it.
  const [[models, errorTypes, days, routes], durations, ttfts, routeDurations, routeTtfts] = await Promise.all([
    db.batch([
      db
        .select({ model: traces.targetModel, ...usageTotals })
        .from(traces)
        .where(where)
        .groupBy(traces.targetModel)
        .orderBy(sql`COUNT(*) DESC`),
      db
        .select({ errorType: sql<string>`${traces.errorType}`, count: sql<number>`COUNT(*)` })
        .from(traces)
        .where(and(where, isError))
        .groupBy(traces.errorType)
        .orderBy(sql`COUNT(*) DESC`),
      db
        .select({
          day,
          model: traces.targetModel,
          requests: sql<number>`COUNT(*)`,
          errors: sql<number>`SUM(${isError})`,
          inputTokens: sql<number>`COALESCE(SUM(${traces.inputTokens}), 0)`,
          outputTokens: sql<number>`COALESCE(SUM(${traces.outputTokens}), 0)`,
          costMicros: sql<number | null>`SUM(${traces.costMicros})`,
        })
        .from(traces)
        .where(where)
        .groupBy(day, traces.targetModel)
        .orderBy(day, traces.targetModel),
      db
        .select({ route: traces.routeName, ...usageTotals })
        .from(traces)
        .where(where)
        .groupBy(traces.routeName)
        .orderBy(sql`COUNT(*) DESC`),
    ]),
    db.all<Percentiles>(percentiles('duration_ms', where)),
    db.all<Percentiles>(percentiles('ttft_ms', where)),
    db.all<Percentiles>(percentiles('duration_ms', where, 'route_name')),
    db.all<Percentiles>(percentiles('ttft_ms', where, 'route_name')),
  ]);

  const byModel = (rows: Percentiles[], model: string | null) => {
    const found = rows.find((row) => row.model === model);
    return { p50: found?.p50 ?? null, p95: found?.p95 ?? null, p99: found?.p99 ?? null };
  };
  const modelStats: ModelStats[] = models.map((row) => ({
    ...row,
    errors: row.errors ?? 0,
    duration: byModel(durations, row.model),
    ttft: byModel(ttfts, row.model),
  }));
  const sum = (key: 'requests' | 'errors' | 'inputTokens' | 'outputTokens' | 'cacheReadInputTokens' | 'cacheCreationInputTokens') =>
    modelStats.reduce((total, row) => total + (row[key] ?? 0), 0);
  const priced = modelStats.filter((row) => row.costMicros !== null);
  const requests = sum('requests');
  const errors = sum('errors');
  return {
    range: { since: range.since !== undefined ? new Date(range.since) : null, until: range.until !== undefined ? new Date(range.until) : null },
    requests,
    errors,
    errorRate: requests > 0 ? errors / requests : 0,
    errorsByType: errorTypes,
    inputTokens: sum('inputTokens'),
    outputTokens: sum('outputTokens'),
    cacheReadInputTokens: sum('cacheReadInputTokens'),
    cacheCreationInputTokens: sum('cacheCreationInputTokens'),
    costMicros: priced.length > 0 ? priced.reduce((total, row) => total + row.costMicros!, 0) : null,
    models: modelStats,
    routes: routes.map((row) => ({
      ...row,
      errors: row.errors ?? 0,
      duration: byModel(routeDurations, row.route),
      ttft: byModel(routeTtfts, row.route),
    })),
    days: days.map((row) => ({ ...row, errors: row.errors ?? 0 })),
  };
}

/** A trace's place in its session: turn number, the turns before and after. */
export async function sessionNeighbours(
  db: Database,
  sessionId: string,
  id: string,
): Promise<{ turn: number; turns: number; previous: string | null; next: string | null }> {
  const [before, after, previous, next] = await db.batch([
    db
      .select({ n: sql<number>`COUNT(*)` })
      .from(traces)
      .where(and(eq(traces.sessionId, sessionId), lt(traces.id, id))),
    db
      .select({ n: sql<number>`COUNT(*)` })
      .from(traces)
      .where(and(eq(traces.sessionId, sessionId), sql`${traces.id} > ${id}`)),
    db
      .select({ id: traces.id })
      .from(traces)
      .where(and(eq(traces.sessionId, sessionId), lt(traces.id, id)))
      .orderBy(desc(traces.id))
      .limit(1),
    db
      .select({ id: traces.id })
      .from(traces)
      .where(and(eq(traces.sessionId, sessionId), sql`${traces.id} > ${id}`))
      .orderBy(asc(traces.id))
      .limit(1),
  ]);
  const turn = (before[0]?.n ?? 0) + 1;
  return { turn, turns: turn + (after[0]?.n ?? 0), previous: previous[0]?.id ?? null, next: next[0]?.id ?? null };
}

/** Only a trace's request body (from R2 if it was moved there): for comparing turns. */
export async function requestBodyOf(db: Database, id: string, bucket?: R2Bucket): Promise<string | null> {
  const row = await db.select({ body: traces.requestBody, key: traces.requestBodyR2Key }).from(traces).where(eq(traces.id, id)).get();
  if (!row) return null;
  if (row.key && bucket) return readStoredBody(bucket, row.key);
  return row.body;
}
