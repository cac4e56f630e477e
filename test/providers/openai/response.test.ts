import { describe, expect, it } from 'vitest';
import { fromOpenAIResponse, mapUsage, parseToolArguments } from '../../../src/providers/openai/response';
import { ToolNames } from '../../../src/providers/openai/tool-names';
import type { ChatCompletion } from '../../../src/providers/openai/types';

const context = (stopSequences?: string[]) => ({ requestedModel: 'claude-sonnet-4-6', toolNames: new ToolNames(), stopSequences });

function answer(message: Record<string, unknown>, finish_reason: string | null = 'stop', extra: Record<string, unknown> = {}): ChatCompletion {
  return {
    id: 'chatcmpl-9xyz',
    model: 'gpt-x',
    choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason, ...extra }],
    usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
  };
}

describe('fromOpenAIResponse', () => {
  it('orders thinking, text and tool_use blocks, and carries the requested model and an msg_ id', () => {
    const message = fromOpenAIResponse(
      answer(
        {
          content: 'Checking.',
          reasoning_content: 'The user wants weather.',
          tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
        },
        'tool_calls',
      ),
      context(),
    );
    expect(message).toEqual({
      id: 'msg_chatcmpl-9xyz',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-6',
      content: [
        { type: 'thinking', thinking: 'The user wants weather.', signature: '' },
        { type: 'text', text: 'Checking.' },
        { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 100, output_tokens: 20, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    });
  });

  it('reads reasoning from the `reasoning` field too (OpenRouter, Ollama)', () => {
    const message = fromOpenAIResponse(answer({ content: 'Hi', reasoning: 'brief thought' }), context());
    expect(message.content[0]).toEqual({ type: 'thinking', thinking: 'brief thought', signature: '' });
  });

  it('forces tool_use whenever a tool was called, whatever the finish reason', () => {
    const message = fromOpenAIResponse(answer({ content: null, tool_calls: [{ id: 'c', function: { name: 'Bash', arguments: '{}' } }] }, 'stop'), context());
    expect(message.stop_reason).toBe('tool_use');
  });

  it('maps finish reasons', () => {
    expect(fromOpenAIResponse(answer({ content: 'a' }, 'stop'), context()).stop_reason).toBe('end_turn');
    expect(fromOpenAIResponse(answer({ content: 'a' }, 'length'), context()).stop_reason).toBe('max_tokens');
    expect(fromOpenAIResponse(answer({ content: 'a' }, 'content_filter'), context()).stop_reason).toBe('refusal');
    expect(fromOpenAIResponse(answer({ content: 'a' }, null), context()).stop_reason).toBe('end_turn');
  });

  it('reports the stop sequence when the server names it (vLLM)', () => {
    const message = fromOpenAIResponse(answer({ content: 'a' }, 'stop', { stop_reason: '</answer>' }), context(['</answer>']));
    expect(message.stop_reason).toBe('stop_sequence');
    expect(message.stop_sequence).toBe('</answer>');
  });

  it('turns a refusal into text', () => {
    const message = fromOpenAIResponse(answer({ content: null, refusal: "I can't help with that." }), context());
    expect(message.content).toEqual([{ type: 'text', text: "I can't help with that." }]);
  });

  it('restores shortened tool names and makes up ids the server left out', () => {
    const names = new ToolNames();
    const long = 'mcp__a-server-with-a-long-name__a_tool_with_an_even_longer_name_that_overflows';
    const short = names.shorten(long);
    const message = fromOpenAIResponse(
      answer({ tool_calls: [{ function: { name: short, arguments: '{}' } }, { id: 7, function: { name: 'Bash', arguments: '{}' } }] }, 'tool_calls'),
      { requestedModel: 'claude-x', toolNames: names },
    );
    expect(message.content[0]).toMatchObject({ type: 'tool_use', name: long });
    expect((message.content[0] as { id: string }).id).toMatch(/^toolu_[0-9a-f]{24}$/);
    expect(message.content[1]).toMatchObject({ id: '7', name: 'Bash' });
  });

  it('never throws on an empty or odd 200 body', () => {
    expect(fromOpenAIResponse({}, context())).toMatchObject({ content: [], stop_reason: 'end_turn', usage: { input_tokens: 0, output_tokens: 0 } });
    expect(fromOpenAIResponse({ choices: [{}] }, context()).content).toEqual([]);
    expect(
      fromOpenAIResponse(
        answer({
          content: [
            { type: 'text', text: 'part one ' },
            { type: 'text', text: 'part two' },
          ],
        }),
        context(),
      ).content,
    ).toEqual([{ type: 'text', text: 'part one part two' }]);
  });
});

describe('mapUsage', () => {
  it('subtracts cached tokens from the input and reports them as cache reads', () => {
    expect(mapUsage({ prompt_tokens: 1000, completion_tokens: 50, prompt_tokens_details: { cached_tokens: 800 } })).toEqual({
      input_tokens: 200,
      output_tokens: 50,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 800,
    });
  });

  it("reads DeepSeek's cache-hit field and cache writes where reported", () => {
    expect(mapUsage({ prompt_tokens: 500, completion_tokens: 5, prompt_cache_hit_tokens: 300, prompt_cache_miss_tokens: 200 })).toMatchObject({
      input_tokens: 200,
      cache_read_input_tokens: 300,
    });
    expect(mapUsage({ prompt_tokens: 500, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 450 } })).toMatchObject({
      cache_creation_input_tokens: 450,
    });
  });

  it('counts reasoning inside output tokens, as completion_tokens already does', () => {
    expect(mapUsage({ prompt_tokens: 10, completion_tokens: 900, completion_tokens_details: { reasoning_tokens: 800 } }).output_tokens).toBe(900);
  });

  it('is all zeros when the server sends no usage', () => {
    expect(mapUsage(undefined)).toEqual({ input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });
  });
});

describe('parseToolArguments', () => {
  it('parses well-formed arguments', () => {
    expect(parseToolArguments('{"a":1,"b":[true,null]}')).toEqual({ a: 1, b: [true, null] });
  });

  it('keeps what can be kept from arguments cut short', () => {
    expect(parseToolArguments('{"command":"ls -la","description":"List fi')).toEqual({ command: 'ls -la', description: 'List fi' });
    expect(parseToolArguments('{"path":"/tmp","opts":{"recursive":true,')).toEqual({ path: '/tmp', opts: { recursive: true } });
    expect(parseToolArguments('{"items":[1,2,3')).toEqual({ items: [1, 2, 3] });
    expect(parseToolArguments('{"a":1,"b":')).toEqual({ a: 1 });
    expect(parseToolArguments('{"text":"ends with escape \\')).toEqual({ text: 'ends with escape ' });
  });

  it('strips a code fence around the JSON', () => {
    expect(parseToolArguments('```json\n{"x": 2}\n```')).toEqual({ x: 2 });
  });

  it('answers {} for empty, non-object or hopeless arguments, never throwing', () => {
    expect(parseToolArguments('')).toEqual({});
    expect(parseToolArguments('   ')).toEqual({});
    expect(parseToolArguments('[1,2]')).toEqual({});
    expect(parseToolArguments('"just a string"')).toEqual({});
    expect(parseToolArguments('not json at all')).toEqual({});
  });
});
