import { drizzle } from 'drizzle-orm/d1';
import { traces } from '../db/schema';
import { errorText } from './relay';
import { buildRow } from './finalize';
import type { TraceContext } from './trace';

const databases = new WeakMap<D1Database, ReturnType<typeof drizzle>>();

function database(d1: D1Database) {
  let db = databases.get(d1);
  if (!db) databases.set(d1, (db = drizzle(d1)));
  return db;
}

/**
 * Stores a finished trace. Runs inside `waitUntil`, after the response: it never throws,
 * so a D1 failure can only cost the trace, never the client's answer.
 */
export async function writeTrace(d1: D1Database, trace: TraceContext): Promise<void> {
  try {
    const row = buildRow(trace);
    await database(d1).insert(traces).values(row).run();
  } catch (err) {
    console.error(JSON.stringify({ event: 'trace_write_failed', traceId: trace.id, error: errorText(err) }));
  }
}
