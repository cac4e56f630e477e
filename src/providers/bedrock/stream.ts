import { encodeEvent, errorEvent } from '../../protocol/sse';
import type { StreamTransform } from '../../upstream/pump';
import type { CallError, CapturedBytes } from '../../upstream/types';
import { fromStreamException } from './errors';
import { EventStreamDecoder, type EventStreamMessage } from './event-stream';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * InvokeModelWithResponseStream → Anthropic SSE, for the stream pump. Each `chunk` event carries
 * one Anthropic stream event, base64-encoded (`{"bytes": "…"}`); it goes to the client as the
 * SSE frame Anthropic would have sent. An exception frame, a frame that fails its checksum, or a
 * stream that ends before `message_stop` ends the client's stream with an `error` event. The SSE
 * sent is captured for the trace, like a passthrough stream.
 */
export function invokeStreamTransform(capture: CapturedBytes): StreamTransform {
  const frames = new EventStreamDecoder();
  let received = 0;
  let stopped = false;
  let failure: CallError | null = null;

  const emit = (text: string): Uint8Array | null => {
    if (!text) return null;
    const bytes = encoder.encode(text);
    capture.chunks.push(bytes);
    capture.bytes += bytes.byteLength;
    return bytes;
  };
  const failWith = (error: CallError): string => {
    failure = error;
    return encodeEvent(errorEvent(error.type, error.message));
  };

  /** One event-stream message → the SSE it stands for ('' for none). */
  const translate = (message: EventStreamMessage): string => {
    const kind = message.headers[':message-type'];
    if (kind === 'exception' || kind === 'error') {
      const name = String(message.headers[':exception-type'] ?? message.headers[':error-code'] ?? 'exception');
      return failWith(fromStreamException(name, decoder.decode(message.payload)));
    }
    if (message.headers[':event-type'] !== 'chunk') return '';
    let data: string;
    let type: string;
    try {
      const wrapper = JSON.parse(decoder.decode(message.payload)) as { bytes?: unknown };
      data = decoder.decode(Uint8Array.from(atob(String(wrapper.bytes)), (c) => c.charCodeAt(0)));
      const event = JSON.parse(data) as { type?: unknown; error?: { type?: unknown; message?: unknown } };
      type = String(event.type);
      // An SSE data line is one line: re-serialise the rare event that is not.
      if (data.includes('\n')) data = JSON.stringify(event);
      if (type === 'error') failure = { type: String(event.error?.type ?? 'api_error'), message: String(event.error?.message ?? '') };
    } catch {
      return failWith({ type: 'api_error', message: `Amazon Bedrock sent an unreadable stream event after ${received} bytes` });
    }
    if (type === 'message_stop') stopped = true;
    return `event: ${type}\ndata: ${data}\n\n`;
  };

  return {
    get done() {
      return stopped || failure !== null;
    },
    get failure() {
      return failure;
    },
    chunk(bytes) {
      received += bytes.byteLength;
      let messages: EventStreamMessage[];
      try {
        messages = frames.push(bytes);
      } catch (err) {
        return emit(failWith({ type: 'api_error', message: `Amazon Bedrock's event stream is corrupt after ${received} bytes: ${(err as Error).message}` }));
      }
      let text = '';
      for (const message of messages) {
        text += translate(message);
        if (stopped || failure) break;
      }
      return emit(text);
    },
    end() {
      if (stopped || failure) return { bytes: null, failure: null };
      const cut = frames.pending > 0 ? `, ${frames.pending} bytes into a frame` : '';
      return { bytes: null, failure: { type: 'api_error', message: `upstream stream ended after ${received} bytes without message_stop${cut}` } };
    },
    fail: (error) => emit(encodeEvent(errorEvent(error.type, error.message))),
  };
}
