import { describe, expect, it } from 'vitest';
import { MessageAccumulator } from '../../../src/protocol/accumulate';
import type { StreamEvent } from '../../../src/protocol/types';
import { ToolNames } from '../../../src/providers/openai/tool-names';
import type { ResponsesAnswerContext } from '../../../src/providers/openai-responses/response';
import { decodeReasoningSignature } from '../../../src/providers/openai-responses/signature';
import { convertResponsesEvent, createResponsesStreamState, finishResponsesStream, responsesStartEvents } from '../../../src/providers/openai-responses/stream';
import type { ResponsesStreamEvent } from '../../../src/providers/openai-responses/types';
import { item, responseEvents } from '../../fixtures/scripted-responses.mjs';

const context = (): ResponsesAnswerContext => ({ requestedModel: 'claude-sonnet-4-6', toolNames: new ToolNames(), targetModel: 'gpt-5.1-codex' });

function run(events: Array<Record<string, unknown>>) {
  const state = createResponsesStreamState(context());
  const out: StreamEvent[] = [...responsesStartEvents(state)];
  for (const event of events) out.push(...convertResponsesEvent(event as unknown as ResponsesStreamEvent, state));
  const accumulator = new MessageAccumulator();
  for (const event of out) accumulator.apply(event);
  return { out, state, message: accumulator.result(), error: accumulator.error };
}

/** Blocks one after another with dense indices, each started before its deltas and closed once. */
function checkWellFormed(events: StreamEvent[]): void {
  expect(events[0]?.type).toBe('message_start');
  expect(events.at(-1)?.type).toBe('message_stop');
  let open: number | null = null;
  let next = 0;
  for (const event of events.slice(1, -2)) {
    if (event.type === 'content_block_start') {
      expect(open).toBeNull();
      expect(event.index).toBe(next++);
      open = event.index;
    } else if (event.type === 'content_block_delta') expect(event.index).toBe(open);
    else if (event.type === 'content_block_stop') {
      expect(event.index).toBe(open);
      open = null;
    } else expect.fail(`unexpected ${event.type}`);
  }
  expect(open).toBeNull();
}

describe('Responses API stream → Anthropic stream', () => {
  it('streams reasoning summaries, text and calls as thinking, text and tool_use blocks, with the signature last', () => {
    const reasoning = {
      ...item.reasoning('First, look.'),
      summary: [
        { type: 'summary_text', text: 'First, look.' },
        { type: 'summary_text', text: 'Then act.' },
      ],
    };
    const events = responseEvents([reasoning, item.message('Looking now.'), item.call('Bash', { command: 'ls -la' }, 'call_ls')], {
      usage: { input_tokens: 500, output_tokens: 40, cached: 400 },
    });
    const { out, message } = run(events);
    checkWellFormed(out);
    expect(out.filter((event) => event.type === 'content_block_delta').map((event) => (event as { delta: { type: string } }).delta.type)).toEqual([
      'thinking_delta',
      'thinking_delta',
      'thinking_delta',
      'thinking_delta',
      'signature_delta',
      'text_delta',
      'text_delta',
      'input_json_delta',
      'input_json_delta',
      'input_json_delta',
      'input_json_delta',
    ]);
    expect(message?.content).toEqual([
      { type: 'thinking', thinking: 'First, look.\n\nThen act.', signature: expect.stringMatching(/^cpr1\./) },
      { type: 'text', text: 'Looking now.' },
      { type: 'tool_use', id: 'call_ls', name: 'Bash', input: { command: 'ls -la' } },
    ]);
    expect(decodeReasoningSignature((message!.content[0] as { signature: string }).signature)?.id).toBe(reasoning.id);
    expect(message?.stop_reason).toBe('tool_use');
    expect(message?.usage).toMatchObject({ input_tokens: 100, output_tokens: 40, cache_read_input_tokens: 400 });
  });

  it('sends parallel calls as separate tool_use blocks, buffering one whose events interleave with another', () => {
    const a = item.call('Read', { file_path: '/a' }, 'call_a');
    const b = item.call('Read', { file_path: '/b' }, 'call_b');
    const events = [
      { type: 'response.output_item.added', output_index: 0, item: { ...a, arguments: '' } },
      { type: 'response.output_item.added', output_index: 1, item: { ...b, arguments: '' } },
      { type: 'response.function_call_arguments.delta', output_index: 1, delta: '{"file_path":' },
      { type: 'response.function_call_arguments.delta', output_index: 0, delta: '{"file_path":"/a"}' },
      { type: 'response.function_call_arguments.delta', output_index: 1, delta: '"/b"}' },
      { type: 'response.output_item.done', output_index: 1, item: b },
      { type: 'response.output_item.done', output_index: 0, item: a },
      { type: 'response.completed', response: { status: 'completed', output: [a, b], usage: { input_tokens: 10, output_tokens: 5 } } },
    ];
    const { out, message } = run(events);
    checkWellFormed(out);
    expect(message?.content).toEqual([
      { type: 'tool_use', id: 'call_a', name: 'Read', input: { file_path: '/a' } },
      { type: 'tool_use', id: 'call_b', name: 'Read', input: { file_path: '/b' } },
    ]);
  });

  it('sends a web search as server_tool_use and web_search_tool_result, then the text', () => {
    const { out, message } = run(responseEvents([item.webSearch('weather', [{ url: 'https://example.com', title: 'Weather' }]), item.message('Sunny.')]));
    checkWellFormed(out);
    expect(message?.content.map((block) => block.type)).toEqual(['server_tool_use', 'web_search_tool_result', 'text']);
    expect(message?.stop_reason).toBe('end_turn');
  });

  it('maps incomplete to max_tokens', () => {
    const { message } = run(responseEvents([item.message('Partial')], { status: 'incomplete', incomplete: 'max_output_tokens' }));
    expect(message?.stop_reason).toBe('max_tokens');
    expect(message?.content).toEqual([{ type: 'text', text: 'Partial' }]);
  });

  it('ends with an error event, never message_stop, on response.failed or an error event', () => {
    const failed = run([
      ...responseEvents([item.message('Half')]).slice(0, 4),
      { type: 'response.failed', response: { status: 'failed', error: { code: 'server_error', message: 'The model had an error' } } },
    ]);
    expect(failed.out.at(-1)).toEqual({ type: 'error', error: { type: 'api_error', message: 'upstream response failed: The model had an error' } });
    expect(failed.out.some((event) => event.type === 'message_stop')).toBe(false);
    expect(failed.message?.content).toEqual([{ type: 'text', text: 'Half' }]);

    const limited = run([{ type: 'error', code: 'rate_limit_exceeded', message: 'Rate limit reached' }]);
    expect(limited.out.at(-1)).toEqual({ type: 'error', error: { type: 'rate_limit_error', message: 'upstream error mid-stream: Rate limit reached' } });
    expect(limited.state.done).toBe(true);
  });

  it('closes what is open when finished early, and sends nothing after the end', () => {
    const state = createResponsesStreamState(context());
    convertResponsesEvent({ type: 'response.output_text.delta', output_index: 0, delta: 'Hi' }, state);
    const end = finishResponsesStream(state);
    expect(end.map((event) => event.type)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    expect(convertResponsesEvent({ type: 'response.output_text.delta', output_index: 0, delta: 'late' }, state)).toEqual([]);
  });
});
