import type { Config } from '../config';
import { errorText } from '../core/errors';
import { log } from '../core/log';
import type { CompletedRequest } from '../recording/recorder';
import { forgetConversations, rememberConversation } from './conversations';
import { forgetStoredPieces } from './pieces';
import { noteSpend } from './spend';
import {
  type PreparedRow,
  type PreparedWrite,
  prepareWrite,
  rebuildRow,
  toQueueMessage,
  type WriteOptions,
  writePrepared,
  writeSpendAlone,
} from './trace-write';
import { noteWritten } from './writer';

/** Bodies kept in the fallback log line: Workers Logs cut a line at 128 KB. */
const LOG_BODY_CHARS = 4_000;

/**
 * Stores what a finished request left: its trace (unless TRACING=off or sampling leaves it out)
 * and, for a named proxy key, its cost in `key_spend`, whether traced or not, so budgets hold.
 * Runs in `waitUntil`, after the answer: it never throws, so a D1 failure can only cost the
 * trace, never the client's answer.
 *
 * With TRACE_QUEUE bound, the prepared write is one queue send and the queue consumer writes it
 * in a batch (src/jobs/trace-queue.ts); a write too large for a queue message, or a send that
 * fails, is written here instead. Written here: one D1 batch for trace and spend, retried once,
 * rebuilt on nothing this isolate remembers (an earlier trace or piece it built on may have gone);
 * then the trace goes to the Workers log as one JSON line, and its spend is written on its own.
 */
export async function persist(config: Config, record: CompletedRequest): Promise<void> {
  const prepared = await prepareWrite(config, record);
  if (!prepared) return;
  if (prepared.log) log('info', 'request', record.id, prepared.log);
  if (!prepared.row && !prepared.spend) return;
  const queued = config.trace.queue ? await enqueue(config.trace.queue, prepared) : false;
  // A queued turn is built on at once: the next one comes before the consumer writes this one, and
  // its write waits (retried) until this one is in. Its pieces are not taken as stored until seen in D1.
  if (queued && prepared.bodies?.conversation) rememberConversation(prepared.bodies.conversation, prepared.bodies.continued);
  // A send that failed may still have been delivered: the direct write then guards its spend by receipt too.
  const written = queued || (await writeDirectly(config, record, prepared, { receipts: config.trace.queue !== null }));
  // This isolate's copy of key_spend counts the cost at once (the consumer's write lands within seconds).
  if (written && prepared.spend?.costMicros) noteSpend(config.d1, prepared.spend.keyName, prepared.spend.costMicros, prepared.spend.at);
}

/** One queue send; false when the write does not fit a message or the send fails (it is then written directly). */
async function enqueue(queue: Queue<string>, prepared: PreparedWrite): Promise<boolean> {
  const message = toQueueMessage(prepared);
  if (message === null) return false;
  try {
    await queue.send(message, { contentType: 'text' });
    return true;
  } catch (err) {
    log('warn', 'trace_queue_send_failed', prepared.id, { error: errorText(err) });
    return false;
  }
}

/** Whether the spend was written (with or without the trace). */
async function writeDirectly(config: Config, record: CompletedRequest, prepared: PreparedWrite, options: WriteOptions): Promise<boolean> {
  let firstError: unknown;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      if (attempt > 0 && prepared.row) {
        forgetStoredPieces();
        forgetConversations();
        prepared = await rebuildRow(config, record, prepared);
      }
      await writePrepared(config.db, [prepared], options);
      if (prepared.bodies) noteWritten({ row: { ...prepared.row!, createdAt: new Date(prepared.row!.createdAt) }, bodies: prepared.bodies });
      return true;
    } catch (err) {
      firstError ??= err;
    }
  }
  if (prepared.row) log('error', 'trace_write_failed', prepared.id, { error: errorText(firstError), trace: logSummary(prepared.row) });
  // The trace is in the log line; its cost must still reach the key's budget.
  const { spend } = prepared;
  if (!spend) return false;
  return writeSpendAlone(config.db, prepared, options).then(
    () => true,
    (err: unknown) => {
      log('error', 'key_spend_write_failed', prepared.id, { error: errorText(err), api_key_name: spend.keyName, cost_micros: spend.costMicros });
      return false;
    },
  );
}

/** The row with its bodies shortened, for the log line. */
export function logSummary(row: PreparedRow): Record<string, unknown> {
  const summary: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    summary[key] = typeof value === 'string' && value.length > LOG_BODY_CHARS ? `${value.slice(0, LOG_BODY_CHARS)}…[${value.length} chars]` : value;
  }
  return summary;
}
