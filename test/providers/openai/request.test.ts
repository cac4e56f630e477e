import { describe, expect, it } from 'vitest';
import type { MessagesRequest } from '../../../src/protocol/types';
import { COMPAT, compatFor } from '../../../src/providers/openai/compat';
import { MISSING_TOOL_RESULT, thinkingEffort, toOpenAIRequest } from '../../../src/providers/openai/request';
import { cleanSchema } from '../../../src/providers/openai/schema';

const openai = COMPAT.openai;
const generic = COMPAT.generic;

function translate(request: Partial<MessagesRequest>, compat = generic, extra: { model?: string; maxTokens?: number } = {}) {
  return toOpenAIRequest({ model: 'claude-sonnet-4-6', max_tokens: 1024, messages: [{ role: 'user', content: 'hi' }], ...request } as MessagesRequest, {
    model: extra.model ?? 'target-model',
    compat,
    maxTokens: extra.maxTokens,
  });
}

describe('system prompt', () => {
  it('maps a string system prompt to a leading system message', () => {
    const { body } = translate({ system: 'You are terse.' });
    expect(body.messages[0]).toEqual({ role: 'system', content: 'You are terse.' });
  });

  it("joins system blocks and drops Claude Code's billing-header block", () => {
    const { body } = translate({
      system: [
        { type: 'text', text: 'x-anthropic-billing-header: cc_version=2.1.197; cc_entrypoint=cli;' },
        { type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } },
        { type: 'text', text: 'Be careful.' },
      ],
    });
    expect(body.messages[0]).toEqual({ role: 'system', content: 'You are Claude Code.\n\nBe careful.' });
  });

  it('keeps a mid-conversation system item in place, as a system message or a wrapped user message', () => {
    const messages: MessagesRequest['messages'] = [
      { role: 'user', content: 'first' },
      { role: 'assistant', content: 'ok' },
      { role: 'system', content: 'Now be brief.' },
      { role: 'user', content: 'second' },
    ];
    expect(translate({ messages }, openai).body.messages[2]).toEqual({ role: 'system', content: 'Now be brief.' });
    expect(translate({ messages }, generic).body.messages[2]).toEqual({ role: 'user', content: '<system-reminder>\nNow be brief.\n</system-reminder>' });
  });
});

describe('user content', () => {
  it('sends text-only turns as one string and mixed turns as parts', () => {
    const { body } = translate({
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: '<system-reminder>ctx</system-reminder>' },
            { type: 'text', text: 'question', cache_control: { type: 'ephemeral' } },
          ],
        },
        { role: 'assistant', content: 'answer' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'what is this?' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
          ],
        },
      ],
    });
    expect(body.messages[0]).toEqual({ role: 'user', content: '<system-reminder>ctx</system-reminder>\n\nquestion' });
    expect(body.messages[2]).toEqual({
      role: 'user',
      content: [
        { type: 'text', text: 'what is this?' },
        { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
        { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
      ],
    });
  });

  it('sends PDFs as file parts where the target reads them, else a placeholder; text documents as text', () => {
    const messages: MessagesRequest['messages'] = [
      {
        role: 'user',
        content: [
          { type: 'document', title: 'spec.pdf', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' } },
          { type: 'document', title: 'notes', source: { type: 'text', media_type: 'text/plain', data: 'plain notes' } },
          { type: 'text', text: 'summarise' },
        ],
      },
    ];
    expect(translate({ messages }, openai).body.messages[0]).toEqual({
      role: 'user',
      content: [
        { type: 'file', file: { filename: 'spec.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' } },
        { type: 'text', text: 'notes\nplain notes' },
        { type: 'text', text: 'summarise' },
      ],
    });
    const placeholder = translate({ messages }, generic).body.messages[0]!.content as string;
    expect(placeholder).toContain('[document "spec.pdf" (application/pdf) omitted: the target model cannot read this document type]');
    expect(placeholder).toContain('notes\nplain notes');
  });
});

