import type { BatchItem } from 'drizzle-orm/batch';
import type { Config } from '../config';
import { truncateUtf8, utf8Length } from '../core/bytes';
import { isFailure } from '../core/errors';
import { redactHeaderValues, scrubJsonText, scrubSecrets } from '../core/redact';
import type { CompletedRequest } from '../recording/recorder';
import { and, inArray, lt, sql } from 'drizzle-orm';
import { storeLargeBodies } from './bodies';
import { type StoredBodies, storeBodies } from './body-store';
import { rememberConversation } from './conversations';
import { noteStored } from './pieces';
import type { Cost } from './prices';
import { bodyPieces, type NewTrace, sessions, traces } from './schema';

/** D1 caps a row at 2,000,000 bytes; bodies share what the other columns leave. */
export const ROW_BODY_BUDGET = 1_900_000;

/** Whether a finished request is kept: failed ones always, others at TRACE_SAMPLE_RATE; none with TRACING=off. */
export function shouldStore(config: Config, record: Pick<CompletedRequest, 'errorType'>): boolean {
  const { trace } = config;
  if (!trace.enabled) return false;
  return isFailure(record.errorType) || trace.sampleRate >= 1 || Math.random() < trace.sampleRate;
}

/** A trace ready to write: its row, and the pieces its bodies use. */
export interface PreparedTrace {
  row: NewTrace;
  bodies: StoredBodies | null;
}

/** Of a row's budget, what a response may take before it is cut: the rest is the request's. */
const RESPONSE_BUDGET = 1_000_000;

/**
 * The trace row for a finished request: bodies dropped by policy, every secret scrubbed, the
 * request stored as frame + history + news (body format 1), large bodies moved to R2 (when
 * bound), the rest cut to fit D1's row limit and flagged.
 */
export async function traceRow(config: Config, record: CompletedRequest, cost: Cost): Promise<PreparedTrace> {
  const { secrets: _secrets, refused, requestJson, upstreamRequestJson, ...fields } = record;
  const row: NewTrace = { ...fields, ...cost };
  if (row.upstreamRequestBody) row.upstreamRequestBytes = utf8Length(row.upstreamRequestBody);
  const { bodies: policy, store } = config.trace;
  // A refused request keeps who tried what, never the upload: strangers cannot fill D1.
  const dropped = refused || policy === 'none' || (policy === 'errors' && !isFailure(record.errorType));
  if (dropped) dropBodies(row);
  // Nor can they make sessions: a refused request (or one nobody routed, from no known key) names none.
  if (refused || (record.apiKeyName === null && record.provider === null && (record.status ?? 0) >= 400)) {
    row.sessionId = null;
    row.agentId = null;
    row.parentAgentId = null;
  }
  scrubRow(row, [...config.secrets, ...record.secrets]);
  // After scrubbing: a value cut first could keep part of a secret.
  limitHeaders(row);
  // The response first: the answer as stored is what the next turn's history is matched with.
  const response = row.responseBody;
  if (store) await storeLargeBodies(row, store, ['responseBody']);
  fitBodies(row, RESPONSE_BUDGET, ['responseBody']);
  const answer = row.responseBodyTruncated ? null : (row.responseBody ?? response ?? null);
  // The bodies as parsed on the way in and out, unless scrubbing changed their text.
  const parsed = {
    request: row.requestBody === record.requestBody ? requestJson : undefined,
    upstream: row.upstreamRequestBody === record.upstreamRequestBody ? upstreamRequestJson : undefined,
  };
  const bodies = dropped || refused ? null : await storeBodies(config.db, row, answer, { store, parsed });
  // What could not be split (not a JSON object, nested too deep) is stored whole, as before.
  if (store) await storeLargeBodies(row, store, ['requestBody', 'upstreamRequestBody']);
  const news = (row.newMessages?.length ?? 0) + (row.upstreamNewMessages?.length ?? 0);
  fitBodies(row, ROW_BODY_BUDGET - news * 3 - (row.responseBody?.length ?? 0) * 3, ['requestBody', 'upstreamRequestBody']);
  return { row, bodies };
}

