import { ProxyError } from '../core/errors';
import type { FullTrace, SessionFilters, TimeRange, TraceFilters } from '../storage/queries';

const RANGES: Record<string, number> = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000, '90d': 90 * 86_400_000 };

/** A moment given as epoch milliseconds (number or digits), an ISO 8601 date/time, or a Date. */
export function parseTime(value: string | number | Date | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' || /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms))
    throw new ProxyError('invalid_request_error', `${name}: expected epoch milliseconds or an ISO 8601 time, got ${String(value).slice(0, 40)}`);
  return ms;
}

/** A time range as asked for: `since`/`until`, or `range` (1h, 24h, 7d, 30d, 90d) ending at `until` or now. */
export interface RangeQuery {
  since?: string | number | Date;
  until?: string | number | Date;
  range?: string;
}

/** Resolves a RangeQuery; `defaultRange` applies when nothing is given. */
export function parseRange(query: RangeQuery, now: number, defaultRange?: string): TimeRange & { range?: string } {
  const since = parseTime(query.since, 'since');
  const until = parseTime(query.until, 'until');
  const range = query.range ?? (since === undefined && until === undefined ? defaultRange : undefined);
  if (range !== undefined) {
    const span = RANGES[range];
    if (!span) throw new ProxyError('invalid_request_error', `range: expected one of ${Object.keys(RANGES).join(', ')}`);
    const end = until ?? now;
    return { since: since ?? end - span, until: until, range };
  }
  return { since, until };
}

/** The filters of a trace list, as /api/traces and the RPC entrypoint take them. */
export interface TraceQuery extends RangeQuery, Omit<TraceFilters, 'since' | 'until' | 'limit'> {
  limit?: number | string;
}

/** /api/traces query parameters (snake_case) as a TraceQuery. */
export function traceQueryFromParams(params: Record<string, string | undefined>): TraceQuery {
  return {
    since: params.since,
    until: params.until,
    range: params.range,
    sessionId: params.session,
    model: params.model,
    requestedModel: params.requested_model,
    targetModel: params.target_model,
    route: params.route,
    status: params.status,
    errorType: params.error_type,
    limit: params.limit,
    cursor: params.cursor,
  };
}

/** A TraceQuery checked and resolved into the filters listTraces applies. */
export function resolveTraceQuery(query: TraceQuery, now: number): TraceFilters {
  const { since, until, range, limit, ...filters } = query;
  return { ...filters, ...parseRange({ since, until, range }, now), limit: parseLimit(limit) };
}

export function parseLimit(value: string | number | undefined): number | undefined {
  if (value === undefined) return undefined;
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1) throw new ProxyError('invalid_request_error', 'limit: expected a positive integer');
  return limit;
}

/** API JSON: snake_case keys (like the columns), ISO 8601 times, JSON bodies parsed. */
export function toApi(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toApi);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) out[key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)] = toApi(inner);
    return out;
  }
  return value;
}

/** A stored body: the JSON object it holds, or its text when it does not parse (a cut body). */
// biome-ignore lint/suspicious/noExplicitAny: bodies have every shape, and a recursive JSON type is too deep for RPC's types
export type StoredBody = Record<string, any> | string | null;

/** A stored body as JSON when it parses (it usually does), else the text as stored (a cut body). */
export function parseBody(text: string | null | undefined): StoredBody {
  if (text == null) return null;
  try {
    return JSON.parse(text) as StoredBody;
  } catch {
    return text;
  }
}

/** The filters of a session list, as /api/sessions and the RPC entrypoint take them. */
export interface SessionQuery extends RangeQuery, Omit<SessionFilters, 'since' | 'until' | 'limit' | 'sort'> {
  sort?: string;
  limit?: number | string;
}

/** /api/sessions query parameters as a SessionQuery. */
export function sessionQueryFromParams(params: Record<string, string | undefined>): SessionQuery {
  return {
    since: params.since,
    until: params.until,
    range: params.range,
    model: params.model,
    errorsOnly: params.errors === 'true' || params.errors === '1',
    sort: params.sort,
    limit: params.limit,
    cursor: params.cursor,
  };
}

/** A SessionQuery checked and resolved into the filters listSessions applies. */
export function resolveSessionQuery(query: SessionQuery, now: number): SessionFilters {
  const { since, until, range, limit, sort, ...filters } = query;
  if (sort !== undefined && sort !== 'recent' && sort !== 'cost') throw new ProxyError('invalid_request_error', 'sort: expected recent or cost');
  return { ...filters, sort, ...parseRange({ since, until, range }, now), limit: parseLimit(limit) };
}

/** A full trace with its three bodies parsed: what /api/traces/:id and the RPC entrypoint return. */
export function withParsedBodies<T extends Partial<Pick<FullTrace, 'requestBody' | 'upstreamRequestBody' | 'responseBody'>>>(
  trace: T,
): Omit<T, 'requestBody' | 'upstreamRequestBody' | 'responseBody'> & { requestBody: StoredBody; upstreamRequestBody: StoredBody; responseBody: StoredBody } {
  return {
    ...trace,
    requestBody: parseBody(trace.requestBody),
    upstreamRequestBody: parseBody(trace.upstreamRequestBody),
    responseBody: parseBody(trace.responseBody),
  };
}
