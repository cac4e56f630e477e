import type { BatchItem } from 'drizzle-orm/batch';
import type { Config } from '../config';
import { truncateUtf8, utf8Length } from '../core/bytes';
import { isFailure } from '../core/errors';
import { redactHeaderValues, scrubJsonText, scrubSecrets } from '../core/redact';
import type { CompletedRequest } from '../recording/recorder';
import { storeLargeBodies } from './bodies';
import type { Cost } from './prices';
import { type NewTrace, sessions, traces } from './schema';

/** D1 caps a row at 2,000,000 bytes; bodies share what the other columns leave. */
export const ROW_BODY_BUDGET = 1_900_000;

/** Whether a finished request is kept: failed ones always, others at TRACE_SAMPLE_RATE; none with TRACING=off. */
export function shouldStore(config: Config, record: Pick<CompletedRequest, 'errorType'>): boolean {
  const { trace } = config;
  if (!trace.enabled) return false;
  return isFailure(record.errorType) || trace.sampleRate >= 1 || Math.random() < trace.sampleRate;
}

/**
 * The trace row for a finished request: bodies dropped by policy, every secret scrubbed, large
 * bodies moved to R2 (when bound), the rest cut to fit D1's row limit and flagged.
 */
export async function traceRow(config: Config, record: CompletedRequest, cost: Cost): Promise<NewTrace> {
  const { secrets: _secrets, refused, ...fields } = record;
  const row: NewTrace = { ...fields, ...cost };
  if (row.upstreamRequestBody) row.upstreamRequestBytes = utf8Length(row.upstreamRequestBody);
  const { bodies } = config.trace;
  // A refused request keeps who tried what, never the upload: strangers cannot fill D1.
  if (refused || bodies === 'none' || (bodies === 'errors' && !isFailure(record.errorType))) dropBodies(row);
  scrubRow(row, [...config.secrets, ...record.secrets]);
  if (config.trace.store) await storeLargeBodies(row, config.trace.store);
  fitBodies(row);
  return row;
}

/**
 * The statements that store a trace: its session's row if this is the session's first trace
 * (later inserts are ignored), and the trace itself.
 */
export function traceStatements(db: Config['db'], row: NewTrace): BatchItem<'sqlite'>[] {
  const statements: BatchItem<'sqlite'>[] = [];
  if (row.sessionId) {
    const session = { id: row.sessionId, startedAt: row.createdAt, firstTraceId: row.id, userAgent: row.userAgent, apiKeyName: row.apiKeyName };
    statements.push(db.insert(sessions).values(session).onConflictDoNothing());
  }
  // Idempotent: a write delivered twice (a queue redelivers) stores the trace once.
  statements.push(db.insert(traces).values(row).onConflictDoNothing());
  return statements;
}

/** TRACE_BODIES says not to keep them: sizes and the summary stay. */
export function dropBodies(row: NewTrace): void {
  row.requestBody = null;
  row.upstreamRequestBody = null;
  row.responseBody = null;
}

const BODY_COLUMNS = [
  ['requestBody', 'requestBodyTruncated'],
  ['upstreamRequestBody', 'upstreamRequestBodyTruncated'],
  ['responseBody', 'responseBodyTruncated'],
] as const;

/**
 * Keeps the bodies within the row budget: small ones whole, the large ones cut to an equal share
 * of what is left, each cut flagged. Never drops a body silently.
 */
export function fitBodies(row: NewTrace, budget = ROW_BODY_BUDGET): void {
  // A UTF-16 unit is at most 3 UTF-8 bytes: most rows fit without measuring anything.
  let worstCase = 0;
  for (const [column] of BODY_COLUMNS) worstCase += (row[column]?.length ?? 0) * 3;
  if (worstCase <= budget) return;
  const sized = BODY_COLUMNS.map(([column, flag]) => {
    const text = row[column];
    return { column, flag, text, bytes: typeof text === 'string' ? utf8Length(text) : 0 };
  }).sort((a, b) => a.bytes - b.bytes);
  let left = budget;
  sized.forEach((body, i) => {
    const share = Math.floor(left / (sized.length - i));
    if (typeof body.text === 'string' && body.bytes > share) {
      row[body.column] = truncateUtf8(body.text, share);
      row[body.flag] = true;
      left -= share;
    } else {
      left -= body.bytes;
    }
  });
}

const BODIES = new Set(['requestBody', 'upstreamRequestBody', 'responseBody']);

/**
 * Replaces secrets in every stored column: bodies as the JSON they hold (a secret written with
 * escapes is found), JSON columns by their text, and a header whose value holds one, whole.
 */
export function scrubRow(row: NewTrace, secrets: readonly string[]): void {
  const record = row as Record<string, unknown>;
  // The translated request is made from the request: if that held nothing to scrub, neither does it.
  const requestClean = typeof row.requestBody === 'string' && scrubJsonText(row.requestBody, secrets) === row.requestBody;
  for (const [key, value] of Object.entries(record)) {
    if (key === 'requestBody' || (key === 'upstreamRequestBody' && requestClean)) continue;
    if (typeof value === 'string') record[key] = BODIES.has(key) ? scrubJsonText(value, secrets) : scrubSecrets(value, secrets);
    else if (key === 'requestHeaders' && value) record[key] = redactHeaderValues(value as Record<string, string>, secrets);
    else if (value && typeof value === 'object' && !(value instanceof Date)) {
      // JSON columns (attempts): scrub their text, keep their shape.
      const text = JSON.stringify(value);
      const scrubbed = scrubJsonText(text, secrets);
      if (scrubbed !== text) record[key] = JSON.parse(scrubbed);
    }
  }
  if (typeof row.requestBody === 'string' && !requestClean) row.requestBody = scrubJsonText(row.requestBody, secrets);
}
