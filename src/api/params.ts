import { ProxyError } from '../http/errors';
import type { TimeRange } from './queries';

const RANGES: Record<string, number> = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000, '90d': 90 * 86_400_000 };

/** A moment given as epoch milliseconds or an ISO 8601 date/time. */
export function parseTime(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(ms)) throw new ProxyError('invalid_request_error', `${name}: expected epoch milliseconds or an ISO 8601 time, got ${value.slice(0, 40)}`);
  return ms;
}

/** `since`/`until`, or `range` (1h, 24h, 7d, 30d, 90d) ending now; `defaultRange` applies when neither is given. */
export function parseRange(query: Record<string, string | undefined>, now: number, defaultRange?: string): TimeRange & { range?: string } {
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

export function parseLimit(value: string | undefined): number | undefined {
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

/** A stored body as JSON when it parses (it usually does), else the text as stored (a cut body). */
export function parseBody(text: string | null | undefined): unknown {
  if (text == null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