describe('tool use history', () => {
  const history: MessagesRequest['messages'] = [
    { role: 'user', content: 'list files and read the readme' },
    {
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'I will use two tools.', signature: 'sig' },
        { type: 'text', text: 'Running both.' },
        { type: 'tool_use', id: 'toolu_A', name: 'Bash', input: { command: 'ls' } },
        { type: 'tool_use', id: 'toolu_B', name: 'Read', input: { file_path: '/README.md' } },
      ],
    },
    {
      role: 'user',
      content: [
        { type: 'text', text: 'thanks, continue' },
        {
          type: 'tool_result',
          tool_use_id: 'toolu_B',
          content: [
            { type: 'text', text: '# Title' },
            { type: 'text', text: 'body' },
          ],
        },
        { type: 'tool_result', tool_use_id: 'toolu_A', content: 'README.md\nsrc', is_error: false },
      ],
    },
  ];

  it('maps tool_use to tool_calls and answers each call with one tool message, in call order, before the user text', () => {
    const { body } = translate({ messages: history });
    expect(body.messages.slice(1)).toEqual([
      {
        role: 'assistant',
        content: 'Running both.',
        tool_calls: [
          { id: 'toolu_A', type: 'function', function: { name: 'Bash', arguments: '{"command":"ls"}' } },
          { id: 'toolu_B', type: 'function', function: { name: 'Read', arguments: '{"file_path":"/README.md"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'toolu_A', content: 'README.md\nsrc' },
      { role: 'tool', tool_call_id: 'toolu_B', content: '# Title\nbody' },
      { role: 'user', content: 'thanks, continue' },
    ]);
  });

  it('replays prior thinking as reasoning_content only where the target needs it', () => {
    expect(translate({ messages: history }, COMPAT.deepseek).body.messages[1]).toMatchObject({ reasoning_content: 'I will use two tools.' });
    expect(translate({ messages: history }, generic).body.messages[1]).not.toHaveProperty('reasoning_content');
  });

  it('marks error results, keeps absent content empty, and sends null content for tool-only turns', () => {
    const { body } = translate({
      messages: [
        { role: 'user', content: 'go' },
        {
          role: 'assistant',
          content: [
            { type: 'tool_use', id: 't1', name: 'Bash', input: {} },
            { type: 'tool_use', id: 't2', name: 'Bash', input: {} },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 't1', content: 'permission denied', is_error: true },
            { type: 'tool_result', tool_use_id: 't2' },
          ],
        },
      ],
    });
    expect(body.messages[1]).toMatchObject({ role: 'assistant', content: null });
    expect(body.messages[2]).toEqual({ role: 'tool', tool_call_id: 't1', content: 'Error: permission denied' });
    expect(body.messages[3]).toEqual({ role: 'tool', tool_call_id: 't2', content: '' });
    expect(body.messages).toHaveLength(4);
  });

  it('moves images returned by a tool to the following user message', () => {
    const { body } = translate({
      messages: [
        { role: 'user', content: 'screenshot please' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'shot', name: 'Screenshot', input: {} }] },
        {
          role: 'user',
          content: [
            {
              type: 'tool_result',
              tool_use_id: 'shot',
              content: [
                { type: 'text', text: 'captured' },
                { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: '/9j/4AAQ' } },
              ],
            },
          ],
        },
      ],
    });
    expect(body.messages[2]).toEqual({ role: 'tool', tool_call_id: 'shot', content: 'captured\n[image: attached in the next user message]' });
    expect(body.messages[3]).toEqual({
      role: 'user',
      content: [
        { type: 'text', text: 'Images returned by the tool calls above:' },
        { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/4AAQ' } },
      ],
    });
  });

  it('gives orphaned tool calls a synthetic reply, wherever the conversation goes next', () => {
    const { body } = translate({
      messages: [
        { role: 'user', content: 'go' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'lost', name: 'Bash', input: { command: 'sleep 100' } }] },
        { role: 'user', content: 'never mind, just say hi' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'last', name: 'Bash', input: {} }] },
      ],
    });
    expect(body.messages.map((message) => message.role)).toEqual(['user', 'assistant', 'tool', 'user', 'assistant', 'tool']);
    expect(body.messages[2]).toEqual({ role: 'tool', tool_call_id: 'lost', content: MISSING_TOOL_RESULT });
    expect(body.messages[5]).toEqual({ role: 'tool', tool_call_id: 'last', content: MISSING_TOOL_RESULT });
  });

  it('turns a tool result with no matching call into user text instead of an invalid tool message', () => {
    const { body } = translate({ messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'ghost', content: 'output' }] }] });
    expect(body.messages).toEqual([{ role: 'user', content: '[result of tool call ghost]\noutput' }]);
  });

  it('drops redacted thinking and server-tool blocks from history', () => {
    const { body } = translate({
      messages: [
        { role: 'user', content: 'search' },
        {
          role: 'assistant',
          content: [
            { type: 'redacted_thinking', data: 'opaque' },
            { type: 'server_tool_use', id: 'srv', name: 'web_search', input: { query: 'x' } },
            { type: 'web_search_tool_result', tool_use_id: 'srv', content: [] },
            { type: 'text', text: 'Found it.' },
          ],
        },
      ],
    });
    expect(body.messages[1]).toEqual({ role: 'assistant', content: 'Found it.' });
  });
});

