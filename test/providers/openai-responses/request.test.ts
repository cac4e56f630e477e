import { describe, expect, it } from 'vitest';
import type { MessagesRequest } from '../../../src/protocol/types';
import { MISSING_TOOL_RESULT } from '../../../src/providers/openai/request';
import { isStrictCompatible, type ResponsesTarget, toResponsesRequest } from '../../../src/providers/openai-responses/request';
import { decodeReasoningSignature, encodeReasoningSignature } from '../../../src/providers/openai-responses/signature';
import CLAUDE_CODE_TOOLS from '../../fixtures/claude-code-tools.json';
import { checkResponsesRequest } from '../../fixtures/scripted-responses.mjs';

const codex: ResponsesTarget = { model: 'gpt-5.1-codex', reasoning: 'auto' };

function translate(request: Partial<MessagesRequest>, target: Partial<ResponsesTarget> = {}) {
  return toResponsesRequest({ model: 'claude-sonnet-4-6', max_tokens: 1024, messages: [{ role: 'user', content: 'hi' }], ...request } as MessagesRequest, {
    ...codex,
    ...target,
  });
}

const ours = (id: string, model = 'gpt-5.1-codex') => encodeReasoningSignature({ id, encryptedContent: `enc-of-${id}`, model });

describe('Anthropic request → Responses API request', () => {
  it('maps system, messages, max_tokens, stream, and keeps nothing at OpenAI', () => {
    const { body } = translate({
      system: [
        { type: 'text', text: 'x-anthropic-billing-header: cc_version=2.1.330;' },
        { type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } },
      ],
      max_tokens: 32000,
      stream: true,
      stop_sequences: ['END'],
      top_k: 5,
      metadata: { user_id: 'u' },
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Look', cache_control: { type: 'ephemeral' } },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBO' } },
          ],
        },
        { role: 'assistant', content: 'I see a cat.' },
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'And?' },
      ],
    });
    expect(body).toEqual({
      model: 'gpt-5.1-codex',
      instructions: 'You are Claude Code.',
      input: [
        {
          type: 'message',
          role: 'user',
          content: [
            { type: 'input_text', text: 'Look' },
            { type: 'input_image', image_url: 'data:image/png;base64,iVBO', detail: 'auto' },
          ],
        },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'I see a cat.' }] },
        { type: 'message', role: 'developer', content: 'Be brief.' },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'And?' }] },
      ],
      store: false,
      max_output_tokens: 32000,
      stream: true,
      include: ['reasoning.encrypted_content'],
    });
  });

  it('clamps the output cap to the route and to the endpoint minimum, keeps sampling for non-reasoning models only, and stores when the route says so', () => {
    expect(translate({ max_tokens: 32000 }, { maxTokens: 8000 }).body.max_output_tokens).toBe(8000);
    expect(translate({ max_tokens: 5 }).body.max_output_tokens).toBe(16);
    expect(translate({ temperature: 0.2, top_p: 0.9 }).body).not.toHaveProperty('temperature');
    expect(translate({ temperature: 0.2, top_p: 0.9 }, { model: 'gpt-4.1' }).body).toMatchObject({ temperature: 0.2, top_p: 0.9 });
    const stored = translate({}, { store: true }).body;
    expect(stored.store).toBe(true);
    expect(stored).not.toHaveProperty('include');
  });

  it('turns tool calls and results into function_call / function_call_output items, in call order, answering every call', () => {
    const { body } = translate({
      tools: [{ name: 'Read', input_schema: { type: 'object', properties: { file_path: { type: 'string' } }, required: ['file_path'] } }],
      messages: [
        { role: 'user', content: 'Read both' },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Reading.' },
            { type: 'tool_use', id: 'call_a', name: 'Read', input: { file_path: '/a' } },
            { type: 'tool_use', id: 'call_b', name: 'Read', input: { file_path: '/b' } },
            { type: 'tool_use', id: 'call_c', name: 'Read', input: { file_path: '/c' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Here you go' },
            { type: 'tool_result', tool_use_id: 'call_b', content: [{ type: 'text', text: 'B' }], is_error: true },
            { type: 'tool_result', tool_use_id: 'call_a', content: 'A' },
            { type: 'tool_result', tool_use_id: 'call_gone', content: 'stray' },
          ],
        },
      ],
    });
    expect(body.input.slice(1)).toEqual([
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Reading.' }] },
      { type: 'function_call', call_id: 'call_a', name: 'Read', arguments: '{"file_path":"/a"}' },
      { type: 'function_call', call_id: 'call_b', name: 'Read', arguments: '{"file_path":"/b"}' },
      { type: 'function_call', call_id: 'call_c', name: 'Read', arguments: '{"file_path":"/c"}' },
      { type: 'function_call_output', call_id: 'call_a', output: 'A' },
      { type: 'function_call_output', call_id: 'call_b', output: 'Error: B' },
      { type: 'function_call_output', call_id: 'call_c', output: MISSING_TOOL_RESULT },
      {
        type: 'message',
        role: 'user',
        content: [
          { type: 'input_text', text: 'Here you go' },
          { type: 'input_text', text: '[result of tool call call_gone]\nstray' },
        ],
      },
    ]);
    expect(body.tools).toEqual([
      { type: 'function', name: 'Read', parameters: { type: 'object', properties: { file_path: { type: 'string' } }, required: ['file_path'] }, strict: false },
    ]);
    expect(checkResponsesRequest(body as unknown as Record<string, unknown>)).toBeNull();
  });

  it('replays our reasoning items from thinking signatures, drops Claude’s and other models’, and never leaves one without its output', () => {
    const { body } = translate({
      messages: [
        { role: 'user', content: 'Go' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'Plan: read.', signature: ours('rs_1') },
            { type: 'tool_use', id: 'call_1', name: 'Read', input: {} },
          ],
        },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_1', content: 'x' }] },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'Claude thought', signature: 'EqQBCkgIARABGAIiQL1' },
            { type: 'text', text: 'From Claude.' },
          ],
        },
        { role: 'user', content: 'Again' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'Other model', signature: ours('rs_2', 'gpt-5.2') },
            { type: 'text', text: 'Other.' },
          ],
        },
        { role: 'user', content: 'Last' },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Prefill' },
            { type: 'thinking', thinking: '', signature: ours('rs_3') },
          ],
        },
      ],
    });
    const reasoning = body.input.filter((item) => item.type === 'reasoning');
    expect(reasoning).toEqual([{ type: 'reasoning', id: 'rs_1', encrypted_content: 'enc-of-rs_1', summary: [{ type: 'summary_text', text: 'Plan: read.' }] }]);
    expect(body.input[1]).toEqual(reasoning[0]);
    expect(body.input[2]).toMatchObject({ type: 'function_call', call_id: 'call_1' });
    expect(checkResponsesRequest(body as unknown as Record<string, unknown>, new Map([['rs_1', 'enc-of-rs_1']]))).toBeNull();
  });

  it('maps thinking to reasoning effort with summaries, on reasoning models or when the route asks', () => {
    expect(translate({ thinking: { type: 'enabled', budget_tokens: 2000 } }).body.reasoning).toEqual({ effort: 'low', summary: 'auto' });
    expect(translate({ thinking: { type: 'adaptive' }, output_config: { effort: 'max' } }).body.reasoning).toEqual({ effort: 'high', summary: 'auto' });
    expect(translate({ thinking: { type: 'adaptive' } }, { model: 'gpt-4.1' }).body).not.toHaveProperty('reasoning');
    expect(translate({ thinking: { type: 'adaptive' } }, { model: 'my-gateway-model', reasoning: 'always' }).body.reasoning).toEqual({
      effort: 'medium',
      summary: 'auto',
    });
    expect(translate({ thinking: { type: 'adaptive' } }, { reasoning: 'never' }).body).not.toHaveProperty('reasoning');
    expect(translate({ thinking: { type: 'disabled' } }).body).not.toHaveProperty('reasoning');
  });

  it('maps tool_choice, parallel tool use, output format and the session cache key', () => {
    const tools = [{ name: 'Bash', input_schema: { type: 'object', properties: {} } }];
    expect(translate({ tools, tool_choice: { type: 'any', disable_parallel_tool_use: true } }).body).toMatchObject({
      tool_choice: 'required',
      parallel_tool_calls: false,
    });
    expect(translate({ tools, tool_choice: { type: 'tool', name: 'Bash' } }).body.tool_choice).toEqual({ type: 'function', name: 'Bash' });
    expect(translate({ tools, tool_choice: { type: 'none' } }).body.tool_choice).toBe('none');
    expect(translate({ tools, tool_choice: { type: 'tool', name: 'Missing' } }).body).not.toHaveProperty('tool_choice');
    const schema = { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'], additionalProperties: false };
    expect(translate({ output_config: { format: { type: 'json_schema', schema } } }).body.text).toEqual({
      format: { type: 'json_schema', name: 'output', schema, strict: true },
    });
    expect(translate({}, { sessionId: 'sess-1' }).body.prompt_cache_key).toBe('sess-1');
    expect(translate({}).body).not.toHaveProperty('prompt_cache_key');
  });

  it("maps Anthropic's web search to the Responses web_search tool, and prior searches to text", () => {
    const { body } = translate({
      tools: [{ type: 'web_search_20250305', name: 'web_search', max_uses: 8, allowed_domains: ['example.com'] }],
      tool_choice: { type: 'tool', name: 'web_search' },
      messages: [
        { role: 'user', content: 'Search' },
        {
          role: 'assistant',
          content: [
            { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: { query: 'proxy' } },
            {
              type: 'web_search_tool_result',
              tool_use_id: 'srvtoolu_1',
              content: [{ type: 'web_search_result', url: 'https://example.com/a', title: 'A', encrypted_content: 'e', page_age: null }],
            },
            { type: 'text', text: 'Found A.' },
          ],
        },
        { role: 'user', content: 'More' },
      ],
    });
    expect(body.tools).toEqual([{ type: 'web_search', filters: { allowed_domains: ['example.com'] } }]);
    expect(body.tool_choice).toBe('required');
    expect(body.include).toContain('web_search_call.action.sources');
    expect(body.input[1]).toEqual({
      type: 'message',
      role: 'assistant',
      content: [{ type: 'output_text', text: '[searched the web for: proxy]\n\n[web search results]\n- A (https://example.com/a)\n\nFound A.' }],
    });
  });

  it("sends Claude Code's tools strict only where the schema allows it, and the scripted endpoint accepts them", () => {
    const { body } = translate({ tools: CLAUDE_CODE_TOOLS as MessagesRequest['tools'] });
    expect(body.tools).toHaveLength(CLAUDE_CODE_TOOLS.length);
    for (const tool of body.tools!) {
      if (tool.type !== 'function') continue;
      expect(tool.strict).toBe(isStrictCompatible(tool.parameters));
      expect(tool.parameters).not.toHaveProperty('$schema');
    }
    expect(checkResponsesRequest(body as unknown as Record<string, unknown>)).toBeNull();
  });

  it('knows strict-compatible schemas', () => {
    const closed = {
      type: 'object',
      properties: { a: { type: 'string' }, b: { type: 'array', items: { type: 'integer' } } },
      required: ['a', 'b'],
      additionalProperties: false,
    };
    expect(isStrictCompatible(closed)).toBe(true);
    expect(isStrictCompatible({ ...closed, required: ['a'] })).toBe(false);
    expect(isStrictCompatible({ ...closed, additionalProperties: true })).toBe(false);
    expect(isStrictCompatible({ ...closed, properties: { a: { type: 'string', default: 'x' }, b: { type: 'string' } } })).toBe(false);
  });
});

