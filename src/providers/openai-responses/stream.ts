import type { ResponseBlock, StreamEvent, Usage } from '../../protocol/types';
import { messageId, newToolUseId } from '../openai/response';
import { failStream, messageStartEvent, streamErrorType } from '../openai/stream';
import { itemBlocks, mapResponsesUsage, type ResponsesAnswerContext, reasoningSignature, stopReason, toolUseId } from './response';
import type { ResponsesOutputItem, ResponsesResponse, ResponsesStreamEvent } from './types';

type ItemKind = 'reasoning' | 'message' | 'function_call' | 'other';

/** One output item as it streams in. */
interface Item {
  outputIndex: number;
  kind: ItemKind;
  /** Anthropic block index once its block started. */
  block: number | null;
  /** Content that arrived while another item held the stream, not yet sent. */
  buffered: string;
  /** Whether any content went out live (a finished function call's arguments are sent only if not). */
  streamed: boolean;
  /** The summary part the last reasoning delta belonged to: parts are separated by a blank line. */
  summaryIndex: number | null;
  callId: string;
  name: string;
  /** The finished item (`response.output_item.done`). */
  final: ResponsesOutputItem | null;
  /** Its blocks have all been sent. */
  emitted: boolean;
}

/**
 * The converter's state between events. Anthropic blocks run one after another with dense
 * indices: the item that started first streams live; an item that arrives while another is open
 * is buffered and sent whole once the open one closes.
 */
export interface ResponsesStreamState {
  readonly context: ResponsesAnswerContext;
  readonly messageId: string;
  nextIndex: number;
  open: Item | null;
  items: Map<number, Item>;
  sawToolCalls: boolean;
  refused: boolean;
  /** The terminal response (`response.completed` / `response.incomplete`). */
  finished: ResponsesResponse | null;
  usage: Usage | null;
  done: boolean;
}

export function createResponsesStreamState(context: ResponsesAnswerContext): ResponsesStreamState {
  return {
    context,
    messageId: messageId(undefined),
    nextIndex: 0,
    open: null,
    items: new Map(),
    sawToolCalls: false,
    refused: false,
    finished: null,
    usage: null,
    done: false,
  };
}

/** The first event, sent as soon as the upstream accepts the request. */
export function responsesStartEvents(state: ResponsesStreamState): StreamEvent[] {
  return [messageStartEvent(state.messageId, state.context.requestedModel)];
}

/** One upstream event → the Anthropic events it completes. */
export function convertResponsesEvent(event: ResponsesStreamEvent, state: ResponsesStreamState): StreamEvent[] {
  const events: StreamEvent[] = [];
  if (state.done) return events;
  switch (event.type) {
    case 'response.output_item.added': {
      const item = itemAt(state, event.output_index, event.item);
      if (item.kind === 'function_call') {
        state.sawToolCalls = true;
        // A call's block can start as soon as its name is known.
        if (!state.open) startLive(state, item, events);
      }
      break;
    }
    case 'response.reasoning_summary_text.delta':
    case 'response.reasoning_text.delta':
    case 'response.output_text.delta':
    case 'response.refusal.delta':
    case 'response.function_call_arguments.delta': {
      if (typeof event.delta !== 'string' || event.delta === '') break;
      if (event.type === 'response.refusal.delta') state.refused = true;
      const item = itemAt(state, event.output_index, undefined, kindOfDelta(event.type));
      let text = event.delta;
      if (item.kind === 'reasoning' && event.type === 'response.reasoning_summary_text.delta') {
        const part = event.summary_index ?? 0;
        if (item.summaryIndex !== null && item.summaryIndex !== part) text = `\n\n${text}`;
        item.summaryIndex = part;
      }
      content(state, item, text, events);
      break;
    }
    case 'response.output_item.done': {
      if (!event.item) break;
      const item = itemAt(state, event.output_index, event.item);
      item.final = event.item;
      if (item.kind === 'function_call') state.sawToolCalls = true;
      if (state.open === item) {
        finishLive(state, item, events);
        flushReady(state, events);
      } else if (!state.open) {
        emitWhole(state, item, events);
        flushReady(state, events);
      }
      break;
    }
    case 'response.completed':
    case 'response.incomplete':
      state.finished = event.response ?? { status: event.type === 'response.completed' ? 'completed' : 'incomplete' };
      if (event.response?.usage) state.usage = mapResponsesUsage(event.response.usage);
      return [...events, ...finishResponsesStream(state)];
    case 'response.failed': {
      const error = event.response?.error;
      return failResponsesStream(
        state,
        `upstream response failed: ${error?.message ?? error?.code ?? 'unknown error'}`,
        streamErrorType({ code: error?.code }),
      );
    }
    case 'error': {
      const message = event.message ?? event.error?.message ?? event.code ?? 'unknown error';
      return failResponsesStream(
        state,
        `upstream error mid-stream: ${message}`,
        streamErrorType({ code: event.code ?? event.error?.code, type: event.error?.type }),
      );
    }
    // response.created, in_progress, content_part.*, *.done texts, web_search_call.* progress: nothing to send.
  }
  return events;
}

