import { drizzle } from 'drizzle-orm/d1';
import { modelPrices, sessions, traces, type ModelPrice, type NewTrace } from '../db/schema';
import { storeLargeBodies, type BodyStore } from './bodies';
import { costMicros, findPrice, utcDay } from './cost';
import { buildRow, dropBodies, fitBodies, scrubRow } from './finalize';
import { errorText } from './relay';
import type { TraceContext } from './trace';

const databases = new WeakMap<D1Database, ReturnType<typeof drizzle>>();

function database(d1: D1Database) {
  let db = databases.get(d1);
  if (!db) databases.set(d1, (db = drizzle(d1)));
  return db;
}

/** What to keep of a trace, from the TRACE_* settings. */
export interface TracePolicy {
  /** full: every body; errors: bodies of failed requests only; none: no bodies. */
  bodies: 'full' | 'errors' | 'none';
  /** Fraction of successful requests traced (failed ones always are). */
  sampleRate: number;
  /** Where bodies over `r2ThresholdBytes` go, when an R2 bucket is bound. */
  store: BodyStore | null;
}

export function tracePolicy(env: Record<string, unknown>): TracePolicy {
  const bodies = env.TRACE_BODIES === 'errors' || env.TRACE_BODIES === 'none' ? env.TRACE_BODIES : 'full';
  const rate = env.TRACE_SAMPLE_RATE === undefined || env.TRACE_SAMPLE_RATE === '' ? 1 : Number(env.TRACE_SAMPLE_RATE);
  const bucket = env.BODIES_BUCKET as R2Bucket | undefined;
  const threshold = Number(env.R2_BODY_THRESHOLD_BYTES) || DEFAULT_R2_THRESHOLD_BYTES;
  return {
    bodies,
    sampleRate: Number.isFinite(rate) ? Math.min(1, Math.max(0, rate)) : 1,
    store: bucket ? { bucket, thresholdBytes: threshold } : null,
  };
}

/** Bodies above this go to R2 when a bucket is bound: a Claude Code request (~80 KB and up) always does. */
export const DEFAULT_R2_THRESHOLD_BYTES = 32 * 1024;

/** Bodies kept in the fallback log line: Workers Logs cut a line at 128 KB. */
const LOG_BODY_CHARS = 4_000;

/** Prices are read from D1 at most once a minute per isolate: edits in Studio apply within a minute. */
const PRICE_TTL_MS = 60_000;
const priceCache = new WeakMap<D1Database, { at: number; prices: Promise<ModelPrice[]> }>();

function prices(d1: D1Database): Promise<ModelPrice[]> {
  const cached = priceCache.get(d1);
  if (cached && Date.now() - cached.at < PRICE_TTL_MS) return cached.prices;
  // Without prices the trace is still written, with a null cost.
  const loading = Promise.resolve()
    .then(() => database(d1).select().from(modelPrices).all())
    .catch(() => [] as ModelPrice[]);
  priceCache.set(d1, { at: Date.now(), prices: loading });
  return loading;
}

/**
 * Stores a finished trace. Runs inside `waitUntil`, after the response: it never throws, so a D1
 * failure can only cost the trace, never the client's answer. A failed insert is retried once;
 * if that fails too, the row goes to the Workers log as one JSON line, to be recovered from there.
 */
export async function writeTrace(d1: D1Database, trace: TraceContext, policy: TracePolicy): Promise<void> {
  let row: NewTrace;
  try {
    row = buildRow(trace);
    // Failed requests (an error, or an error status) are always kept, with their bodies unless told otherwise.
    const failed = row.errorType != null || (row.status ?? 0) >= 400;
    if (!failed && policy.sampleRate < 1 && Math.random() >= policy.sampleRate) return;
    if (policy.bodies === 'none' || (policy.bodies === 'errors' && !failed)) dropBodies(row);
    scrubRow(row, trace.secrets);
    const price = findPrice(row.targetModel ?? row.requestedModel, utcDay(trace.row.createdAt), await prices(d1));
    if (price) {
      row.costMicros = costMicros(row, price);
      row.priceId = price.id;
    }
    if (policy.store) await storeLargeBodies(row, policy.store);
    fitBodies(row);
  } catch (err) {
    console.error(JSON.stringify({ event: 'trace_build_failed', traceId: trace.id, error: errorText(err) }));
    return;
  }

  let firstError: unknown;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await insertRow(d1, row);
      return;
    } catch (err) {
      firstError ??= err;
    }
  }
  console.error(JSON.stringify({ event: 'trace_write_failed', traceId: trace.id, error: errorText(firstError), trace: logSummary(row) }));
}

/** One D1 round trip: the trace, and its session's row if this is the session's first trace. */
export async function insertRow(d1: D1Database, row: NewTrace): Promise<void> {
  const db = database(d1);
  const insertTrace = db.insert(traces).values(row);
  if (!row.sessionId) {
    await insertTrace.run();
    return;
  }
  // Written once, with the session's first trace; later inserts are ignored (no row written).
  const session = { id: row.sessionId, startedAt: row.createdAt, firstTraceId: row.id, userAgent: row.userAgent, apiKeyName: row.apiKeyName };
  await db.batch([db.insert(sessions).values(session).onConflictDoNothing(), insertTrace]);
}

/** The row with its bodies shortened, for the log line. */
export function logSummary(row: NewTrace): Record<string, unknown> {
  const summary: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    summary[key] = typeof value === 'string' && value.length > LOG_BODY_CHARS ? `${value.slice(0, LOG_BODY_CHARS)}…[${value.length} chars]` : value;
  }
  return summary;
}
