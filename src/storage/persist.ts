import type { BatchItem } from 'drizzle-orm/batch';
import type { Config } from '../config';
import { errorText } from '../core/errors';
import { log } from '../core/log';
import { scrubSecrets } from '../core/redact';
import type { CompletedRequest } from '../recording/recorder';
import { type Cost, priceRequest } from './prices';
import { forgetConversations } from './conversations';
import { forgetStoredPieces } from './pieces';
import type { NewTrace } from './schema';
import { addSpend, noteSpend } from './spend';
import { noteWritten, type PreparedTrace, shouldStore, traceRow, traceStatements } from './writer';

/** Bodies kept in the fallback log line: Workers Logs cut a line at 128 KB. */
const LOG_BODY_CHARS = 4_000;

const NO_COST: Cost = { costMicros: null, priceId: null };

/**
 * Stores what a finished request left: its trace (unless TRACING=off or sampling leaves it out)
 * and, for a named proxy key, its cost in `key_spend`, whether traced or not, so budgets hold.
 * One D1 batch for both. Runs in `waitUntil`, after the answer: it never throws, so a D1
 * failure can only cost the trace, never the client's answer. A failed batch is retried once,
 * rebuilt on nothing this isolate remembers (an earlier trace or piece it built on may have gone);
 * then the trace goes to the Workers log as one JSON line, and its spend is written on its own.
 */
export async function persist(config: Config, record: CompletedRequest): Promise<void> {
  const stored = shouldStore(config, record);
  const keyName = record.apiKeyName;
  if (!stored && !keyName && !config.trace.enabled) return;
  let cost = NO_COST;
  let prepared: PreparedTrace | null = null;
  try {
    if (stored || keyName || config.trace.logRequests) cost = await priceRequest(config.db, record);
    if (stored) prepared = await traceRow(config, record, cost);
  } catch (err) {
    log('error', 'trace_build_failed', record.id, { error: errorText(err) });
    prepared = null;
  }
  if (config.trace.enabled && config.trace.logRequests) {
    log('info', 'request', record.id, requestLogFields(record, cost, stored, [...config.secrets, ...record.secrets]));
  }

  const spend = keyName ? addSpend(config.db, keyName, cost.costMicros ?? 0, record.createdAt) : null;
  if (!prepared && !spend) return;
  let written = false;
  let firstError: unknown;
  for (let attempt = 0; attempt < 2 && !written; attempt++) {
    try {
      if (attempt > 0 && prepared) {
        forgetStoredPieces();
        forgetConversations();
        prepared = await traceRow(config, record, cost);
      }
      const statements: BatchItem<'sqlite'>[] = [...(prepared ? traceStatements(config.db, prepared) : []), ...(spend ? [spend] : [])];
      await config.db.batch(statements as [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]]);
      written = true;
      if (prepared) noteWritten(prepared);
    } catch (err) {
      firstError ??= err;
    }
  }
  const row = prepared?.row;
  if (!written) {
    if (row) log('error', 'trace_write_failed', record.id, { error: errorText(firstError), trace: logSummary(row) });
    // The trace is in the log line; its cost must still reach the key's budget.
    if (spend)
      written = await spend.run().then(
        () => true,
        (err: unknown) => {
          log('error', 'key_spend_write_failed', record.id, { error: errorText(err), api_key_name: keyName, cost_micros: cost.costMicros });
          return false;
        },
      );
  }
  if (written && keyName && cost.costMicros) noteSpend(config.d1, keyName, cost.costMicros, record.createdAt.getTime());
}

/** The request's one log line: what happened, without bodies, headers or secrets. */
function requestLogFields(record: CompletedRequest, cost: Cost, stored: boolean, secrets: readonly string[]): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    method: record.method,
    path: record.path,
    status: record.status,
    requested_model: record.requestedModel,
    route_name: record.routeName,
    provider: record.provider,
    target_model: record.targetModel,
    stream: record.stream,
    session_id: record.sessionId,
    api_key_name: record.apiKeyName,
    error_type: record.errorType,
    error_message: record.errorMessage?.slice(0, 500),
    end_reason: record.endReason,
    stop_reason: record.stopReason,
    input_tokens: record.inputTokens,
    output_tokens: record.outputTokens,
    cost_micros: cost.costMicros,
    ttft_ms: record.ttftMs,
    duration_ms: record.durationMs,
    attempts: record.attempts?.length ?? 0,
    stored,
  };
  // Client-supplied strings are scrubbed here: a sampled-out request was never scrubbed.
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
