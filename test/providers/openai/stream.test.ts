import { describe, expect, it } from 'vitest';
import { MessageAccumulator } from '../../../src/protocol/accumulate';
import type { StreamEvent } from '../../../src/protocol/types';
import { convertChunk, createStreamState, failStream, finishStream, startEvents } from '../../../src/providers/openai/stream';
import { ToolNames } from '../../../src/providers/openai/tool-names';
import type { ChatCompletionChunk } from '../../../src/providers/openai/types';

const context = { requestedModel: 'claude-sonnet-4-6', toolNames: new ToolNames() };

function delta(d: Record<string, unknown>, finish_reason: string | null = null): ChatCompletionChunk {
  return { id: 'c1', choices: [{ index: 0, delta: d, finish_reason }] };
}
const usage = (prompt_tokens: number, completion_tokens: number, cached = 0): ChatCompletionChunk => ({
  id: 'c1',
  choices: [],
  usage: { prompt_tokens, completion_tokens, prompt_tokens_details: { cached_tokens: cached } },
});
const tool = (index: number | undefined, fields: { id?: string | number; name?: string; arguments?: string }): Record<string, unknown> => ({
  ...(index === undefined ? {} : { index }),
  ...(fields.id === undefined ? {} : { id: fields.id, type: 'function' }),
  function: { ...(fields.name ? { name: fields.name } : {}), ...(fields.arguments !== undefined ? { arguments: fields.arguments } : {}) },
});

/** Runs a chunk sequence through the converter the way the provider does. */
function run(chunks: ChatCompletionChunk[], end: 'done' | 'none' = 'done', inputEstimate = 0) {
  const state = createStreamState(context, 'up-1', () => inputEstimate);
  const events: StreamEvent[] = [...startEvents(state)];
  for (const chunk of chunks) events.push(...convertChunk(chunk, state));
  if (end === 'done') events.push(...finishStream(state));
  return events;
}

/** What the official SDK and Claude Code require of an event sequence (wire-spec §3.3). */
function expectWellFormed(events: StreamEvent[]) {
  expect(events[0]!.type).toBe('message_start');
  expect(events.filter((e) => e.type === 'message_start')).toHaveLength(1);
  let open: { index: number; type: string } | null = null;
  let next = 0;
  for (const event of events.slice(1)) {
    if (event.type === 'content_block_start') {
      expect(open).toBeNull(); // never interleaved
      expect(event.index).toBe(next++); // dense, in start order
      open = { index: event.index, type: event.content_block.type };
    } else if (event.type === 'content_block_delta') {
      expect(open?.index).toBe(event.index);
      const expected = { text: 'text_delta', thinking: 'thinking_delta', tool_use: 'input_json_delta' }[open!.type];
      expect(event.delta.type).toBe(expected);
    } else if (event.type === 'content_block_stop') {
      expect(open?.index).toBe(event.index);
      open = null;
    } else if (event.type === 'message_delta') {
      expect(open).toBeNull();
    }
  }
  const last = events.at(-1)!;
  if (last.type !== 'error') {
    expect(last.type).toBe('message_stop');
    expect(events.at(-2)!.type).toBe('message_delta');
  }
}

function finalMessage(events: StreamEvent[]) {
  const accumulator = new MessageAccumulator();
  for (const event of events) accumulator.apply(event);
  return accumulator.result()!;
}

