import type { BatchItem } from 'drizzle-orm/batch';
import { drizzle } from 'drizzle-orm/d1';
import { modelPrices, sessions, traces, type ModelPrice, type NewTrace } from '../db/schema';
import { addSpend, noteSpend } from '../ops/budgets';
import { log } from '../ops/log';
import { storeLargeBodies, type BodyStore } from './bodies';
import { costMicros, findPrice, utcDay } from './cost';
import { buildRow, dropBodies, fitBodies, scrubRow } from './finalize';
import { scrubSecrets } from './redact';
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
  /** Whether each request writes its one `request` log line (LOG_REQUESTS, default on). */
  logRequests: boolean;
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
    logRequests: env.LOG_REQUESTS !== 'off',
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
 * A request sampled out is not stored, but its cost still counts against its key's budget.
 */
export async function writeTrace(d1: D1Database, trace: TraceContext, policy: TracePolicy): Promise<void> {
  let row: NewTrace;
  let stored: boolean;
  try {
    row = buildRow(trace);
    const price = findPrice(row.targetModel ?? row.requestedModel, utcDay(trace.row.createdAt), await prices(d1));
    if (price) {
      row.costMicros = costMicros(row, price);
      row.priceId = price.id;
    }
    // Failed requests (an error, or an error status) are always kept, with their bodies unless told otherwise.
    const failed = row.errorType != null || (row.status ?? 0) >= 400;
    stored = failed || policy.sampleRate >= 1 || Math.random() < policy.sampleRate;
    if (stored) {
      if (policy.bodies === 'none' || (policy.bodies === 'errors' && !failed)) dropBodies(row);
      scrubRow(row, trace.secrets);
      if (policy.store) await storeLargeBodies(row, policy.store);
      fitBodies(row);
    }
  } catch (err) {
    log('error', 'trace_build_failed', trace.id, { error: errorText(err) });
    return;
  }
  if (policy.logRequests) log('info', 'request', trace.id, requestLogFields(row, stored, trace.secrets));

  let written = false;
  let firstError: unknown;
  for (let attempt = 0; attempt < 2 && !written; attempt++) {
    try {
      await insertRow(d1, row, stored);
      written = true;
    } catch (err) {
      firstError ??= err;
    }
  }
  if (!written) {
    log('error', 'trace_write_failed', trace.id, { error: errorText(firstError), trace: logSummary(row) });
    // The trace is in the log line; its cost must still reach the key's budget.
    if (row.apiKeyName) written = await addSpend(database(d1), row.apiKeyName, row.costMicros ?? 0, row.createdAt).run().then(() => true, () => false);
  }
  if (written && row.apiKeyName && row.costMicros) noteSpend(d1, row.apiKeyName, row.costMicros, row.createdAt.getTime());
}

/**
 * One D1 round trip: the trace (unless sampled out), its session's row if this is the session's
 * first trace, and its cost added to its key's spend.
 */
export async function insertRow(d1: D1Database, row: NewTrace, stored = true): Promise<void> {
  const db = database(d1);
  const statements: BatchItem<'sqlite'>[] = [];
  if (stored && row.sessionId) {
    // Written once, with the session's first trace; later inserts are ignored (no row written).
    const session = { id: row.sessionId, startedAt: row.createdAt, firstTraceId: row.id, userAgent: row.userAgent, apiKeyName: row.apiKeyName };
    statements.push(db.insert(sessions).values(session).onConflictDoNothing());
  }
  if (stored) statements.push(db.insert(traces).values(row));
  if (row.apiKeyName) statements.push(addSpend(db, row.apiKeyName, row.costMicros ?? 0, row.createdAt));
  if (statements.length > 0) await db.batch(statements as [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]]);
}

/** The request's one log line: what happened, without bodies, headers or secrets. */
function requestLogFields(row: NewTrace, stored: boolean, secrets: ReadonlySet<string>): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    method: row.method,
    path: row.path,
    status: row.status,
    requested_model: row.requestedModel,
    provider: row.provider,
    target_model: row.targetModel,
    stream: row.stream,
    session_id: row.sessionId,
    api_key_name: row.apiKeyName,
    error_type: row.errorType,
    error_message: row.errorMessage?.slice(0, 500),
    end_reason: row.endReason,
    stop_reason: row.stopReason,
    input_tokens: row.inputTokens,
    output_tokens: row.outputTokens,
    cost_micros: row.costMicros,
    ttft_ms: row.ttftMs,
    duration_ms: row.durationMs,
    attempts: row.attempts?.length ?? 0,
    stored,
  };
  // A sampled-out row was never scrubbed: its client-supplied strings are, here.
  for (const [key, value] of Object.entries(fields)) if (typeof value === 'string') fields[key] = scrubSecrets(value, secrets);
  return fields;
}

/** The row with its bodies shortened, for the log line. */
export function logSummary(row: NewTrace): Record<string, unknown> {
  const summary: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    summary[key] = typeof value === 'string' && value.length > LOG_BODY_CHARS ? `${value.slice(0, LOG_BODY_CHARS)}…[${value.length} chars]` : value;
  }
  return summary;
}
