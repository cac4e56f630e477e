import { concat } from '../core/bytes';
import { errorText } from '../core/errors';
import type { CallError, CallObserver, CapturedBytes } from './types';
import { Watchdog } from './watchdog';

const decoder = new TextDecoder();

/**
 * What a stream does to the bytes it pumps: translate them (an OpenAI-compatible stream, or
 * Bedrock's binary event stream, into Anthropic events); passthrough event streams are piped
 * natively instead (src/upstream/relay.ts). The pump owns reading, silences,
 * disconnects and closing; a transform only turns bytes into bytes.
 */
export interface StreamTransform {
  /** Bytes for the client before the upstream sends anything (a translated stream's `message_start`). */
  start?(): Uint8Array | null;
  /** One upstream chunk → the bytes it completes for the client (null: nothing yet). */
  chunk(bytes: Uint8Array): Uint8Array | null;
  /** The upstream body ended: the last bytes, and the failure if the answer was not complete. */
  end(): { bytes: Uint8Array | null; failure: CallError | null };
  /** Bytes that close the stream with an Anthropic `error` event. */
  fail(error: CallError): Uint8Array | null;
  /** A keep-alive for the client while the upstream is silent; absent, none is sent. */
  ping?(): Uint8Array | null;
  /** The transform has seen the end of the answer (e.g. `[DONE]`, or an error frame): the pump closes. */
  readonly done: boolean;
  /** The error the answer ended with, if the stream itself carried one. */
  readonly failure: CallError | null;
}

export interface PumpOptions {
  /** How long the upstream may stay silent before the stream is failed. */
  idleTimeoutMs: number;
  /** How often a silent stream pings the client (needs `transform.ping`). */
  pingMs?: number;
}

/**
 * The one stream pump: upstream bytes through a transform to the client, one upstream read per
 * pull, so nothing is buffered ahead of the client. A stream that breaks, stalls past
 * `idleTimeoutMs`, or ends before the answer is complete is closed with an Anthropic `error`
 * event: the client never mistakes a cut stream for a complete answer.
 */
export function pump(
  upstream: ReadableStream<Uint8Array>,
  transform: StreamTransform,
  observer: CallObserver,
  options: PumpOptions,
): ReadableStream<Uint8Array> {
  const reader = upstream.getReader();
  let sent = 0;
  let closed = false;
  let stalled: string | null = null;
  let output: ReadableStreamDefaultController<Uint8Array> | null = null;
  observer.expectBody();

  const enqueue = (controller: ReadableStreamDefaultController<Uint8Array>, bytes: Uint8Array | null) => {
    if (!bytes || bytes.byteLength === 0) return;
    sent += bytes.byteLength;
    controller.enqueue(bytes);
    watchdog.clientSent();
  };
  const ping = transform.ping?.bind(transform);
  const watchdog = new Watchdog(
    options.idleTimeoutMs,
    () => {
      stalled = `the upstream sent nothing for ${options.idleTimeoutMs} ms (after ${sent} bytes)`;
      reader.cancel(stalled).catch(() => {});
    },
    ping && options.pingMs ? { ms: options.pingMs, onQuiet: () => !closed && output && enqueue(output, ping()) } : undefined,
  );

  const close = (controller: ReadableStreamDefaultController<Uint8Array>, failure: CallError | null) => {
    closed = true;
    watchdog.stop();
    if (failure) {
      try {
        enqueue(controller, transform.fail(failure));
      } catch {
        // The error event could not be written: the stream is errored below instead.
        controller.error(new Error(failure.message));
      }
    }
    try {
      controller.close();
    } catch {
      // already errored
    }
    const error = failure ?? transform.failure;
    if (error) observer.end('upstream_error', error);
    else observer.end('complete');
    // Whatever the upstream still sends after the end is of no use.
    reader.cancel().catch(() => {});
  };

  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        output = controller;
        enqueue(controller, transform.start?.() ?? null);
      },
      async pull(controller) {
        try {
          await pullOnce(controller);
        } catch (err) {
          // A transform that throws on what the upstream sent (a frame no converter expects): the
          // answer is broken, so the stream ends with an error event and the trace says why.
          if (!closed) close(controller, { type: 'api_error', message: `the proxy could not read the upstream stream after ${sent} bytes: ${errorText(err)}` });
        }
      },
      cancel(reason) {
        closed = true;
        watchdog.stop();
        observer.end('client_abort', { type: 'client_abort', message: `client disconnected after ${sent} bytes` });
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );

  async function pullOnce(controller: ReadableStreamDefaultController<Uint8Array>): Promise<void> {
    while (!closed) {
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await reader.read();
      } catch (err) {
        close(
          controller,
          stalled
            ? { type: 'timeout_error', message: stalled }
            : { type: 'api_error', message: `upstream connection failed mid-stream after ${sent} bytes: ${errorText(err)}` },
        );
        return;
      }
      if (stalled) {
        close(controller, { type: 'timeout_error', message: stalled });
        return;
      }
      if (result.done) {
        const last = transform.end();
        enqueue(controller, last.bytes);
        close(controller, last.failure);
        return;
      }
      watchdog.upstreamActive();
      observer.firstByte();
      const bytes = transform.chunk(result.value);
      enqueue(controller, bytes);
      if (transform.done) close(controller, null);
      // One read per pull once something went out: the client's pace drives the upstream's.
      if (bytes) return;
    }
  }
}

/**
 * A JSON answer arrives whole once its headers do, and has no event to end it with: it goes to
 * the client untouched on one branch of a tee (no JavaScript per chunk) while the other branch
 * is collected natively for the trace. A body that breaks errors both branches.
 */
export function relayWhole(upstream: ReadableStream<Uint8Array>, observer: CallObserver, capture: CapturedBytes): ReadableStream<Uint8Array> {
  const [toClient, toTrace] = upstream.tee();
  observer.expectBody();
  observer.firstByte();
  new Response(toTrace).arrayBuffer().then(
    (buffer) => {
      capture.chunks.push(new Uint8Array(buffer));
      capture.bytes = buffer.byteLength;
      observer.end('complete');
    },
    (err: unknown) => observer.end('upstream_error', { type: 'api_error', message: `upstream connection failed mid-response: ${errorText(err)}` }),
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