/** The upstream finished: close what is open, send what is buffered, then message_delta and message_stop. */
export function finishResponsesStream(state: ResponsesStreamState): StreamEvent[] {
  if (state.done) return [];
  const events: StreamEvent[] = [];
  if (state.open) finishLive(state, state.open, events);
  for (const item of ordered(state)) if (!item.emitted) emitWhole(state, item, events);
  state.done = true;
  const finished = state.finished ?? { status: 'completed' };
  events.push(
    {
      type: 'message_delta',
      delta: { stop_reason: stopReason(finished, state.sawToolCalls, state.refused), stop_sequence: null },
      usage: state.usage ?? mapResponsesUsage(finished.usage),
    },
    { type: 'message_stop' },
  );
  return events;
}

/** Ends the stream with an Anthropic error event: never a clean-looking message_stop. */
export const failResponsesStream: (state: ResponsesStreamState, message: string, type?: string) => StreamEvent[] = failStream;

function kindOf(item: ResponsesOutputItem | undefined): ItemKind {
  const type = item?.type;
  return type === 'reasoning' || type === 'message' || type === 'function_call' ? type : 'other';
}

function kindOfDelta(type: string): ItemKind {
  if (type.startsWith('response.reasoning')) return 'reasoning';
  if (type.startsWith('response.function_call')) return 'function_call';
  return 'message';
}

function itemAt(state: ResponsesStreamState, outputIndex: number | undefined, added?: ResponsesOutputItem, kind?: ItemKind): Item {
  const index = outputIndex ?? state.open?.outputIndex ?? state.items.size;
  let item = state.items.get(index);
  if (!item) {
    item = {
      outputIndex: index,
      kind: added ? kindOf(added) : (kind ?? 'other'),
      block: null,
      buffered: '',
      streamed: false,
      summaryIndex: null,
      callId: '',
      name: '',
      final: null,
      emitted: false,
    };
    state.items.set(index, item);
  }
  if (added?.type === 'function_call') {
    const call = added as Extract<ResponsesOutputItem, { type: 'function_call' }>;
    item.callId ||= toolUseId(call.call_id);
    item.name ||= state.context.toolNames.restore(call.name ?? 'unknown_tool');
  }
  return item;
}

function ordered(state: ResponsesStreamState): Item[] {
  return [...state.items.values()].sort((a, b) => a.outputIndex - b.outputIndex);
}

/** Content for an item: live if it holds the stream (or nobody does), else buffered. */
function content(state: ResponsesStreamState, item: Item, text: string, events: StreamEvent[]): void {
  if (item.emitted) return; // content for an item already sent whole has nowhere to go
  if (!state.open && item.final === null) startLive(state, item, events);
  if (state.open !== item) {
    item.buffered += text;
    return;
  }
  events.push({ type: 'content_block_delta', index: item.block!, delta: deltaFor(item.kind, text) });
  item.streamed = true;
}