describe('tools', () => {
  const longName = 'mcp__my-very-long-server-name-for-testing__and_an_even_longer_tool_name_beyond_the_limit';

  it('maps client tools to functions and drops server tools and Anthropic-only keys', () => {
    const { body } = translate({
      tools: [
        {
          name: 'Bash',
          description: 'Run a command',
          input_schema: {
            $schema: 'http://json-schema.org/draft-07/schema#',
            type: 'object',
            properties: { command: { type: 'string' } },
            required: ['command'],
          },
          cache_control: { type: 'ephemeral' },
          defer_loading: false,
          eager_input_streaming: true,
          strict: true,
        },
        { type: 'web_search_20250305', name: 'web_search', max_uses: 8 },
        { type: 'bash_20250124', name: 'bash' },
      ],
    });
    expect(body.tools).toEqual([
      {
        type: 'function',
        function: {
          name: 'Bash',
          description: 'Run a command',
          parameters: { type: 'object', properties: { command: { type: 'string' } }, required: ['command'] },
        },
      },
    ]);
  });

  it('shortens names over 64 characters everywhere and maps them back', () => {
    const { body, toolNames } = translate({
      messages: [
        { role: 'user', content: 'go' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: longName, input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: 'ok' }] },
      ],
      tools: [{ name: longName, input_schema: { type: 'object' } }],
      tool_choice: { type: 'tool', name: longName },
    });
    const short = body.tools![0]!.function.name;
    expect(short).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(short).not.toBe(longName);
    expect((body.messages[1] as { tool_calls: { function: { name: string } }[] }).tool_calls[0]!.function.name).toBe(short);
    expect(body.tool_choice).toEqual({ type: 'function', function: { name: short } });
    expect(toolNames.restore(short)).toBe(longName);
    expect(toolNames.restore('Bash')).toBe('Bash');
  });

  it('maps tool_choice and disable_parallel_tool_use, and omits both when no tool survives', () => {
    const tools = [{ name: 'Bash', input_schema: { type: 'object' } }];
    expect(translate({ tools, tool_choice: { type: 'auto' } }).body.tool_choice).toBe('auto');
    expect(translate({ tools, tool_choice: { type: 'any' } }).body.tool_choice).toBe('required');
    expect(translate({ tools, tool_choice: { type: 'none' } }).body.tool_choice).toBe('none');
    expect(translate({ tools, tool_choice: { type: 'tool', name: 'Bash' } }).body.tool_choice).toEqual({ type: 'function', function: { name: 'Bash' } });
    const serial = translate({ tools, tool_choice: { type: 'auto', disable_parallel_tool_use: true } }).body;
    expect(serial.parallel_tool_calls).toBe(false);
    const none = translate({
      tools: [{ type: 'web_search_20250305', name: 'web_search' }],
      tool_choice: { type: 'any', disable_parallel_tool_use: true },
    }).body;
    expect(none).not.toHaveProperty('tools');
    expect(none).not.toHaveProperty('tool_choice');
    expect(none).not.toHaveProperty('parallel_tool_calls');
  });

  it('cleans schemas for targets with a narrow JSON-schema dialect', () => {
    const schema = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      additionalProperties: false,
      properties: {
        url: { type: 'string', format: 'uri' },
        when: { type: 'string', format: 'date-time' },
        mode: { const: 'fast' },
        limit: { type: ['integer', 'null'], exclusiveMinimum: 0 },
        additionalProperties: { type: 'string' },
        either: { oneOf: [{ type: 'string' }, { type: 'number' }] },
      },
      required: ['url'],
    };
    expect(cleanSchema(schema, 'strict-subset')).toEqual({
      type: 'object',
      properties: {
        url: { type: 'string' },
        when: { type: 'string', format: 'date-time' },
        mode: { enum: ['fast'] },
        limit: { type: 'integer', nullable: true },
        additionalProperties: { type: 'string' },
        either: { anyOf: [{ type: 'string' }, { type: 'number' }] },
      },
      required: ['url'],
    });
    expect(cleanSchema(schema, 'keep')).not.toHaveProperty('$schema');
    expect(cleanSchema(schema, 'keep')).toHaveProperty('additionalProperties', false);
    const gemini = compatFor({ baseUrl: 'https://generativelanguage.googleapis.com/v1beta/openai' });
    expect(translate({ tools: [{ name: 'Fetch', input_schema: schema }] }, gemini).body.tools![0]!.function.parameters).not.toHaveProperty(
      'additionalProperties',
    );
  });
});

