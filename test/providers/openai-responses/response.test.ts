import { describe, expect, it } from 'vitest';
import { ToolNames } from '../../../src/providers/openai/tool-names';
import { fromResponsesResponse, mapResponsesUsage, type ResponsesAnswerContext } from '../../../src/providers/openai-responses/response';
import { decodeReasoningSignature } from '../../../src/providers/openai-responses/signature';
import type { ResponsesResponse } from '../../../src/providers/openai-responses/types';
import { item, responseObject } from '../../fixtures/scripted-responses.mjs';

const context = (): ResponsesAnswerContext => ({ requestedModel: 'claude-sonnet-4-6', toolNames: new ToolNames(), targetModel: 'gpt-5.1-codex' });
const convert = (response: unknown) => fromResponsesResponse(response as ResponsesResponse, context());

describe('Responses API answer → Anthropic message', () => {
  it('maps reasoning, text and function calls to blocks in order, with the reasoning item in the signature', () => {
    const reasoning = item.reasoning('Plan the read.');
    const call = item.call('Read', { file_path: '/a.txt' }, 'call_read1');
    const message = convert(
      responseObject([reasoning, item.message('Reading it.'), call], { id: 'resp_1', usage: { input_tokens: 120, output_tokens: 30, cached: 100 } }),
    );
    expect(message).toEqual({
      id: 'msg_resp_1',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-6',
      content: [
        { type: 'thinking', thinking: 'Plan the read.', signature: expect.stringMatching(/^cpr1\./) },
        { type: 'text', text: 'Reading it.' },
        { type: 'tool_use', id: 'call_read1', name: 'Read', input: { file_path: '/a.txt' } },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 20, output_tokens: 30, cache_read_input_tokens: 100, cache_creation_input_tokens: 0 },
    });
    const signature = (message.content[0] as { signature: string }).signature;
    expect(decodeReasoningSignature(signature)).toEqual({ id: reasoning.id, encryptedContent: reasoning.encrypted_content, model: 'gpt-5.1-codex' });
  });

  it('keeps a reasoning item that has no summary as an empty thinking block (it must be replayed), and drops one with nothing to replay', () => {
    const bare = item.reasoning(null);
    expect(convert(responseObject([bare, item.message('ok')])).content[0]).toEqual({
      type: 'thinking',
      thinking: '',
      signature: expect.stringMatching(/^cpr1\./),
    });
    expect(convert(responseObject([{ type: 'reasoning', id: 'rs_x', summary: [] }, item.message('ok')])).content).toEqual([{ type: 'text', text: 'ok' }]);
  });

  it('maps incomplete (max output tokens) to max_tokens, a refusal to refusal, unknown items to nothing', () => {
    expect(convert(responseObject([item.message('Cut sh')], { status: 'incomplete', incomplete: 'max_output_tokens' })).stop_reason).toBe('max_tokens');
    const refusal = { type: 'message', id: 'msg_r', role: 'assistant', content: [{ type: 'refusal', refusal: 'I cannot help with that.' }] };
    expect(convert(responseObject([refusal]))).toMatchObject({ content: [{ type: 'text', text: 'I cannot help with that.' }], stop_reason: 'refusal' });
    expect(convert(responseObject([{ type: 'image_generation_call', id: 'ig_1' }, item.message('x')])).content).toEqual([{ type: 'text', text: 'x' }]);
  });

  it('maps a web search to server_tool_use and web_search_tool_result blocks', () => {
    const search = item.webSearch('claude proxy', [{ url: 'https://example.com/a', title: 'Example A' }, { url: 'https://example.com/b' }]);
    const message = convert(responseObject([search, item.message('Found two pages.')]));
    const id = `srvtoolu_${search.id}`;
    expect(message.content).toEqual([
      { type: 'server_tool_use', id, name: 'web_search', input: { query: 'claude proxy' } },
      {
        type: 'web_search_tool_result',
        tool_use_id: id,
        content: [
          { type: 'web_search_result', url: 'https://example.com/a', title: 'Example A', encrypted_content: '', page_age: null },
          { type: 'web_search_result', url: 'https://example.com/b', title: 'https://example.com/b', encrypted_content: '', page_age: null },
        ],
      },
      { type: 'text', text: 'Found two pages.' },
    ]);
    expect(message.stop_reason).toBe('end_turn');
  });

  it('repairs tool arguments cut short, restores shortened tool names, and survives bodies of any shape', () => {
    const ctx = context();
    const long = `mcp__server__${'x'.repeat(70)}`;
    const short = ctx.toolNames.shorten(long);
    const message = fromResponsesResponse(
      {
        status: 'completed',
        output: [{ type: 'function_call', call_id: 'call.weird/id', name: short, arguments: '{"path": "/a", "lim' }],
      } as ResponsesResponse,
      ctx,
    );
    expect(message.content).toEqual([{ type: 'tool_use', id: 'call_weird_id', name: long, input: { path: '/a' } }]);
    expect(convert({}).content).toEqual([]);
    expect(mapResponsesUsage(undefined)).toEqual({ input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 });
  });
});
