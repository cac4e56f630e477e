import type { StreamEvent } from './types';

const encoder = new TextEncoder();

/** One Anthropic SSE frame: `event:` line (clients require it), one-line JSON, blank line. */
export function encodeEvent(event: StreamEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

export function encodeEvents(events: readonly StreamEvent[]): Uint8Array {
  let text = '';
  for (const event of events) text += encodeEvent(event);
  return encoder.encode(text);
}

export function errorEvent(type: string, message: string): StreamEvent {
  return { type: 'error', error: { type, message } };
}
