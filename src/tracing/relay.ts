import { encodeEvent, errorEvent } from '../anthropic/sse';
import type { CapturedBytes, TraceContext } from './trace';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Passes an upstream body to the client chunk by chunk, untouched, keeping a reference to each
 * chunk for the trace. An SSE stream that breaks or ends without `message_stop` is closed with
 * an Anthropic `error` event, so the client never mistakes a cut stream for a complete answer.
 */
export function relayBody(upstream: ReadableStream<Uint8Array>, trace: TraceContext, sse: boolean): ReadableStream<Uint8Array> {
  const reader = upstream.getReader();
  const capture: CapturedBytes = { kind: 'bytes', chunks: [], bytes: 0, sse };
  trace.response = capture;
  trace.expectBody();

  const failStream = (controller: ReadableStreamDefaultController<Uint8Array>, message: string, cause?: unknown) => {
    trace.end('upstream_error', { type: 'api_error', message });
    if (sse) {
      // A blank line first ends any event the upstream left half-written.
      controller.enqueue(encoder.encode(`\n\n${encodeEvent(errorEvent('api_error', message))}`));
      controller.close();
    } else {
      controller.error(cause ?? new Error(message));
    }
  };

  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let result: ReadableStreamReadResult<Uint8Array>;
        try {
          result = await reader.read();
        } catch (err) {
          failStream(controller, `upstream connection failed mid-response after ${capture.bytes} bytes: ${errorText(err)}`, err);
          return;
        }
        if (result.done) {
          if (sse && !endsWithTerminalEvent(capture.chunks)) {
            failStream(controller, `upstream stream ended after ${capture.bytes} bytes without message_stop`);
          } else {
            trace.end('complete');
            controller.close();
          }
          return;
        }
        trace.firstByte();
        capture.chunks.push(result.value);
        capture.bytes += result.value.byteLength;
        controller.enqueue(result.value);
      },
      cancel(reason) {
        trace.end('client_abort', { type: 'client_abort', message: `client disconnected after ${capture.bytes} bytes` });
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

const TAIL_BYTES = 4096;

/** Whether the last SSE event in the chunks is `message_stop` or `error`: reads only the tail. */
export function endsWithTerminalEvent(chunks: readonly Uint8Array[]): boolean {
  const tail: Uint8Array[] = [];
  let size = 0;
  for (let i = chunks.length - 1; i >= 0 && size < TAIL_BYTES; i--) {
    tail.unshift(chunks[i]!);
    size += chunks[i]!.byteLength;
  }
  const text = decoder.decode(concat(tail, size));
  const at = text.lastIndexOf('event:');
  if (at < 0) return false;
  const eol = text.indexOf('\n', at);
  const name = text.slice(at + 6, eol < 0 ? undefined : eol).trim();
  return name === 'message_stop' || name === 'error';
}

export function concat(chunks: readonly Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
