import type { StreamEvent, Usage } from '../../protocol/types';
import { mapStopReason, mapUsage, matchedStopSequence, messageId, newToolUseId } from './response';
import type { AnswerContext } from './response';
import { thoughtSignatureOf, withThoughtSignature } from './thought-signatures';
import type { ChatCompletionChunk, ChatToolCallFragment } from './types';

/** One tool call as it arrives in fragments. */
interface ToolCall {
  id: string;
  /** Whether `id` came from the upstream (a later fragment may bring the real one). */
  upstreamId: boolean;
  /** Gemini's thought signature, carried to the client inside the tool_use id. */
  signature: string | null;
  name: string | null;
  /** Argument text not yet sent to the client. */
  args: string;
  /** Anthropic block index once started. */
  block: number | null;
  closed: boolean;
}

type OpenBlock = { kind: 'text'; index: number } | { kind: 'thinking'; index: number } | { kind: 'tool'; index: number; call: ToolCall };

/**
 * The converter's state between chunks. Anthropic blocks run strictly one after another with
 * dense indices, so the first tool call streams live and any other call is buffered until the
 * open block closes.
 */
export interface StreamState {
  readonly context: AnswerContext;
  readonly messageId: string;
  /** Estimates input tokens; called only if the upstream never reports usage. */
  readonly inputEstimate: () => number;
  nextIndex: number;
  open: OpenBlock | null;
  calls: ToolCall[];
  /** Upstream tool-call index → the call currently at that index. */
  callAtIndex: Map<number, ToolCall>;
  finishReason: string | null;
  matchedStop: string | null;
  usage: Usage | null;
  /** Characters of output seen, for a usage estimate when the upstream sends none. */
  outputChars: number;
  /** No more events: the stream finished or failed. */
  done: boolean;
}

export function createStreamState(context: AnswerContext, upstreamId?: string, inputEstimate: () => number = () => 0): StreamState {
  return {
    context,
    messageId: messageId(upstreamId),
    inputEstimate,
    nextIndex: 0,
    open: null,
    calls: [],
    callAtIndex: new Map(),
    finishReason: null,
    matchedStop: null,
    usage: null,
    outputChars: 0,
    done: false,
  };
}

/** The first event, sent as soon as the upstream accepts the request. */
export function startEvents(state: StreamState): StreamEvent[] {
  return [messageStartEvent(state.messageId, state.context.requestedModel)];
}

/** `message_start` for a translated stream: the real usage arrives after the content, in message_delta. */
export function messageStartEvent(id: string, model: string): StreamEvent {
  return {
    type: 'message_start',
    message: {
      id,
      type: 'message',
      role: 'assistant',
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    },
  };
}

/** One upstream chunk → the Anthropic events it completes. */
export function convertChunk(chunk: ChatCompletionChunk, state: StreamState): StreamEvent[] {
  const events: StreamEvent[] = [];
  if (state.done) return events;
  if (chunk.error) {
    const error = chunk.error as { message?: unknown; type?: unknown; code?: unknown };
    return failStream(state, `upstream error mid-stream: ${String(error.message ?? error.code ?? 'unknown error')}`, streamErrorType(error));
  }
  if (chunk.usage) state.usage = mapUsage(chunk.usage);
  for (const choice of chunk.choices ?? []) {
    if ((choice.index ?? 0) !== 0) continue; // n > 1 is never asked for
    const delta = choice.delta ?? {};
    const reasoning = delta.reasoning_content ?? delta.reasoning;
    if (typeof reasoning === 'string' && reasoning) {
      openBlock(state, 'thinking', events);
      state.outputChars += reasoning.length;
      events.push({ type: 'content_block_delta', index: state.open!.index, delta: { type: 'thinking_delta', thinking: reasoning } });
    }
    const text = typeof delta.content === 'string' && delta.content ? delta.content : typeof delta.refusal === 'string' ? delta.refusal : '';
    if (text) {
      openBlock(state, 'text', events);
      state.outputChars += text.length;
      events.push({ type: 'content_block_delta', index: state.open!.index, delta: { type: 'text_delta', text } });
    }
    for (const fragment of delta.tool_calls ?? []) toolFragment(state, fragment, events);
    if (choice.finish_reason) state.finishReason = choice.finish_reason;
    const matched = matchedStopSequence(choice.stop_reason, state.context.stopSequences);
    if (matched) state.matchedStop = matched;
  }
  return events;
}

/** The upstream finished (`[DONE]`, or the end of a body that had a finish reason): close everything. */
export function finishStream(state: StreamState): StreamEvent[] {
  if (state.done) return [];
  const events: StreamEvent[] = [];
  closeOpen(state, events);
  flushBuffered(state, events, true);
  state.done = true;
  const usage = state.usage ?? {
    input_tokens: state.inputEstimate(),
    output_tokens: Math.ceil(state.outputChars / 4),
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
  };
  events.push(
    {
      type: 'message_delta',
      delta: { stop_reason: mapStopReason(state.finishReason, state.calls.length > 0, state.matchedStop), stop_sequence: state.matchedStop },
      usage,
    },
    { type: 'message_stop' },
  );
  return events;
}

