import { createParser } from 'eventsource-parser';
import { MessageAccumulator } from '../anthropic/accumulate';
import type { MessageResponse, StreamEvent } from '../anthropic/types';
import type { NewTrace } from '../db/schema';
import { concat } from './relay';
import { scrubSecrets } from './redact';
import type { TraceContext } from './trace';

/** D1 caps a row at 2,000,000 bytes; bodies share what the other columns leave. */
export const ROW_BODY_BUDGET = 1_900_000;

const decoder = new TextDecoder();

/**
 * Turns a finished trace into the row to store: summarises the response. Bodies are kept
 * whole; the writer drops (by policy), scrubs, moves or cuts them.
 */
export function buildRow(trace: TraceContext): NewTrace {
  const row = { ...trace.row };
  if (trace.attempts.length > 0) row.attempts = trace.attempts;
  summarizeResponse(trace, row);
  if (row.upstreamRequestBody) row.upstreamRequestBytes = utf8Length(row.upstreamRequestBody);
  return row;
}

/** TRACE_BODIES says not to keep them: sizes and the summary stay. */
export function dropBodies(row: NewTrace): void {
  row.requestBody = null;
  row.upstreamRequestBody = null;
  row.responseBody = null;
}

function summarizeResponse(trace: TraceContext, row: NewTrace): void {
  const captured = trace.response;
  if (!captured) return;
  row.responseBytes = captured.bytes;
  if (captured.kind === 'message') {
    if (captured.accumulator) {
      const message = captured.accumulator.result();
      if (captured.accumulator.error) recordError(row, captured.accumulator.error);
      if (message) {
        row.responseBody = JSON.stringify(message);
        recordMessage(row, message);
      }
    } else if (captured.body !== undefined) {
      row.responseBody = captured.text ?? JSON.stringify(captured.body);
      summarizeJson(row, captured.body);
    }
    if (row.responseBody && !captured.bytes) row.responseBytes = row.responseBody.length;
    return;
  }
  const text = decoder.decode(concat(captured.chunks, captured.bytes));
  if (captured.sse) {
    const accumulator = accumulateSse(text);
    const message = accumulator.result();
    if (accumulator.error) recordError(row, accumulator.error);
    if (message) {
      row.responseBody = JSON.stringify(message);
      recordMessage(row, message);
    } else {
      row.responseBody = text;
    }
    return;
  }
  row.responseBody = text;
  try {
    summarizeJson(row, JSON.parse(text));
  } catch {
    // not JSON: stored as text
  }
}

/** Reads usage, stop reason or error out of a JSON answer: a message, an error, or a count_tokens result. */
function summarizeJson(row: NewTrace, parsed: unknown): void {
  if (!parsed || typeof parsed !== 'object') return;
  const body = parsed as { type?: unknown; error?: unknown };
  if (body.type === 'message') recordMessage(row, parsed as MessageResponse);
  else if (body.error && typeof body.error === 'object') {
    const error = body.error as { type?: unknown; message?: unknown };
    recordError(row, { type: String(error.type ?? 'api_error'), message: String(error.message ?? '') });
  } else if ('input_tokens' in body && typeof (body as { input_tokens: unknown }).input_tokens === 'number') {
    // count_tokens answers {input_tokens}
    row.inputTokens = (body as { input_tokens: number }).input_tokens;
  }
}

/** Replays an Anthropic SSE text through the accumulator. */
export function accumulateSse(text: string): MessageAccumulator {
  const accumulator = new MessageAccumulator();
  const parser = createParser({
    onEvent(message) {
      try {
        accumulator.apply(JSON.parse(message.data) as StreamEvent);
      } catch {
        // a malformed frame: keep what the others say
      }
    },
  });
  parser.feed(text);
  parser.reset({ consume: true });
  return accumulator;
}

function recordMessage(row: NewTrace, message: MessageResponse): void {
  row.stopReason = message.stop_reason ?? row.stopReason ?? null;
  const usage = message.usage;
  if (!usage) return;
  row.inputTokens = numberOrNull(usage.input_tokens);
  row.outputTokens = numberOrNull(usage.output_tokens);
  row.cacheReadInputTokens = numberOrNull(usage.cache_read_input_tokens);
  row.cacheCreationInputTokens = numberOrNull(usage.cache_creation_input_tokens);
}

function recordError(row: NewTrace, error: { type: string; message: string }): void {
  // The first recorded cause wins: a client abort or a cut stream says more than what followed.
  row.errorType ??= error.type;
  row.errorMessage ??= error.message;
  if (row.endReason === 'complete') row.endReason = 'error';
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
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

const encoder = new TextEncoder();

/** UTF-8 size: the encoder is native and fast; a regex over the text is slow in workerd. */
export function utf8Length(text: string): number {
  return encoder.encode(text).byteLength;
}

export function truncateUtf8(text: string, maxBytes: number): string {
  const bytes = encoder.encode(text);
  if (bytes.byteLength <= maxBytes) return text;
  // Drop a partial character at the cut rather than store a replacement character.
  let end = maxBytes;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return decoder.decode(bytes.subarray(0, end));
}

/** Replaces secrets in every stored column, JSON columns included. */
export function scrubRow(row: NewTrace, secrets: Set<string>): void {
  const record = row as Record<string, unknown>;
  // The translated request is made from the request: if that held nothing to scrub, neither does it.
  const requestClean = typeof row.requestBody === 'string' && scrubSecrets(row.requestBody, secrets) === row.requestBody;
  for (const [key, value] of Object.entries(record)) {
    if (key === 'requestBody' || (key === 'upstreamRequestBody' && requestClean)) continue;
    if (typeof value === 'string') record[key] = scrubSecrets(value, secrets);
    else if (value && typeof value === 'object' && !(value instanceof Date)) {
      // JSON columns (headers, attempts): scrub their text, keep their shape.
      const text = JSON.stringify(value);
      const scrubbed = scrubSecrets(text, secrets);
      if (scrubbed !== text) record[key] = JSON.parse(scrubbed);
    }
  }
  if (typeof row.requestBody === 'string' && !requestClean) row.requestBody = scrubSecrets(row.requestBody, secrets);
}
