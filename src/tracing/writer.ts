import { drizzle } from 'drizzle-orm/d1';
import { traces, type NewTrace } from '../db/schema';
import { buildRow } from './finalize';
import { errorText } from './relay';
import type { TraceContext } from './trace';

const databases = new WeakMap<D1Database, ReturnType<typeof drizzle>>();

function database(d1: D1Database) {
  let db = databases.get(d1);
  if (!db) databases.set(d1, (db = drizzle(d1)));
  return db;
}

/** Bodies kept in the fallback log line: Workers Logs cut a line at 128 KB. */
const LOG_BODY_CHARS = 4_000;

/**
 * Stores a finished trace. Runs inside `waitUntil`, after the response: it never throws, so a D1
 * failure can only cost the trace, never the client's answer. A failed insert is retried once;
 * if that fails too, the row goes to the Workers log as one JSON line, to be recovered from there.
 */
export async function writeTrace(d1: D1Database, trace: TraceContext): Promise<void> {
  let row: NewTrace;
  try {
    row = buildRow(trace);
  } catch (err) {
    console.error(JSON.stringify({ event: 'trace_build_failed', traceId: trace.id, error: errorText(err) }));
    return;
  }
  let firstError: unknown;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await database(d1).insert(traces).values(row).run();
      return;
    } catch (err) {
      firstError ??= err;
    }
  }
  console.error(JSON.stringify({ event: 'trace_write_failed', traceId: trace.id, error: errorText(firstError), trace: logSummary(row) }));
}

/** The row with its bodies shortened, for the log line. */
export function logSummary(row: NewTrace): Record<string, unknown> {
  const summary: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    summary[key] = typeof value === 'string' && value.length > LOG_BODY_CHARS ? `${value.slice(0, LOG_BODY_CHARS)}…[${value.length} chars]` : value;
  }
  return summary;
}