describe('history from other models', () => {
  it('answers calls whose ids carry a Gemini thought signature under the call id alone', () => {
    const id = 'function-call-1__tsb_CiQBVKhc7k-_AbC';
    const { body } = translate({
      messages: [
        { role: 'user', content: 'Go' },
        { role: 'assistant', content: [{ type: 'tool_use', id, name: 'Read', input: {} }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content: 'done' }] },
      ],
    });
    expect(body.input.slice(1)).toEqual([
      { type: 'function_call', call_id: 'function-call-1', name: 'Read', arguments: '{}' },
      { type: 'function_call_output', call_id: 'function-call-1', output: 'done' },
    ]);
  });
});

describe('reasoning signatures', () => {
  it('round-trip the item and refuse anything that is not ours', () => {
    const signature = encodeReasoningSignature({ id: 'rs_abc', encryptedContent: 'gAAAAB…ü', model: 'gpt-5.1-codex' });
    expect(decodeReasoningSignature(signature)).toEqual({ id: 'rs_abc', encryptedContent: 'gAAAAB…ü', model: 'gpt-5.1-codex' });
    expect(decodeReasoningSignature('EqQBCkgIARABGAIiQL1')).toBeNull();
    expect(decodeReasoningSignature('cpr1.not-base64!')).toBeNull();
    expect(decodeReasoningSignature(undefined)).toBeNull();
    const large = encodeReasoningSignature({ id: 'rs_big', encryptedContent: 'x'.repeat(200_000), model: 'm' });
    expect(decodeReasoningSignature(large)?.encryptedContent).toHaveLength(200_000);
  });
});