/** Ends the stream with an Anthropic error event: never a clean-looking message_stop. */
export function failStream(state: { done: boolean }, message: string, type = 'api_error'): StreamEvent[] {
  if (state.done) return [];
  state.done = true;
  return [{ type: 'error', error: { type, message } }];
}

/** An upstream's mid-stream error type or code → the Anthropic error type a client retries on. */
export function streamErrorType(error: { type?: unknown; code?: unknown }): string {
  const text = `${String(error.type ?? '')} ${String(error.code ?? '')}`.toLowerCase();
  if (/overload|capacity|unavailable|503|529/.test(text)) return 'overloaded_error';
  if (/rate|429/.test(text)) return 'rate_limit_error';
  return 'api_error';
}

function openBlock(state: StreamState, kind: 'text' | 'thinking', events: StreamEvent[]): void {
  if (state.open?.kind === kind) return;
  closeOpen(state, events);
  flushBuffered(state, events, false);
  const index = state.nextIndex++;
  state.open = { kind, index } as OpenBlock;
  events.push({
    type: 'content_block_start',
    index,
    content_block: kind === 'text' ? { type: 'text', text: '' } : { type: 'thinking', thinking: '', signature: '' },
  });
}

function closeOpen(state: StreamState, events: StreamEvent[]): void {
  const open = state.open;
  if (!open) return;
  if (open.kind === 'tool') open.call.closed = true;
  events.push({ type: 'content_block_stop', index: open.index });
  state.open = null;
}

function startTool(state: StreamState, call: ToolCall, events: StreamEvent[]): void {
  call.block = state.nextIndex++;
  events.push({
    type: 'content_block_start',
    index: call.block,
    content_block: { type: 'tool_use', id: withThoughtSignature(call.id, call.signature), name: call.name ?? 'unknown_tool', input: {} },
  });
  if (call.args) {
    events.push({ type: 'content_block_delta', index: call.block, delta: { type: 'input_json_delta', partial_json: call.args } });
    call.args = '';
  }
}

/** Emits buffered tool calls whole, in the order they began; mid-stream only those whose name is known. */
function flushBuffered(state: StreamState, events: StreamEvent[], final: boolean): void {
  for (const call of state.calls) {
    if (call.block !== null || (!final && !call.name)) continue;
    startTool(state, call, events);
    call.closed = true;
    events.push({ type: 'content_block_stop', index: call.block! });
  }
}

function findCall(state: StreamState, fragment: ChatToolCallFragment, id: string | null): ToolCall | undefined {
  if (typeof fragment.index === 'number') {
    const call = state.callAtIndex.get(fragment.index);
    // Some servers reuse index 0 for every call, with distinct ids.
    if (call && id && call.upstreamId && call.id !== id) return undefined;
    return call;
  }
  if (id) return state.calls.find((call) => call.id === id);
  return state.calls.at(-1);
}

function toolFragment(state: StreamState, fragment: ChatToolCallFragment, events: StreamEvent[]): void {
  const id = fragment.id !== undefined && fragment.id !== null && fragment.id !== '' ? String(fragment.id) : null;
  let call = findCall(state, fragment, id);
  if (!call) {
    call = { id: id ?? newToolUseId(), upstreamId: id !== null, signature: null, name: null, args: '', block: null, closed: false };
    state.calls.push(call);
  } else if (id && !call.upstreamId && call.block === null) {
    call.id = id;
    call.upstreamId = true;
  }
  if (typeof fragment.index === 'number') state.callAtIndex.set(fragment.index, call);
  if (!call.signature && fragment.extra_content) call.signature = thoughtSignatureOf(fragment);
  const name = fragment.function?.name;
  if (name && !call.name) call.name = state.context.toolNames.restore(name);
  const args = fragment.function?.arguments ?? '';
  state.outputChars += args.length;

  if (state.open?.kind === 'tool' && state.open.call === call) {
    if (args) events.push({ type: 'content_block_delta', index: call.block!, delta: { type: 'input_json_delta', partial_json: args } });
    return;
  }
  if (call.closed) return; // a fragment for a block already closed cannot be placed anywhere
  call.args += args;
  // Start streaming this call live once its name is known, unless another call holds the stream.
  if (call.block === null && call.name && state.open?.kind !== 'tool') {
    closeOpen(state, events);
    for (const earlier of state.calls) {
      if (earlier === call) break;
      if (earlier.block === null && earlier.name) {
        startTool(state, earlier, events);
        earlier.closed = true;
        events.push({ type: 'content_block_stop', index: earlier.block! });
      }
    }
    startTool(state, call, events);
    state.open = { kind: 'tool', index: call.block!, call };
  }
}
