import * as v from 'valibot';
import { ProxyError } from '../core/errors';
import { describeIssues } from '../core/issues';
import type { SessionFilters, TimeRange, TraceFilters } from '../storage/queries';

/**
 * The one schema for what the trace queries take, whoever asks: /api and /ui from URL query
 * parameters (snake_case names), the RPC entrypoint from an object (camelCase names). Both are
 * checked by the same rules and resolved into the filters the read model applies.
 */

const RANGES: Record<string, number> = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000, '90d': 90 * 86_400_000 };

/** The latest moment a Date can hold: anything past it is not a time. */
const MAX_TIME_MS = 8.64e15;

/** A moment given as epoch milliseconds (number or digits), an ISO 8601 date/time, or a Date. */
const Time = v.pipe(
  v.union([v.string(), v.number(), v.date()]),
  v.transform((value) => (value instanceof Date ? value.getTime() : typeof value === 'number' || /^\d+$/.test(value) ? Number(value) : Date.parse(value))),
  v.check((ms) => Number.isFinite(ms) && Math.abs(ms) <= MAX_TIME_MS, 'expected epoch milliseconds or an ISO 8601 time'),
);

/** A whole number from a parameter (digits) or a number. */
const wholeNumber = (message: string) =>
  v.pipe(v.union([v.number(), v.pipe(v.string(), v.regex(/^\d{1,9}$/, message), v.transform(Number))], message), v.number(), v.integer(message));

const Limit = v.pipe(wholeNumber('expected a positive integer'), v.minValue(1, 'expected a positive integer'));
const Text = v.pipe(v.string(), v.maxLength(500, 'expected at most 500 characters'));

const RangeFields = {
  since: v.optional(Time),
  until: v.optional(Time),
  range: v.optional(v.picklist(Object.keys(RANGES), `expected one of ${Object.keys(RANGES).join(', ')}`)),
};

const TraceQuerySchema = v.object({
  ...RangeFields,
  sessionId: v.optional(Text),
  model: v.optional(Text),
  requestedModel: v.optional(Text),
  targetModel: v.optional(Text),
  /** A route's name (or `ROUTES[i]`). */
  route: v.optional(Text),
  status: v.optional(v.pipe(v.string(), v.regex(/^(?:[1-5]xx|[1-5]\d\d)$/i, 'expected a status (429) or a class (4xx)'))),
  errorType: v.optional(Text),
  limit: v.optional(Limit),
  /** The last id of the previous page: a trace id (ULID). */
  cursor: v.optional(v.pipe(v.string(), v.regex(/^[0-9A-HJKMNP-TV-Z]{26}$/i, 'expected the next_cursor of a previous page'))),
});

const SessionQuerySchema = v.object({
  ...RangeFields,
  model: v.optional(Text),
  errorsOnly: v.optional(
    v.union([
      v.boolean(),
      v.pipe(
        v.picklist(['true', '1', 'false', '0', '']),
        v.transform((s) => s === 'true' || s === '1'),
      ),
    ]),
  ),
  sort: v.optional(v.picklist(['recent', 'cost'], 'expected recent or cost')),
  limit: v.optional(Limit),
  /** An offset into the sorted list. */
  cursor: v.optional(v.pipe(wholeNumber('expected the next_cursor of a previous page'), v.maxValue(1_000_000, 'expected the next_cursor of a previous page'))),
});

const RangeSchema = v.object(RangeFields);

/** What callers may pass: the schemas' inputs (strings from URLs, numbers and Dates from RPC). */
export type TraceQuery = v.InferInput<typeof TraceQuerySchema>;
export type SessionQuery = v.InferInput<typeof SessionQuerySchema>;
export type RangeQuery = v.InferInput<typeof RangeSchema>;

/** URL parameter → field, where the two names differ. */
const PARAM_NAMES: Record<string, string> = {
  session: 'sessionId',
  requested_model: 'requestedModel',
  target_model: 'targetModel',
  error_type: 'errorType',
  errors: 'errorsOnly',
};

/** URL query parameters as the object the schemas take; blank parameters are left out. */
export function fromParams(params: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(params)) if (value !== undefined && value !== '') out[PARAM_NAMES[name] ?? name] = value;
  return out;
}

function check<S extends v.GenericSchema>(schema: S, query: unknown): v.InferOutput<S> {
  const result = v.safeParse(schema, query ?? {});
  if (!result.success) throw new ProxyError('invalid_request_error', describeIssues(result.issues));
  return result.output;
}

export interface Defaults {
  /** The range when none of since, until, range is given. */
  range?: string;
  limit?: number;
}

function resolveRange(query: v.InferOutput<typeof RangeSchema>, now: number, defaultRange: string | undefined): TimeRange & { range?: string } {
  const { since, until } = query;
  const range = query.range ?? (since === undefined && until === undefined ? defaultRange : undefined);
  if (range === undefined) return { since, until };
  const end = until ?? now;
  return { since: since ?? end - RANGES[range]!, until, range };
}

/** A time range as asked for: `since`/`until`, or `range` (1h, 24h, 7d, 30d, 90d) ending at `until` or now. */
export function resolveRangeQuery(query: unknown, now: number, defaults: Defaults = {}): TimeRange & { range?: string } {
  const { since, until, range } = check(RangeSchema, pick(query, ['since', 'until', 'range']));
  return resolveRange({ since, until, range }, now, defaults.range);
}

/** A trace query checked and resolved into the filters listTraces applies. */
export function resolveTraceQuery(query: unknown, now: number, defaults: Defaults = {}): TraceFilters & { range?: string } {
  const { since, until, range, limit, ...filters } = check(TraceQuerySchema, query);
  return { ...filters, ...resolveRange({ since, until, range }, now, defaults.range), limit: limit ?? defaults.limit };
}

/** A session query checked and resolved into the filters listSessions applies. */
export function resolveSessionQuery(query: unknown, now: number, defaults: Defaults = {}): SessionFilters & { range?: string } {
  const { since, until, range, limit, cursor, ...filters } = check(SessionQuerySchema, query);
  return {
    ...filters,
    ...resolveRange({ since, until, range }, now, defaults.range),
    limit: limit ?? defaults.limit,
    cursor: cursor === undefined ? undefined : String(cursor),
  };
}

function pick(query: unknown, keys: string[]): Record<string, unknown> {
  const source = (query ?? {}) as Record<string, unknown>;
  return Object.fromEntries(keys.filter((key) => source[key] !== undefined).map((key) => [key, source[key]]));
}

/** `?key=name` picks a session by the proxy key that sent it (`?key=` for none); absent, the key of its first trace. */
export function sessionKeyParam(value: string | undefined): string | null | undefined {
  return value === undefined ? undefined : value === '' ? null : value;
}
