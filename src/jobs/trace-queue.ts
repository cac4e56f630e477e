import type { Config } from '../config';
import { errorText } from '../core/errors';
import { log } from '../core/log';
import { logSummary } from '../storage/persist';
import { fromQueueMessage, type PreparedWrite, preparedStatements, pruneReceipts, writePrepared, writeSpendAlone } from '../storage/trace-write';

/** A queue whose name ends so is the trace queue's dead-letter queue (see wrangler.jsonc in the README). */
export const DEAD_LETTER_SUFFIX = '-dlq';
/** Retries are spaced 10 s, 20 s, 40 s… apart, at most this long. */
const MAX_RETRY_DELAY_S = 300;

/**
 * The TRACE_QUEUE consumer: a batch of prepared writes (scrubbed, priced rows and spend, up to
 * 100) goes to D1 as one batch, idempotently by trace id (Queues deliver at least once). When the
 * batch fails, each write is tried on its own, so one bad write holds back no other: those that
 * fail are retried with a growing delay, and after the queue's `max_retries` they go to the
 * dead-letter queue. Its consumer (this one, for a queue named `…-dlq`) tries each write once more
 * and, failing that, writes it to the Workers log as `trace_write_failed` (bodies shortened), so
 * nothing is lost without a trace in the log.
 */
export async function consumeTraceBatch(config: Config, batch: MessageBatch<unknown>, now = Date.now()): Promise<void> {
  const deadLetters = batch.queue.endsWith(DEAD_LETTER_SUFFIX);
  const writes: { message: Message<unknown>; write: PreparedWrite }[] = [];
  for (const message of batch.messages) {
    const write = fromQueueMessage(message.body);
    if (write) writes.push({ message, write });
    else {
      // Nothing will ever make it writable: it is logged (it holds no secret) and let go.
      log('error', 'trace_queue_message_invalid', null, { queue: batch.queue, message_id: message.id, body: String(message.body).slice(0, 2_000) });
      message.ack();
    }
  }
  if (writes.length === 0) return;
  try {
    const statements = [
      ...preparedStatements(
        config.db,
        writes.map((w) => w.write),
        { receipts: true },
      ),
      pruneReceipts(config.db, now),
    ];
    await config.db.batch(statements as [(typeof statements)[0], ...typeof statements]);
    for (const { message } of writes) message.ack();
    return;
  } catch (err) {
    log('warn', 'trace_queue_batch_failed', null, { queue: batch.queue, messages: writes.length, error: errorText(err) });
  }
  for (const { message, write } of writes) {
    try {
      await writePrepared(config.db, [write], { receipts: true });
      message.ack();
    } catch (err) {
      if (!deadLetters) {
        message.retry({ delaySeconds: Math.min(MAX_RETRY_DELAY_S, 10 * 2 ** Math.max(0, message.attempts - 1)) });
        continue;
      }
      const fields: Record<string, unknown> = { error: errorText(err), queue: batch.queue };
      if (write.row) fields.trace = logSummary(write.row);
      // The trace is in the log line; its cost must still reach the key's budget, once.
      if (write.row && write.spend) {
        fields.spend_written = await writeSpendAlone(config.db, write, { receipts: true }).then(
          () => true,
          () => false,
        );
      }
      if (write.spend) fields.spend = write.spend;
      log('error', 'trace_write_failed', write.id, fields);
      message.ack();
    }
  }
}
