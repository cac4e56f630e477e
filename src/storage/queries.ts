import { and, asc, desc, eq, gte, isNotNull, isNull, lt, or, type SQL, sql } from 'drizzle-orm';
import type { Database } from '../config';
import { idFloor } from '../core/ids';
import { BODY_OBJECTS, readStoredBody } from './bodies';
import { readBodies } from './body-read';
import { isError, sessions, sessionTotals, type Trace, traceDay, traces, usageTotals } from './schema';

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
  agentId: traces.agentId,
  parentAgentId: traces.parentAgentId,
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
  await readBodies(db, [row], bucket);
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
  /**
   * The proxy key whose client sent the session: a session id is chosen by the client, so
   * sessions are told apart by id and key (another key's client cannot add turns to it).
   */
  apiKeyName: string | null;
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

/** A session's figures: the session_summary view's own definitions, grouped by session and key. */
const sessionAggregates = {
  sessionId: sql<string>`${traces.sessionId}`.as('session_id'),
  apiKeyName: sql<string | null>`${traces.apiKeyName}`.as('api_key_name'),
  ...sessionTotals,
};

/** The traces of one session: its id, sent with this key (or with none). */
function inSession(id: string, keyName: string | null): SQL {
  return and(eq(traces.sessionId, id), keyName === null ? isNull(traces.apiKeyName) : eq(traces.apiKeyName, keyName))!;
}

/**
 * The key a session belongs to, when the caller does not say: the key of its first trace (its
 * `sessions` row), so a stranger reusing the id never joins the owner's view of it.
 */
async function sessionKey(db: Database, id: string): Promise<string | null | undefined> {
  const row = await db.select({ apiKeyName: sessions.apiKeyName }).from(sessions).where(eq(sessions.id, id)).get();
  if (row) return row.apiKeyName;
  const first = await db.select({ apiKeyName: traces.apiKeyName }).from(traces).where(eq(traces.sessionId, id)).orderBy(asc(traces.id)).limit(1).get();
  return first ? first.apiKeyName : undefined;
}

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
    .groupBy(traces.sessionId, traces.apiKeyName)
    .having(having.length > 0 ? and(...having) : undefined)
    .orderBy(filters.sort === 'cost' ? sql`${sessionTotals.costMicros} DESC NULLS LAST, ${sessionTotals.lastAt} DESC` : sql`${sessionTotals.lastAt} DESC`)
    .limit(limit + 1)
    .offset(offset);
  const page = rows.slice(0, limit).map(toSession);
  return { data: page, nextCursor: rows.length > limit ? String(offset + limit) : null };
}

/** One turn of a session: a trace, and the subagents it started (Claude Code's Task tool). */
export interface SessionTurn {
  traceId: string;
  agentId: string | null;
  subagents: SessionAgent[];
}

/** A subagent's turns, nested under the turn that started it. */
export interface SessionAgent {
  agentId: string;
  parentAgentId: string | null;
  turns: SessionTurn[];
}

/**
 * A session's traces as a tree: the main conversation's turns in order, each with the subagents
 * it started. Claude Code tags a subagent's requests with its agent id (and, for a subagent's
 * own subagents, the parent's); the turn that started an agent is its parent's last turn before
 * the agent's first request (the one whose answer called the Task tool). An agent whose parent
 * has no earlier turn here (sampled out, say) hangs under the latest turn before it, else at the top.
 */
export function sessionTree(ordered: ReadonlyArray<Pick<Trace, 'id' | 'agentId' | 'parentAgentId'>>): SessionTurn[] {
  const root: SessionTurn[] = [];
  /** Agent id → where its turns go: its own list under the starting turn, or the top for an orphan. */
  const placeOf = new Map<string, SessionTurn[]>();
  const lastTurnOf = new Map<string | null, SessionTurn>();
  let latest: SessionTurn | null = null;
  for (const trace of ordered) {
    const turn: SessionTurn = { traceId: trace.id, agentId: trace.agentId, subagents: [] };
    let place = trace.agentId === null ? root : placeOf.get(trace.agentId);
    if (!place) {
      const agentId = trace.agentId!;
      const parentAgentId = trace.parentAgentId !== agentId ? trace.parentAgentId : null;
      const starter = lastTurnOf.get(parentAgentId) ?? latest;
      if (starter) {
        const agent: SessionAgent = { agentId, parentAgentId, turns: [] };
        starter.subagents.push(agent);
        place = agent.turns;
      } else place = root;
      placeOf.set(agentId, place);
    }
    place.push(turn);
    lastTurnOf.set(trace.agentId, turn);
    latest = turn;
  }
  return root;
}

/**
 * A session's totals, its traces in order (bodies only when asked: they can be large), and their
 * tree. A session is its id and the key that sent it; `key` absent means the key of its first trace.
 */
