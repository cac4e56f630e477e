import { and, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { Config, Database } from '../config';
import { errorText } from '../core/errors';
import { idFloor } from '../core/ids';
import { log } from '../core/log';
import { bytesFromBase64, bytesToBase64, utf8Length } from '../core/bytes';
import { scrubSecrets } from '../core/redact';
import type { CompletedRequest } from '../recording/recorder';
import { type Cost, priceRequest } from './prices';
import type { StoredBodies } from './body-store';
import { type NewBodyPiece, type NewTrace, spendReceipts, traces } from './schema';
import { addSpend } from './spend';
import { shouldStore, traceRow, traceStatements } from './writer';

/**
 * A finished request's write, in two steps with a seam between them:
 *
 * - `prepareWrite` does everything that needs the request itself, once: the price, the trace row
 *   (bodies dropped by policy, every secret scrubbed, large bodies moved to R2, the rest fitted),
 *   the spend to add, the `request` log line. What it returns is plain data with no secret left
 *   in it: it may travel through a queue.
 * - `writePrepared` turns any number of prepared writes into the statements of one D1 batch,
 *   idempotent by trace id, so a write delivered twice is stored and counted once.
 *
 * persist() runs both in the request's waitUntil; with TRACE_QUEUE bound, the prepared write is
 * sent to the queue instead and the consumer (src/jobs/trace-queue.ts) writes batches of them.
 */
export interface PreparedWrite {
  /** The request's trace id: what makes the write idempotent. */
  id: string;
  /** The trace row, ready to insert (times as epoch ms); null when the trace is not stored. */
  row: PreparedRow | null;
  /** The body pieces the row needs stored first (body format 1), and those to mark used on `day`. */
  pieces: NewBodyPiece[];
  touched: string[];
  day: string | null;
  /** What this isolate learns once the row is written (never queued): its pieces, its conversation. */
  bodies?: StoredBodies | null;
  /** What to add to a named proxy key's spend; null without a key. */
  spend: SpendDelta | null;
  /** The `request` log line's fields (scrubbed); null when it is off. Written where the request ran, never queued. */
  log: Record<string, unknown> | null;
}

/** A trace row as plain data: `createdAt` as epoch ms. */
export type PreparedRow = Omit<NewTrace, 'createdAt'> & { createdAt: number };

export interface SpendDelta {
  keyName: string;
  costMicros: number;
  /** When the request arrived (epoch ms): the day and month it counts in. */
  at: number;
}

const NO_COST: Cost = { costMicros: null, priceId: null };

/**
 * Everything a finished request leaves to store, worked out once; null when there is nothing
 * (TRACING=off without a named key). Never throws: a row that cannot be built is logged and left
 * out, and the spend still counts.
 */
export async function prepareWrite(config: Config, record: CompletedRequest): Promise<PreparedWrite | null> {
  const stored = shouldStore(config, record);
  const keyName = record.apiKeyName;
  if (!stored && !keyName && !config.trace.enabled) return null;
  let cost = NO_COST;
  let row: NewTrace | null = null;
  let bodies: StoredBodies | null = null;
  try {
    if (stored || keyName || config.trace.logRequests) cost = await priceRequest(config.db, record);
    if (stored) ({ row, bodies } = await traceRow(config, record, cost));
  } catch (err) {
    log('error', 'trace_build_failed', record.id, { error: errorText(err) });
    row = null;
    bodies = null;
  }
  return {
    id: record.id,
    row: row ? { ...row, createdAt: row.createdAt.getTime() } : null,
    pieces: row && bodies ? bodies.pieces : [],
    touched: row && bodies ? bodies.touched : [],
    day: row && bodies ? bodies.day : null,
    bodies: row ? bodies : null,
    spend: keyName ? { keyName, costMicros: cost.costMicros ?? 0, at: record.createdAt.getTime() } : null,
    log: config.trace.enabled && config.trace.logRequests ? requestLogFields(row ?? record, row !== null, cost, stored, config.secrets, record.secrets) : null,
  };
}

/**
 * The same write's row built again on nothing this isolate remembers (the retry after a failed
 * write: an earlier trace or a piece it built on may have gone). Same decision, same cost.
 */
export async function rebuildRow(config: Config, record: CompletedRequest, write: PreparedWrite): Promise<PreparedWrite> {
  if (!write.row) return write;
  const { row, bodies } = await traceRow(config, record, { costMicros: write.row.costMicros ?? null, priceId: write.row.priceId ?? null });
  return {
    ...write,
    row: { ...row, createdAt: row.createdAt.getTime() },
    pieces: bodies?.pieces ?? [],
    touched: bodies?.touched ?? [],
    day: bodies?.day ?? null,
    bodies,
  };
}

/** The fields of the `request` line kept as they are; strings among them are scrubbed. */
const LOG_FIELDS = [
  ['method', 'method'],
  ['path', 'path'],
  ['status', 'status'],
  ['requested_model', 'requestedModel'],
  ['route_name', 'routeName'],
  ['provider', 'provider'],
  ['target_model', 'targetModel'],
  ['stream', 'stream'],
  ['session_id', 'sessionId'],
  ['api_key_name', 'apiKeyName'],
  ['error_type', 'errorType'],
  ['error_message', 'errorMessage'],
  ['end_reason', 'endReason'],
  ['stop_reason', 'stopReason'],
  ['input_tokens', 'inputTokens'],
  ['output_tokens', 'outputTokens'],
] as const satisfies readonly (readonly [string, keyof CompletedRequest & keyof NewTrace])[];

/**
 * The request's one log line: what happened, without bodies, headers or secrets. Its strings come
 * from the stored row when there is one (scrubbed already), else they are scrubbed here.
 */
function requestLogFields(
  source: CompletedRequest | NewTrace,
  scrubbed: boolean,
  cost: Cost,
  stored: boolean,
  configured: readonly string[],
  credentials: ReadonlySet<string>,
): Record<string, unknown> {
  const secrets = scrubbed ? [] : credentials.size > 0 ? [...configured, ...credentials] : configured;
  const fields: Record<string, unknown> = {};
  for (const [name, key] of LOG_FIELDS) {
    const value = key === 'errorMessage' ? source.errorMessage?.slice(0, 500) : source[key];
    fields[name] = typeof value === 'string' && !scrubbed ? scrubSecrets(value, secrets) : value;
  }
  fields.cost_micros = cost.costMicros;
  fields.ttft_ms = source.ttftMs;
  fields.duration_ms = source.durationMs;
  fields.attempts = source.attempts?.length ?? 0;
  fields.stored = stored;
  return fields;
}

export interface WriteOptions {
  /** Spend without a row leaves a receipt, and every spend checks for one (queued writes, which may arrive twice). */
  receipts: boolean;
  /** The write is the spend of a trace whose row may have been stored already (a write that failed, then retried without its row). */
  rowMayExist?: boolean;
}

/**
 * The statements that store prepared writes, for one D1 batch. Idempotent by trace id: a trace
 * row is inserted only if no row has its id, and its spend is added only then (the spend goes
 * first, guarded by the row's absence). A spend without a row (TRACING=off, sampled out, or a
 * trace D1 refused) is guarded by a receipt when `receipts` is set (queued writes, which may
 * arrive twice), pruned after RECEIPT_DAYS; with receipts, a row's spend checks for one too, so a
 * trace whose spend went ahead without it is not counted again when its row comes.
 */
export function preparedStatements(db: Database, writes: readonly PreparedWrite[], options: WriteOptions): BatchItem<'sqlite'>[] {
  const statements: BatchItem<'sqlite'>[] = [];
  for (const write of writes) {
    const receipt = !write.row && options.receipts;
    if (write.spend) statements.push(spendStatement(db, write, { row: write.row !== null || options.rowMayExist === true, receipt: options.receipts }));
    if (write.row) {
      const bodies = write.day ? { pieces: write.pieces, touched: write.touched, day: write.day, used: [], conversation: null } : null;
      statements.push(...traceStatements(db, { row: { ...write.row, createdAt: new Date(write.row.createdAt) }, bodies }));
    }
    if (write.spend && receipt) statements.push(db.insert(spendReceipts).values({ traceId: write.id }).onConflictDoNothing());
  }
  return statements;
}

/** Writes prepared writes in one D1 batch (see `preparedStatements`). */
export async function writePrepared(db: Database, writes: readonly PreparedWrite[], options: WriteOptions = { receipts: false }): Promise<void> {
  const statements = preparedStatements(db, writes, options);
  if (statements.length > 0) await db.batch(statements as [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]]);
}

