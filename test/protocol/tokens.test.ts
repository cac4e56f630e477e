import { encode } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';
import { estimateRequestTokens, estimateTokens } from '../../src/protocol/tokens';
import code from '../fixtures/tokens/code-typescript.txt?raw';
import english from '../fixtures/tokens/english.txt?raw';

/** The estimate against OpenAI's o200k_base tokenizer, as a signed fraction of the real count. */
function error(text: string): number {
  const real = encode(text).length;
  return (estimateTokens(text) - real) / real;
}

describe('estimateTokens (count_tokens for openai routes)', () => {
  it('is within 15% of o200k_base on ordinary English prose', () => {
    expect(Math.abs(error(english))).toBeLessThan(0.15);
    // and on each paragraph alone
    for (const paragraph of english.split('\n\n').filter((p) => p.length > 200)) expect(Math.abs(error(paragraph))).toBeLessThan(0.15);
  });

  it('is within 15% of o200k_base on source code', () => {
    expect(Math.abs(error(code))).toBeLessThan(0.15);
  });

  it('is within 15% on the JSON of a tool definition', () => {
    const tool = JSON.stringify({
      name: 'Bash',
      description: 'Executes a given bash command with an optional timeout, in a persistent shell session. Quote paths that contain spaces.',
      input_schema: {
        type: 'object',
        properties: {
          command: { type: 'string', description: 'The command to execute' },
          timeout: { type: 'number', description: 'Optional timeout in milliseconds (max 600000)' },
          run_in_background: { type: 'boolean', description: 'Set to true to run this command in the background.' },
        },
        required: ['command'],
        additionalProperties: false,
        $schema: 'http://json-schema.org/draft-07/schema#',
      },
    });
    expect(Math.abs(error(tool))).toBeLessThan(0.15);
  });

  it('prices CJK text per character rather than per word', () => {
    const chinese = '这是一个用于测试的中文句子，我们想知道分词器如何处理它。今天天气很好，我们去公园散步吧。';
    expect(Math.abs(error(chinese))).toBeLessThan(0.35);
  });

  it('counts a whole request: system, messages, tool calls and results, tools, images', () => {
    const request = {
      system: english.slice(0, 1000),
      messages: [
        {
          role: 'user' as const,
          content: [
            { type: 'text' as const, text: 'Look at this.' },
            { type: 'image' as const, source: { type: 'base64' as const, media_type: 'image/png', data: 'AAAA' } },
          ],
        },
        { role: 'assistant' as const, content: [{ type: 'tool_use' as const, id: 't', name: 'Read', input: { file_path: '/src/app.ts' } }] },
        { role: 'user' as const, content: [{ type: 'tool_result' as const, tool_use_id: 't', content: code.slice(0, 2000) }] },
      ],
      tools: [{ name: 'Read', description: 'Read a file', input_schema: { type: 'object', properties: { file_path: { type: 'string' } } } }],
    };
    const parts = estimateTokens(english.slice(0, 1000)) + estimateTokens(code.slice(0, 2000)) + 1600;
    const total = estimateRequestTokens(request);
    expect(total).toBeGreaterThan(parts);
    expect(total).toBeLessThan(parts + 120);
  });
});
