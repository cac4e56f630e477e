import type { StreamEvent } from './types';

/** One Anthropic SSE frame: `event:` line (clients require it), one-line JSON, blank line. */
export function encodeEvent(event: StreamEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

export function errorEvent(type: string, message: string): StreamEvent {
  return { type: 'error', error: { type, message } };
}
