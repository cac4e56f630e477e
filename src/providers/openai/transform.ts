import { createParser } from 'eventsource-parser';
import { MessageAccumulator } from '../../protocol/accumulate';
import { encodeEvent } from '../../protocol/sse';
import type { StreamEvent } from '../../protocol/types';
import type { StreamTransform } from '../../upstream/pump';
import type { CallError, CallObserver, CapturedMessage } from '../../upstream/types';

/** A translated stream's conversion, one upstream SSE event at a time (pure state, no I/O). */
export interface EventConverter {
  /** Events to send before the upstream says anything (`message_start`). */
  start(): StreamEvent[];
  /** One upstream SSE event: its `event:` name (if any) and its data. */
  event(name: string | undefined, data: string): StreamEvent[];
  /** The upstream body ended: the last events, and the failure if the answer was not complete. */
  end(): { events: StreamEvent[]; failure: CallError | null };
  /** Events that end the stream with an Anthropic error. */
  fail(error: CallError): StreamEvent[];
  /** The answer is over (finished or failed). */
  readonly done: boolean;
}

const encoder = new TextEncoder();

/**
 * An upstream event stream → Anthropic SSE, as a transform for the stream pump: upstream bytes
 * are parsed into events, converted, accumulated for the trace, encoded. `message_start` goes
 * out at once; pings cover silences; a broken or truncated upstream ends the stream with an
 * `error` event.
 */
export function translatedStreamTransform(converter: EventConverter, observer: CallObserver): StreamTransform {
  const decoder = new TextDecoder();
  const accumulator = new MessageAccumulator();
  const captured: CapturedMessage = { kind: 'message', accumulator, bytes: 0 };
  observer.response(captured);

  let pending: StreamEvent[] = [];
  const parser = createParser({
    onEvent(message) {
      pending.push(...converter.event(message.event, message.data));
    },
  });

  const encode = (events: StreamEvent[]): Uint8Array | null => {
    if (events.length === 0) return null;
    let text = '';
    for (const event of events) {
      accumulator.apply(event);
      text += encodeEvent(event);
    }
    const bytes = encoder.encode(text);
    captured.bytes += bytes.byteLength;
    return bytes;
  };
  const flush = () => {
    const events = pending;
    pending = [];
    return encode(events);
  };

  return {
    get done() {
      return converter.done;
    },
    get failure() {
      return accumulator.error;
    },
    start: () => encode(converter.start()),
    chunk(bytes) {
      parser.feed(decoder.decode(bytes, { stream: true }));
      return flush();
    },
    end() {
      parser.feed(decoder.decode());
      parser.reset({ consume: true });
      const last = converter.end();
      pending.push(...last.events);
      return { bytes: flush(), failure: last.failure };
    },
    fail: (error) => encode([...pending.splice(0), ...converter.fail(error)]),
    ping: () => encode([{ type: 'ping' }]),
  };
}