/**
 * A write's spend without its row (D1 refused the row): guarded by the row's absence too, since a
 * write reported failed may have been stored after all, so neither path counts it twice.
 */
export function writeSpendAlone(db: Database, write: PreparedWrite, options: WriteOptions): Promise<void> {
  return writePrepared(db, [{ ...write, row: null, pieces: [], touched: [] }], { ...options, rowMayExist: write.row !== null });
}

/** A queue message holds at most 128 KB; what does not fit is written directly. */
export const QUEUE_MESSAGE_BYTES = 120 * 1024;

/**
 * A prepared write as a queue message (JSON text, without the log line, which was written where
 * the request ran); null when it is too large for one. A row with its bodies in R2 always fits.
 */
export function toQueueMessage(write: PreparedWrite): string | null {
  // Pieces as plain data: times as epoch ms, gzipped text as base64.
  const pieces = write.pieces.map((piece) => ({ ...piece, createdAt: piece.createdAt.getTime(), gzip: piece.gzip ? bytesToBase64(piece.gzip) : null }));
  const text = JSON.stringify({ id: write.id, row: write.row, spend: write.spend, pieces, touched: write.touched, day: write.day });
  // Cheap check first: a UTF-16 unit is at most 3 UTF-8 bytes.
  if (text.length * 3 > QUEUE_MESSAGE_BYTES && utf8Length(text) > QUEUE_MESSAGE_BYTES) return null;
  return text;
}