describe('stream conversion', () => {
  it('streams text with message_start first, usage from the usage chunk after finish, message_stop last', () => {
    const events = run([
      delta({ role: 'assistant', content: '' }),
      delta({ content: 'Hello' }),
      delta({ content: ' world' }),
      delta({}, 'stop'),
      usage(50, 2, 30),
    ]);
    expectWellFormed(events);
    expect(events.map((e) => e.type)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(events[0]).toMatchObject({ message: { id: 'msg_up-1', model: 'claude-sonnet-4-6', content: [], usage: { input_tokens: 0, output_tokens: 0 } } });
    expect(events.at(-2)).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { input_tokens: 20, output_tokens: 2, cache_creation_input_tokens: 0, cache_read_input_tokens: 30 },
    });
  });

  it('handles content and finish_reason in one chunk, with usage on the same chunk', () => {
    const events = run([
      { id: 'c', choices: [{ index: 0, delta: { content: 'All at once.' }, finish_reason: 'length' }], usage: { prompt_tokens: 5, completion_tokens: 3 } },
    ]);
    expectWellFormed(events);
    expect(finalMessage(events)).toMatchObject({
      content: [{ type: 'text', text: 'All at once.' }],
      stop_reason: 'max_tokens',
      usage: { input_tokens: 5, output_tokens: 3 },
    });
  });

  it('puts reasoning in a thinking block before the text', () => {
    const events = run([delta({ reasoning_content: 'Let me ' }), delta({ reasoning_content: 'think.' }), delta({ content: 'Answer.' }), delta({}, 'stop')]);
    expectWellFormed(events);
    expect(finalMessage(events).content).toEqual([
      { type: 'thinking', thinking: 'Let me think.', signature: '' },
      { type: 'text', text: 'Answer.' },
    ]);
    const reasoningField = run([delta({ reasoning: 'via reasoning' }), delta({ content: 'x' }, 'stop')]);
    expect(finalMessage(reasoningField).content[0]).toEqual({ type: 'thinking', thinking: 'via reasoning', signature: '' });
  });

  it('streams a tool call through input_json_delta only, and forces tool_use', () => {
    const events = run([
      delta({ content: 'Checking.' }),
      delta({ tool_calls: [tool(0, { id: 'call_1', name: 'get_weather', arguments: '' })] }),
      delta({ tool_calls: [tool(0, { arguments: '{"city":' })] }),
      delta({ tool_calls: [tool(0, { arguments: '"Paris"}' })] }),
      delta({}, 'stop'),
    ]);
    expectWellFormed(events);
    const start = events.find((e) => e.type === 'content_block_start' && e.content_block.type === 'tool_use');
    expect(start).toEqual({ type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'call_1', name: 'get_weather', input: {} } });
    expect(finalMessage(events)).toMatchObject({
      content: [
        { type: 'text', text: 'Checking.' },
        { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
      ],
      stop_reason: 'tool_use',
    });
  });

  it('emits parallel tool calls one block after another', () => {
    const events = run([
      delta({ tool_calls: [tool(0, { id: 'a', name: 'Read', arguments: '{"file_path":' })] }),
      delta({ tool_calls: [tool(0, { arguments: '"/a"}' })] }),
      delta({ tool_calls: [tool(1, { id: 'b', name: 'Read', arguments: '{"file_path":"/b"}' })] }),
      delta({}, 'tool_calls'),
    ]);
    expectWellFormed(events);
    expect(finalMessage(events).content).toEqual([
      { type: 'tool_use', id: 'a', name: 'Read', input: { file_path: '/a' } },
      { type: 'tool_use', id: 'b', name: 'Read', input: { file_path: '/b' } },
    ]);
  });

  it('buffers interleaved fragments of parallel calls so blocks never interleave', () => {
    const events = run([
      delta({ tool_calls: [tool(0, { id: 'a', name: 'Bash', arguments: '{"comm' }), tool(1, { id: 'b', name: 'Grep', arguments: '{"pat' })] }),
      delta({ tool_calls: [tool(1, { arguments: 'tern":"x"}' })] }),
      delta({ tool_calls: [tool(0, { arguments: 'and":"ls"}' })] }),
      delta({}, 'tool_calls'),
    ]);
    expectWellFormed(events);
    expect(finalMessage(events).content).toEqual([
      { type: 'tool_use', id: 'a', name: 'Bash', input: { command: 'ls' } },
      { type: 'tool_use', id: 'b', name: 'Grep', input: { pattern: 'x' } },
    ]);
  });

  it('copes with servers that reuse index 0 for every call, or omit index or id', () => {
    const reused = run([
      delta({ tool_calls: [tool(0, { id: 'x1', name: 'A', arguments: '{"n":1}' })] }),
      delta({ tool_calls: [tool(0, { id: 'x2', name: 'B', arguments: '{"n":2}' })] }),
      delta({}, 'tool_calls'),
    ]);
    expectWellFormed(reused);
    expect(finalMessage(reused).content).toMatchObject([
      { id: 'x1', name: 'A', input: { n: 1 } },
      { id: 'x2', name: 'B', input: { n: 2 } },
    ]);

    const noIndex = run([
      delta({ tool_calls: [tool(undefined, { id: 'q', name: 'A', arguments: '{"k":' })] }),
      delta({ tool_calls: [tool(undefined, { arguments: 'true}' })] }),
      delta({}, 'stop'),
    ]);
    expectWellFormed(noIndex);
    expect(finalMessage(noIndex).content).toMatchObject([{ id: 'q', name: 'A', input: { k: true } }]);

    const noId = run([delta({ tool_calls: [tool(0, { name: 'A', arguments: '{}' })] }), delta({}, 'tool_calls')]);
    expect((finalMessage(noId).content[0] as { id: string }).id).toMatch(/^toolu_/);

    const numericId = run([delta({ tool_calls: [tool(0, { id: 12, name: 'A', arguments: '{}' })] }), delta({}, 'tool_calls')]);
    expect(finalMessage(numericId).content[0]).toMatchObject({ id: '12' });
  });

  it('waits for a name that arrives late before starting the block', () => {
    const events = run([
      delta({ tool_calls: [tool(0, { id: 'late', arguments: '{"q":' })] }),
      delta({ tool_calls: [tool(0, { name: 'Search', arguments: '"cats"}' })] }),
      delta({}, 'tool_calls'),
    ]);
    expectWellFormed(events);
    expect(finalMessage(events).content).toEqual([{ type: 'tool_use', id: 'late', name: 'Search', input: { q: 'cats' } }]);
  });

  it('takes whole arguments in one fragment', () => {
    const events = run([delta({ tool_calls: [tool(0, { id: 'w', name: 'Write', arguments: '{"path":"/x","content":"a\\nb"}' })] }, 'tool_calls')]);
    expectWellFormed(events);
    expect(finalMessage(events).content).toEqual([{ type: 'tool_use', id: 'w', name: 'Write', input: { path: '/x', content: 'a\nb' } }]);
  });

  it('estimates usage when the server reports none', () => {
    const events = run([delta({ content: 'twelve chars' }, 'stop')], 'done', 321);
    expect(events.at(-2)).toMatchObject({ usage: { input_tokens: 321, output_tokens: 3 } });
  });

  it('ends with an error event, not message_stop, when the upstream reports an error mid-stream', () => {
    const state = createStreamState(context);
    const events = [...startEvents(state), ...convertChunk(delta({ content: 'partial' }), state)];
    events.push(...convertChunk({ error: { message: 'The server is overloaded', type: 'server_error', code: 503 } }, state));
    events.push(...convertChunk(delta({ content: 'ignored' }), state), ...finishStream(state));
    expect(events.at(-1)).toEqual({ type: 'error', error: { type: 'overloaded_error', message: 'upstream error mid-stream: The server is overloaded' } });
    expect(events.some((e) => e.type === 'message_stop')).toBe(false);
  });

  it('fails once: an error after the end adds nothing', () => {
    const state = createStreamState(context);
    convertChunk(delta({ content: 'x' }, 'stop'), state);
    expect(finishStream(state).at(-1)!.type).toBe('message_stop');
    expect(failStream(state, 'late')).toEqual([]);
  });
});
