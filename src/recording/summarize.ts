import { createParser } from 'eventsource-parser';
import { concat } from '../core/bytes';
import { MessageAccumulator } from '../protocol/accumulate';
import type { MessageResponse, StreamEvent } from '../protocol/types';
import type { CapturedResponse } from '../upstream/types';
import type { CompletedRequest } from './recorder';

const decoder = new TextDecoder();

type Summary = Pick<
  CompletedRequest,
  | 'responseBody'
  | 'responseBytes'
  | 'stopReason'
  | 'inputTokens'
  | 'outputTokens'
  | 'cacheReadInputTokens'
  | 'cacheCreationInputTokens'
  | 'errorType'
  | 'errorMessage'
  | 'endReason'
>;

/**
 * Reads what the client was sent: the answer's body (a stream reassembled into its final
 * message), usage, stop reason, and the error it carried, if any.
 */
export function summarizeResponse(captured: CapturedResponse, out: Summary): void {
  out.responseBytes = captured.bytes;
  if (captured.kind === 'message') {
    if (captured.accumulator) {
      const message = captured.accumulator.result();
      if (captured.accumulator.error) recordError(out, captured.accumulator.error);
      if (message) {
        out.responseBody = JSON.stringify(message);
        recordMessage(out, message);
      }
    } else if (captured.body !== undefined) {
      out.responseBody = captured.text ?? JSON.stringify(captured.body);
      summarizeJson(out, captured.body);
    }
    if (out.responseBody && !captured.bytes) out.responseBytes = out.responseBody.length;
    return;
  }
  const text = decoder.decode(concat(captured.chunks, captured.bytes));
  if (captured.sse) {
    const accumulator = accumulateSse(text);
    const message = accumulator.result();
    if (accumulator.error) recordError(out, accumulator.error);
    if (message) {
      out.responseBody = JSON.stringify(message);
      recordMessage(out, message);
    } else {
      out.responseBody = text;
    }
    return;
  }
  out.responseBody = text;
  try {
    summarizeJson(out, JSON.parse(text));
  } catch {
    // not JSON: stored as text
  }
}

/** Reads usage, stop reason or error out of a JSON answer: a message, an error, or a count_tokens result. */
function summarizeJson(out: Summary, parsed: unknown): void {
  if (!parsed || typeof parsed !== 'object') return;
  const body = parsed as { type?: unknown; error?: unknown };
  if (body.type === 'message') recordMessage(out, parsed as MessageResponse);
  else if (body.error && typeof body.error === 'object') {
    const error = body.error as { type?: unknown; message?: unknown };
    recordError(out, { type: String(error.type ?? 'api_error'), message: String(error.message ?? '') });
  } else if ('input_tokens' in body && typeof (body as { input_tokens: unknown }).input_tokens === 'number') {
    // count_tokens answers {input_tokens}
    out.inputTokens = (body as { input_tokens: number }).input_tokens;
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

function recordMessage(out: Summary, message: MessageResponse): void {
  out.stopReason = message.stop_reason ?? out.stopReason ?? null;
  const usage = message.usage;
  if (!usage) return;
  out.inputTokens = numberOrNull(usage.input_tokens);
  out.outputTokens = numberOrNull(usage.output_tokens);
  out.cacheReadInputTokens = numberOrNull(usage.cache_read_input_tokens);
  out.cacheCreationInputTokens = numberOrNull(usage.cache_creation_input_tokens);
}

function recordError(out: Summary, error: { type: string; message: string }): void {
  // The first recorded cause wins: a client abort or a cut stream says more than what followed.
  out.errorType ??= error.type;
  out.errorMessage ??= error.message;
  if (out.endReason === 'complete') out.endReason = 'error';
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}
