import { errorText } from '../core/errors';
import { endsWithTerminalEvent } from './pump';
import type { CallError, CallObserver, CapturedBytes } from './types';

/** The trace side collects what was piped at most this often (the end at once): few wake-ups per stream. */
const COLLECT_MS = 250;
/** Bytes one collecting read takes at most. */
const READ_BYTES = 64 * 1024;
/** How long the trace side waits for bytes already on their way: what the client got is traced too. */
const SETTLE_MS = 20;

export interface RelayOptions {
  /** How long the upstream may stay silent before the stream is cut. */
  idleTimeoutMs: number;
  /** Fires when the client disconnects. */
  clientSignal?: AbortSignal;
}

interface Failure {
  reason: 'upstream_error' | 'client_abort';
  error: CallError;
}

/**
 * An Anthropic event stream passed through natively: the runtime pipes the upstream's bytes to the
 * client (no JavaScript per chunk), and the trace collects a tee'd copy in bulk, a few reads per
 * stream. A native pipe cannot append an `error` event, so a stream that breaks, stalls past
 * `idleTimeoutMs` or ends without `message_stop` is aborted instead: the client's connection ends
 * with an error (every client reports it as one), never with a clean-looking end, and the trace
 * records what happened.
 *
 * Stalls are watched here, from the trace's copy (the upstream's silence, not the client's), so a
 * stalled upstream is let go after `idleTimeoutMs` whatever the client does; Claude Code's own
 * watchdog (300 s, the default idleTimeoutMs) is the same length.
 */
export function relayEventStream(
  upstream: ReadableStream<Uint8Array>,
  observer: CallObserver,
  capture: CapturedBytes,
  options: RelayOptions,
): ReadableStream<Uint8Array> {
  observer.expectBody();
  const { idleTimeoutMs, clientSignal } = options;
  const [toClient, toTrace] = upstream.tee();
  const { readable, writable } = new IdentityTransformStream();
  // The pipe only moves bytes; closing, aborting and cancelling are decided below.
  const stop = new AbortController();
  const piped = toClient.pipeTo(writable, { preventClose: true, preventAbort: true, preventCancel: true, signal: stop.signal }).then(
    () => true,
    () => false,
  );
  // A client that leaves stops the pipe at once, even while the upstream is silent.
  clientSignal?.addEventListener('abort', () => stop.abort(new Error('client disconnected')), { once: true });
  const copy = new Collector(toTrace);

  const keep = (bytes: Uint8Array) => {
    observer.firstByte();
    capture.chunks.push(bytes);
    capture.bytes += bytes.byteLength;
  };
  const clientLeft = (): Failure => ({ reason: 'client_abort', error: { type: 'client_abort', message: `client disconnected after ${capture.bytes} bytes` } });
  // A client that leaves aborts the upstream call too: that error is the client's doing.
  const upstreamBroke = (err: unknown): Failure =>
    clientSignal?.aborted
      ? clientLeft()
      : {
          reason: 'upstream_error',
          error: { type: 'api_error', message: `upstream connection failed mid-stream after ${capture.bytes} bytes: ${errorText(err)}` },
        };

  /** Takes what the trace's copy holds already; how it ended, if it did. */
  const takeArrived = async (): Promise<'more' | 'ended' | { error: unknown }> => {
    for (;;) {
      const result = await copy.take(SETTLE_MS);
      if (result === TIMED_OUT) return 'more';
      if ('error' in result) return { error: result.error };
      if (result.done) return 'ended';
      keep(result.value);
    }
  };

  const collect = async (): Promise<Failure | null> => {
    let lastByteAt = Date.now();
    let ended = false;
    // Settles once, when the pipe ends: every wait on it is let go then (nothing waits forever).
    const pipeEnded = piped.then((ok): { other: typeof PIPE_DONE | typeof PIPE_FAILED } => ({ other: ok ? PIPE_DONE : PIPE_FAILED }));
    let pipeDone = false;
    void piped.then(() => (ended = true));
    for (;;) {
      const result = await copy.take(idleTimeoutMs - (Date.now() - lastByteAt), pipeDone ? undefined : pipeEnded);
      if (result === PIPE_DONE) {
        pipeDone = true; // the client has all of it: the trace's copy is read to its end
        continue;
      }
      if (result === TIMED_OUT) {
        return {
          reason: 'upstream_error',
          error: { type: 'timeout_error', message: `the upstream sent nothing for ${idleTimeoutMs} ms (after ${capture.bytes} bytes)` },
        };
      }
      if (result === PIPE_FAILED) {
        // The client's side failed: the client left, or the upstream broke (then the trace's copy
        // ends with the same error, at once).
        const arrived = await takeArrived();
        return clientSignal?.aborted || typeof arrived === 'string' ? clientLeft() : upstreamBroke(arrived.error);
      }
      if ('error' in result) return upstreamBroke(result.error);
      if (result.done) break;
      keep(result.value);
      lastByteAt = Date.now();
      // Let the runtime pipe a while before collecting again; once the upstream has ended, at once.
      if (!ended) await timed(piped, Math.min(COLLECT_MS, idleTimeoutMs / 10));
    }
    // The upstream ended: its last bytes reach the client before the stream is closed or aborted.
    if (!(await piped)) return clientLeft();
    if (!endsWithTerminalEvent(capture.chunks)) {
      return { reason: 'upstream_error', error: { type: 'api_error', message: `upstream stream ended after ${capture.bytes} bytes without message_stop` } };
    }
    return null;
  };

  const finish = async (failure: Failure | null) => {
    if (!failure) {
      await writable
        .getWriter()
        .close()
        .catch(() => {});
      observer.end('complete');
      return;
    }
    stop.abort(new Error(failure.error.message));
    await piped;
    // The client's stream errors: it cannot be mistaken for a complete answer.
    await writable
      .getWriter()
      .abort(new Error(failure.error.message))
      .catch(() => {});
    // Whatever the client was sent is traced; then both branches go, and the upstream call with them.
    if (failure.reason === 'client_abort') await takeArrived();
    await Promise.all([copy.cancel(), toClient.cancel().catch(() => {})]);
    observer.end(failure.reason, failure.error);
  };

  void collect().then(finish, (err: unknown) => finish(upstreamBroke(err)));
  return readable;
}