/** A queue message back as a prepared write; null when it is not one. */
export function fromQueueMessage(body: unknown): PreparedWrite | null {
  let value: unknown = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      return null;
    }
  }
  if (!value || typeof value !== 'object') return null;
  const { id, row, spend } = value as Partial<PreparedWrite>;
  if (typeof id !== 'string' || id === '') return null;
  if (row !== null && (typeof row !== 'object' || row?.id !== id || typeof row.createdAt !== 'number')) return null;
  if (
    spend !== null &&
    (typeof spend !== 'object' || typeof spend?.keyName !== 'string' || typeof spend.costMicros !== 'number' || typeof spend.at !== 'number')
  ) {
    return null;
  }
  if (!row && !spend) return null;
  const { pieces, touched, day } = value as { pieces?: unknown; touched?: unknown; day?: unknown };
  const decoded = Array.isArray(pieces) ? pieces.map(pieceFromMessage) : [];
  if (decoded.includes(null)) return null;
  return {
    id,
    row: row ?? null,
    spend: spend ?? null,
    pieces: decoded as NewBodyPiece[],
    touched: Array.isArray(touched) ? touched.filter((hash): hash is string => typeof hash === 'string') : [],
    day: typeof day === 'string' ? day : null,
    log: null,
  };
}

/** A piece from a queue message, or null when it is not one. */
function pieceFromMessage(value: unknown): NewBodyPiece | null {
  if (!value || typeof value !== 'object') return null;
  const piece = value as Record<string, unknown>;
  if (typeof piece.hash !== 'string' || typeof piece.kind !== 'string' || typeof piece.chars !== 'number' || typeof piece.createdAt !== 'number') return null;
  if (typeof piece.lastDay !== 'string') return null;
  let gzip: Uint8Array | null = null;
  try {
    if (typeof piece.gzip === 'string') gzip = bytesFromBase64(piece.gzip);
  } catch {
    return null; // not base64: not a message this worker wrote
  }
  return {
    hash: piece.hash,
    kind: piece.kind,
    json: typeof piece.json === 'string' ? piece.json : null,
    gzip: typeof piece.gzip === 'string' ? gzip : null,
    r2Key: typeof piece.r2Key === 'string' ? piece.r2Key : null,
    chars: piece.chars,
    preview: typeof piece.preview === 'string' ? piece.preview : null,
    createdAt: new Date(piece.createdAt),
    lastDay: piece.lastDay,
  };
}

/** Spend receipts are kept this long: longer than a queue keeps an undelivered message (14 days at most). */
export const RECEIPT_DAYS = 15;

/** Drops spend receipts older than RECEIPT_DAYS (trace ids start with their time). */
export function pruneReceipts(db: Database, now: number): BatchItem<'sqlite'> {
  return db.delete(spendReceipts).where(sql`${spendReceipts.traceId} < ${idFloor(now - RECEIPT_DAYS * 86_400_000)}`);
}

/**
 * Adds a request's cost to its key's day and month rows, unless this write was stored before
 * (`guard`): then the rows exist (key_spend rows are never deleted) and their update is skipped.
 */
function spendStatement(db: Database, write: PreparedWrite, guard: { row: boolean; receipt: boolean }): BatchItem<'sqlite'> {
  const { keyName, costMicros, at } = write.spend!;
  const conditions = [
    ...(guard.row ? [sql`NOT EXISTS (SELECT 1 FROM ${traces} WHERE ${traces.id} = ${write.id})`] : []),
    ...(guard.receipt ? [sql`NOT EXISTS (SELECT 1 FROM ${spendReceipts} WHERE ${spendReceipts.traceId} = ${write.id})`] : []),
  ];
  return addSpend(db, keyName, costMicros, new Date(at), conditions.length > 0 ? and(...conditions) : undefined);
}