describe('parameters', () => {
  it('uses max_tokens or max_completion_tokens per target, clamped to the route cap', () => {
    expect(translate({ max_tokens: 32000 }, generic).body).toMatchObject({ max_tokens: 32000 });
    expect(translate({ max_tokens: 32000 }, openai).body).toMatchObject({ max_completion_tokens: 32000 });
    expect(translate({ max_tokens: 32000 }, openai).body).not.toHaveProperty('max_tokens');
    expect(translate({ max_tokens: 32000 }, generic, { maxTokens: 8192 }).body.max_tokens).toBe(8192);
    expect(translate({ max_tokens: 100 }, generic, { maxTokens: 8192 }).body.max_tokens).toBe(100);
  });

  it('keeps at most the stop sequences the target allows, and copies temperature and top_p', () => {
    const { body } = translate({ stop_sequences: ['a', 'b', 'c', 'd', 'e'], temperature: 0.2, top_p: 0.9 });
    expect(body.stop).toEqual(['a', 'b', 'c', 'd']);
    expect(body.temperature).toBe(0.2);
    expect(body.top_p).toBe(0.9);
    expect(translate({ stop_sequences: [] }).body).not.toHaveProperty('stop');
  });

  it('asks for usage on streams', () => {
    expect(translate({ stream: true }).body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(translate({ stream: false }).body).not.toHaveProperty('stream_options');
  });

  it('drops Anthropic-only fields instead of leaking them', () => {
    const { body } = translate({
      top_k: 40,
      metadata: { user_id: 'user_1' },
      context_management: { edits: [] },
      service_tier: 'auto',
      container: 'c1',
      speed: 'fast',
      cache_control: { type: 'ephemeral' },
      thinking: { type: 'disabled' },
      messages: [{ role: 'user', content: [{ type: 'text', text: 'hi', cache_control: { type: 'ephemeral', ttl: '1h' } }] }],
    });
    const json = JSON.stringify(body);
    for (const key of ['top_k', 'metadata', 'context_management', 'service_tier', 'container', 'speed', 'cache_control', 'thinking', 'ephemeral']) {
      expect(json).not.toContain(key);
    }
  });

  it('maps structured output to response_format', () => {
    const schema = { type: 'object', properties: { ok: { type: 'boolean' } } };
    const { body } = translate({ output_config: { format: { type: 'json_schema', schema } } });
    expect(body.response_format).toEqual({ type: 'json_schema', json_schema: { name: 'output', schema } });
  });
});

describe('thinking', () => {
  it('derives an effort from the budget or from output_config.effort', () => {
    const base = { model: 'm', max_tokens: 64000, messages: [] };
    expect(thinkingEffort({ ...base, thinking: { type: 'enabled', budget_tokens: 1024 } })).toBe('low');
    expect(thinkingEffort({ ...base, thinking: { type: 'enabled', budget_tokens: 8000 } })).toBe('medium');
    expect(thinkingEffort({ ...base, thinking: { type: 'enabled', budget_tokens: 32000 } })).toBe('high');
    expect(thinkingEffort({ ...base, thinking: { type: 'adaptive' }, output_config: { effort: 'low' } })).toBe('low');
    expect(thinkingEffort({ ...base, thinking: { type: 'adaptive' }, output_config: { effort: 'max' } })).toBe('high');
    expect(thinkingEffort({ ...base, thinking: { type: 'adaptive' } })).toBe('medium');
    expect(thinkingEffort({ ...base, thinking: { type: 'disabled' } })).toBeNull();
    expect(thinkingEffort(base)).toBeNull();
  });

  it('sends reasoning_effort to reasoning models only, in each target dialect', () => {
    const adaptive = { thinking: { type: 'adaptive' as const }, output_config: { effort: 'xhigh' } };
    expect(translate(adaptive, openai, { model: 'gpt-5.1' }).body.reasoning_effort).toBe('high');
    expect(translate(adaptive, openai, { model: 'gpt-4.1' }).body).not.toHaveProperty('reasoning_effort');
    expect(translate({ thinking: { type: 'enabled', budget_tokens: 2048 } }, COMPAT.openrouter).body.reasoning).toEqual({ max_tokens: 2048 });
    expect(translate(adaptive, COMPAT.openrouter).body.reasoning).toEqual({ effort: 'high' });
    expect(translate(adaptive, COMPAT.deepseek).body.thinking).toEqual({ type: 'enabled' });
    // Servers the proxy does not know get it too (one that refuses it gets the request again without it).
    expect(translate(adaptive, generic).body.reasoning_effort).toBe('high');
    expect(translate({}, generic).body).not.toHaveProperty('reasoning_effort');
    const optedOut = compatFor({ baseUrl: 'http://127.0.0.1:8000/v1', reasoning: 'none' });
    expect(translate(adaptive, optedOut, { model: 'qwen3-32b' }).body).not.toHaveProperty('reasoning_effort');
  });
});

describe('compat profiles', () => {
  it('are recognised from the base URL host, and can be named or overridden', () => {
    expect(compatFor({ baseUrl: 'https://api.openai.com/v1' }).name).toBe('openai');
    expect(compatFor({ baseUrl: 'https://openrouter.ai/api/v1' }).name).toBe('openrouter');
    expect(compatFor({ baseUrl: 'https://api.deepseek.com/v1' }).name).toBe('deepseek');
    expect(compatFor({ baseUrl: 'https://generativelanguage.googleapis.com/v1beta/openai' }).name).toBe('gemini');
    expect(compatFor({ baseUrl: 'https://api.groq.com/openai/v1' }).name).toBe('groq');
    expect(compatFor({ baseUrl: 'http://localhost:11434/v1' }).name).toBe('generic');
    expect(compatFor({ baseUrl: 'https://gw.example.com/v1', compat: 'openai' }).name).toBe('openai');
    expect(compatFor({ baseUrl: 'https://api.openai.com/v1', maxTokensField: 'max_tokens' }).maxTokensField).toBe('max_tokens');
  });
});