type Collected = { done: true } | { done: false; value: Uint8Array } | { error: unknown };

const TIMED_OUT = Symbol('timed out');
const PIPE_FAILED = Symbol('pipe failed');
const PIPE_DONE = Symbol('pipe done');

/**
 * The trace's copy of a stream, read in bulk: each read takes whatever has arrived (up to
 * READ_BYTES) as one compact copy. A byte stream (the runtime's own, as fetch bodies are) is read
 * into one reused buffer; any other stream chunk by chunk. A read that outlasts a wait stays in
 * flight for the next one, so no byte is lost.
 */
class Collector {
  private readonly read: () => Promise<Collected>;
  private readonly reader: ReadableStreamBYOBReader | ReadableStreamDefaultReader<Uint8Array>;
  private inFlight: Promise<Collected> | null = null;

  constructor(stream: ReadableStream<Uint8Array>) {
    let byob: ReadableStreamBYOBReader | null = null;
    try {
      byob = stream.getReader({ mode: 'byob' });
    } catch {
      // not a byte stream
    }
    if (byob) {
      const reader = byob;
      let buffer = new ArrayBuffer(READ_BYTES);
      this.reader = reader;
      this.read = () =>
        reader.readAtLeast(1, new Uint8Array(buffer)).then((result): Collected => {
          if (result.value) buffer = result.value.buffer as ArrayBuffer;
          return result.done || !result.value ? { done: true } : { done: false, value: result.value.slice() };
        }, failed);
    } else {
      const reader = stream.getReader();
      this.reader = reader;
      this.read = () => reader.read().then((result): Collected => (result.done ? { done: true } : { done: false, value: result.value }), failed);
    }
  }

  /** The next bytes, or TIMED_OUT after `ms` (or `instead`'s value, should it come first). */
  async take<T = never>(ms: number, instead?: Promise<{ other: T }>): Promise<Collected | T | typeof TIMED_OUT> {
    this.inFlight ??= this.read();
    const read = this.inFlight.then((collected) => ({ read: collected }));
    const first = await timed(instead ? Promise.race([read, instead]) : read, ms);
    if (first === TIMED_OUT) return TIMED_OUT;
    if ('other' in first) return first.other;
    this.inFlight = null;
    return first.read;
  }

  cancel(): Promise<void> {
    return this.reader.cancel().catch(() => {});
  }
}

const failed = (error: unknown): Collected => ({ error });

/** The promise's value, or TIMED_OUT after `ms`; the timer is cleared either way. */
async function timed<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), Math.max(0, ms));
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    if (timer !== null) clearTimeout(timer);
  }
}
