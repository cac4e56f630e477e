import { encodeEvent, errorEvent } from '../anthropic/sse';
import { Watchdog } from '../providers/watchdog';
import type { CapturedBytes, TraceContext } from './trace';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Passes an upstream body to the client untouched, keeping its bytes for the trace.
 *
 * An event stream is relayed chunk by chunk through JavaScript, because that is what lets it be
 * finished properly: one that breaks, stalls past `idleTimeoutMs`, or ends without
 * `message_stop` is closed with an Anthropic `error` event, so the client never mistakes a cut
 * stream for a complete answer. (The runtime charges for every chunk JavaScript sees: see the
 * README's Performance section.) A JSON body is relayed natively (`relayWhole`).
 */
export function relayBody(upstream: ReadableStream<Uint8Array>, trace: TraceContext, sse: boolean, idleTimeoutMs: number): ReadableStream<Uint8Array> {
  const capture: CapturedBytes = { kind: 'bytes', chunks: [], bytes: 0, sse };
  trace.response = capture;
  trace.expectBody();
  if (!sse) return relayWhole(upstream, trace, capture);
  const reader = upstream.getReader();
  let stalled: string | null = null;
  const watchdog = new Watchdog(idleTimeoutMs, () => {
    stalled = `the upstream sent nothing for ${idleTimeoutMs} ms (after ${capture.bytes} bytes)`;
    reader.cancel(stalled).catch(() => {});
  });

  const failStream = (controller: ReadableStreamDefaultController<Uint8Array>, type: string, message: string) => {
    watchdog.stop();
    trace.end('upstream_error', { type, message });
    // A blank line first ends any event the upstream left half-written.
    controller.enqueue(encoder.encode(`\n\n${encodeEvent(errorEvent(type, message))}`));
    controller.close();
  };

  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let result: ReadableStreamReadResult<Uint8Array>;
        try {
          result = await reader.read();
        } catch (err) {
          if (stalled) failStream(controller, 'timeout_error', stalled);
          else failStream(controller, 'api_error', `upstream connection failed mid-response after ${capture.bytes} bytes: ${errorText(err)}`);
          return;
        }
        if (stalled) {
          failStream(controller, 'timeout_error', stalled);
          return;
        }
        if (result.done) {
          if (!endsWithTerminalEvent(capture.chunks)) {
            failStream(controller, 'api_error', `upstream stream ended after ${capture.bytes} bytes without message_stop`);
          } else {
            watchdog.stop();
            trace.end('complete');
            controller.close();
          }
          return;
        }
        watchdog.upstreamActive();
        trace.firstByte();
        capture.chunks.push(result.value);
        capture.bytes += result.value.byteLength;
        controller.enqueue(result.value);
      },
      cancel(reason) {
        watchdog.stop();
        trace.end('client_abort', { type: 'client_abort', message: `client disconnected after ${capture.bytes} bytes` });
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * A JSON answer arrives whole once its headers do, and has no event to end it with: it goes to
 * the client untouched on one branch of a tee (no JavaScript per chunk) while the other branch
 * is collected natively for the trace. A body that breaks errors both branches.
 */
function relayWhole(upstream: ReadableStream<Uint8Array>, trace: TraceContext, capture: CapturedBytes): ReadableStream<Uint8Array> {
  const [toClient, toTrace] = upstream.tee();
  trace.firstByte();
  new Response(toTrace).arrayBuffer().then(
    (buffer) => {
      capture.chunks.push(new Uint8Array(buffer));
      capture.bytes = buffer.byteLength;
      trace.end('complete');
    },
    (err: unknown) => trace.end('upstream_error', { type: 'api_error', message: `upstream connection failed mid-response: ${errorText(err)}` }),
  );
  return toClient;
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
