import type { MessageResponse, ResponseBlock, StreamEvent } from './types';

/**
 * Rebuilds the final message from a stream of Anthropic events, the way the official SDK's
 * accumulator does, for the trace. Never throws: a broken stream yields what arrived.
 */
export class MessageAccumulator {
  message: MessageResponse | null = null;
  /** The `error` event that ended the stream, if any. */
  error: { type: string; message: string } | null = null;
  /** Whether `message_stop` arrived: the stream finished cleanly. */
  stopped = false;
  private partialJson = new Map<number, string>();

  apply(event: StreamEvent): void {
    switch (event.type) {
      case 'message_start':
        this.message = { ...event.message, content: [], usage: { ...event.message.usage } };
        break;
      case 'content_block_start':
        if (this.message) this.message.content[event.index] = { ...event.content_block } as ResponseBlock;
        break;
      case 'content_block_delta': {
        const block = this.message?.content[event.index];
        if (!block) break;
        const delta = event.delta;
        if (delta.type === 'text_delta' && block.type === 'text') block.text += delta.text;
        else if (delta.type === 'thinking_delta' && block.type === 'thinking') block.thinking += delta.thinking;
        else if (delta.type === 'signature_delta' && block.type === 'thinking') block.signature = delta.signature;
        else if (delta.type === 'input_json_delta' && block.type === 'tool_use') {
          this.partialJson.set(event.index, (this.partialJson.get(event.index) ?? '') + delta.partial_json);
        }
        break;
      }
      case 'content_block_stop':
        this.closeToolInput(event.index);
        break;
      case 'message_delta':
        if (!this.message) break;
        this.message.stop_reason = event.delta.stop_reason;
        this.message.stop_sequence = event.delta.stop_sequence ?? null;
        for (const [key, value] of Object.entries(event.usage ?? {})) {
          if (value !== null && value !== undefined) (this.message.usage as Record<string, unknown>)[key] = value;
        }
        break;
      case 'message_stop':
        this.stopped = true;
        break;
      case 'error':
        this.error = event.error;
        break;
    }
  }

  /** The message so far, tool inputs of unfinished blocks included. */
  result(): MessageResponse | null {
    for (const index of [...this.partialJson.keys()]) this.closeToolInput(index);
    if (this.message) this.message.content = this.message.content.filter(Boolean);
    return this.message;
  }

  private closeToolInput(index: number): void {
    const json = this.partialJson.get(index);
    if (json === undefined) return;
    this.partialJson.delete(index);
    const block = this.message?.content[index];
    if (block?.type !== 'tool_use') return;
    try {
      block.input = JSON.parse(json);
    } catch {
      block.input = { _unparsed_input: json };
    }
  }
}