export async function getSession(
  db: Database,
  id: string,
  options: { bodies?: boolean; bucket?: R2Bucket; key?: string | null } = {},
): Promise<{ session: SessionSummary & { userAgent: string | null }; traces: (TraceSummary | FullTrace)[]; tree: SessionTurn[] } | null> {
  const keyName = options.key !== undefined ? options.key : await sessionKey(db, id);
  if (keyName === undefined) return null;
  const where = inSession(id, keyName);
  const [aggregate, meta] = await db.batch([
    db.select(sessionAggregates).from(traces).where(where).groupBy(traces.sessionId, traces.apiKeyName),
    db.select().from(sessions).where(eq(sessions.id, id)),
  ]);
  if (aggregate.length === 0) return null;
  const ordered = options.bodies
    ? await db.select().from(traces).where(where).orderBy(asc(traces.id))
    : await db.select(summaryColumns).from(traces).where(where).orderBy(asc(traces.id));
  if (options.bodies) {
    await Promise.all((ordered as Trace[]).map((row) => loadStoredBodies(row, options.bucket)));
    await readBodies(db, ordered as Trace[], options.bucket);
  }
  const ownRow = meta[0] && meta[0].apiKeyName === keyName ? meta[0] : null;
  return {
    session: { ...toSession(aggregate[0]!), userAgent: ownRow?.userAgent ?? (ordered[0] as Trace | undefined)?.userAgent ?? null },
    traces: ordered,
    tree: sessionTree(ordered),
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

/** Requests, errors by type, latency percentiles, tokens and cost per model, per route and per day, for a range. */
export async function stats(db: Database, range: TimeRange): Promise<Stats> {
  const where = and(...timeConditions(range)) ?? sql`1 = 1`;
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
        .select({ day: traceDay, model: traces.targetModel, ...usageTotals })
        .from(traces)
        .where(where)
        .groupBy(traceDay, traces.targetModel)
        .orderBy(traceDay, traces.targetModel),
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
  // A group's usage totals as the answer gives them: a sum over no rows is 0, not null.
  const usage = (row: Omit<(typeof models)[number], 'model'>) => ({
    requests: row.requests,
    errors: row.errors ?? 0,
    inputTokens: row.inputTokens ?? 0,
    outputTokens: row.outputTokens ?? 0,
    cacheReadInputTokens: row.cacheReadInputTokens ?? 0,
    cacheCreationInputTokens: row.cacheCreationInputTokens ?? 0,
    costMicros: row.costMicros,
  });
  const modelStats: ModelStats[] = models.map((row) => ({
    model: row.model,
    ...usage(row),
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
      route: row.route,
      ...usage(row),
      duration: byModel(routeDurations, row.route),
      ttft: byModel(routeTtfts, row.route),
    })),
    days: days.map((row) => ({
      day: row.day,
      model: row.model,
      requests: row.requests,
      errors: row.errors ?? 0,
      inputTokens: row.inputTokens ?? 0,
      outputTokens: row.outputTokens ?? 0,
      costMicros: row.costMicros,
    })),
  };
}

/** A trace's place in its session (its id and key): turn number, the turns before and after. */
export async function sessionNeighbours(
  db: Database,
  sessionId: string,
  keyName: string | null,
  id: string,
): Promise<{ turn: number; turns: number; previous: string | null; next: string | null }> {
  const session = inSession(sessionId, keyName);
  const [before, after, previous, next] = await db.batch([
    db
      .select({ n: sql<number>`COUNT(*)` })
      .from(traces)
      .where(and(session, lt(traces.id, id))),
    db
      .select({ n: sql<number>`COUNT(*)` })
      .from(traces)
      .where(and(session, sql`${traces.id} > ${id}`)),
    db
      .select({ id: traces.id })
      .from(traces)
      .where(and(session, lt(traces.id, id)))
      .orderBy(desc(traces.id))
      .limit(1),
    db
      .select({ id: traces.id })
      .from(traces)
      .where(and(session, sql`${traces.id} > ${id}`))
      .orderBy(asc(traces.id))
      .limit(1),
  ]);
  const turn = (before[0]?.n ?? 0) + 1;
  return { turn, turns: turn + (after[0]?.n ?? 0), previous: previous[0]?.id ?? null, next: next[0]?.id ?? null };
}

/** Only a trace's request body as stored whole (from R2 if it was moved there): for comparing turns of traces stored before body format 1. */
export async function requestBodyOf(db: Database, id: string, bucket?: R2Bucket): Promise<string | null> {
  const row = await db.select({ body: traces.requestBody, key: traces.requestBodyR2Key }).from(traces).where(eq(traces.id, id)).get();
  if (!row) return null;
  if (row.key && bucket) return readStoredBody(bucket, row.key);
  return row.body;
}