/** Once a trace is written: this isolate knows its pieces stored today, and can build the next turn on it. */
export function noteWritten(prepared: PreparedTrace): void {
  const { bodies } = prepared;
  if (!bodies) return;
  noteStored(bodies.used, bodies.day);
  if (bodies.conversation) rememberConversation(bodies.conversation, bodies.continued);
}

/**
 * The statements that store a trace: the pieces it uses that are not stored yet (or were last
 * used on an earlier day), its session's row if this is the session's first trace (later inserts
 * are ignored), and the trace itself.
 */
export function traceStatements(db: Config['db'], prepared: PreparedTrace): BatchItem<'sqlite'>[] {
  const { row, bodies } = prepared;
  const statements: BatchItem<'sqlite'>[] = bodies ? pieceStatements(db, bodies) : [];
  if (row.sessionId) {
    const session = { id: row.sessionId, startedAt: row.createdAt, firstTraceId: row.id, userAgent: row.userAgent, apiKeyName: row.apiKeyName };
    statements.push(db.insert(sessions).values(session).onConflictDoNothing());
  }
  // Idempotent: a write delivered twice (a queue redelivers) stores the trace once.
  statements.push(db.insert(traces).values(row).onConflictDoNothing());
  return statements;
}

/** The statements that store a trace's new pieces, and mark the ones it reuses as used today. */
export function pieceStatements(db: Config['db'], bodies: Pick<StoredBodies, 'pieces' | 'touched' | 'day'>): BatchItem<'sqlite'>[] {
  const statements: BatchItem<'sqlite'>[] = [];
  for (const piece of bodies.pieces) {
    statements.push(
      db
        .insert(bodyPieces)
        .values(piece)
        .onConflictDoUpdate({ target: bodyPieces.hash, set: { lastDay: sql`excluded.last_day` }, setWhere: sql`${bodyPieces.lastDay} < excluded.last_day` }),
    );
  }
  for (let i = 0; i < bodies.touched.length; i += 90) {
    const hashes = bodies.touched.slice(i, i + 90);
    statements.push(
      db
        .update(bodyPieces)
        .set({ lastDay: bodies.day })
        .where(and(inArray(bodyPieces.hash, hashes), lt(bodyPieces.lastDay, bodies.day))),
    );
  }
  return statements;
}

/** Longest header value and user agent kept, and the most header text a trace keeps: headers are anyone's to send. */
const HEADER_VALUE_CHARS = 2_048;
const HEADERS_CHARS = 16_384;

/** A trace's headers and user agent, cut to what telling requests apart needs (cuts marked). */
export function limitHeaders(row: NewTrace): void {
  if (row.userAgent && row.userAgent.length > 512) row.userAgent = `${row.userAgent.slice(0, 512)}…`;
  const headers = row.requestHeaders;
  if (!headers) return;
  let total = 0;
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const cut = value.length > HEADER_VALUE_CHARS ? `${value.slice(0, HEADER_VALUE_CHARS)}…[${value.length} chars]` : value;
    total += name.length + cut.length;
    if (total > HEADERS_CHARS) {
      kept['x-claude-proxy-headers-cut'] = `${Object.keys(headers).length - Object.keys(kept).length} more headers not kept`;
      break;
    }
    kept[name] = cut;
  }
  row.requestHeaders = kept;
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

type BodyColumn = (typeof BODY_COLUMNS)[number][0];

/**
 * Keeps the bodies within the row budget: small ones whole, the large ones cut to an equal share
 * of what is left, each cut flagged. Never drops a body silently.
 */
export function fitBodies(row: NewTrace, budget = ROW_BODY_BUDGET, only?: readonly BodyColumn[]): void {
  const columns = only ? BODY_COLUMNS.filter(([column]) => only.includes(column)) : BODY_COLUMNS;
  budget = Math.max(budget, 0);
  // A UTF-16 unit is at most 3 UTF-8 bytes: most rows fit without measuring anything.
  let worstCase = 0;
  for (const [column] of columns) worstCase += (row[column]?.length ?? 0) * 3;
  if (worstCase <= budget) return;
  const sized = columns
    .map(([column, flag]) => {
      const text = row[column];
      return { column, flag, text, bytes: typeof text === 'string' ? utf8Length(text) : 0 };
    })
    .sort((a, b) => a.bytes - b.bytes);
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