function deltaFor(kind: ItemKind, text: string) {
  if (kind === 'reasoning') return { type: 'thinking_delta' as const, thinking: text };
  if (kind === 'function_call') return { type: 'input_json_delta' as const, partial_json: text };
  return { type: 'text_delta' as const, text };
}

/** Opens the item's block and sends what it had buffered. */
function startLive(state: ResponsesStreamState, item: Item, events: StreamEvent[]): void {
  if (item.kind === 'other') return;
  const block: ResponseBlock =
    item.kind === 'reasoning'
      ? { type: 'thinking', thinking: '', signature: '' }
      : item.kind === 'function_call'
        ? { type: 'tool_use', id: item.callId || newToolUseId(), name: item.name || 'unknown_tool', input: {} }
        : { type: 'text', text: '' };
  item.block = state.nextIndex++;
  state.open = item;
  events.push({ type: 'content_block_start', index: item.block, content_block: block });
  if (item.buffered) {
    events.push({ type: 'content_block_delta', index: item.block, delta: deltaFor(item.kind, item.buffered) });
    item.buffered = '';
    item.streamed = true;
  }
}

/** Closes the live item's block with what only its finished form says (signature, unsent arguments). */
function finishLive(state: ResponsesStreamState, item: Item, events: StreamEvent[]): void {
  const index = item.block!;
  const final = item.final;
  if (item.kind === 'reasoning' && final) {
    const signature = reasoningSignature(final as { id?: string; encrypted_content?: string | null }, state.context.targetModel);
    if (signature) events.push({ type: 'content_block_delta', index, delta: { type: 'signature_delta', signature } });
  } else if (item.kind === 'function_call' && !item.streamed && final) {
    const args = (final as { arguments?: unknown }).arguments;
    if (typeof args === 'string' && args) events.push({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: args } });
  }
  events.push({ type: 'content_block_stop', index });
  item.emitted = true;
  state.open = null;
}

/** Sends a finished item's blocks in one go (it never held the stream). */
function emitWhole(state: ResponsesStreamState, item: Item, events: StreamEvent[]): void {
  item.emitted = true;
  const blocks = item.final ? itemBlocks(item.final, state.context) : bufferedBlocks(item);
  for (const block of blocks) {
    const index = state.nextIndex++;
    switch (block.type) {
      case 'thinking':
        events.push({ type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } });
        if (block.thinking) events.push({ type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: block.thinking } });
        if (block.signature) events.push({ type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: block.signature } });
        break;
      case 'text':
        events.push({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
        events.push({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: block.text } });
        break;
      case 'tool_use':
        events.push({ type: 'content_block_start', index, content_block: { ...block, input: {} } });
        events.push({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(block.input) } });
        break;
      default:
        // server-tool blocks arrive whole
        events.push({ type: 'content_block_start', index, content_block: block });
    }
    events.push({ type: 'content_block_stop', index });
  }
}

/** What an item that never finished said, as blocks (the stream ended around it). */
function bufferedBlocks(item: Item): ResponseBlock[] {
  if (!item.buffered && item.kind !== 'function_call') return [];
  switch (item.kind) {
    case 'reasoning':
      return [{ type: 'thinking', thinking: item.buffered, signature: '' }];
    case 'message':
      return [{ type: 'text', text: item.buffered }];
    case 'function_call': {
      let input: unknown = {};
      try {
        input = item.buffered ? JSON.parse(item.buffered) : {};
      } catch {
        input = {};
      }
      return [{ type: 'tool_use', id: item.callId || newToolUseId(), name: item.name || 'unknown_tool', input }];
    }
    default:
      return [];
  }
}

/** After a block closed: finished items waiting their turn go out whole, then the next unfinished one goes live. */
function flushReady(state: ResponsesStreamState, events: StreamEvent[]): void {
  for (const item of ordered(state)) {
    if (state.open || item.emitted) continue;
    if (item.final) emitWhole(state, item, events);
    else if (item.buffered || item.kind === 'function_call') startLive(state, item, events);
  }
}
