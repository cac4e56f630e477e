import fc from 'fast-check';
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

/**
 * The estimate's definition, as it was first written: runs of one regular expression, priced.
 * estimateTokens finds the same runs in one pass over UTF-8 bytes, and must count the same.
 */
const RUNS = /(\p{Script=Han}+|\p{Script=Hiragana}+|\p{Script=Katakana}+|\p{Script=Hangul}+)|(\p{L}+)|(\p{N}+)|([^\s\p{L}\p{N}]+)|(\s+)/gu;

function byRegex(text: string): number {
  let tokens = 0;
  for (const [run, cjk, letters, digits, punctuation] of text.matchAll(RUNS)) {
    if (cjk) tokens += cjk.length * 0.7;
    else if (letters) tokens += letters.length <= 9 ? 1 : Math.ceil(letters.length / 8);
    else if (digits) tokens += Math.ceil(digits.length / 3);
    else if (punctuation) tokens += Math.ceil(punctuation.length / 4);
    else if (run.includes('\n')) tokens += 0.5;
    else if (run.length > 1) tokens += Math.ceil((run.length - 1) / 8);
  }
  return Math.ceil(tokens);
}

/** Pieces that make runs meet in every way: scripts that letter runs swallow or not, astral code points, lone surrogates, marks, numerals. */
const PIECES = [
  'word',
  'Verylongidentifier',
  ' ',
  '  ',
  '\n',
  ' \n ',
  '\t',
  '\u00a0',
  '\u3000',
  '123',
  '4.5e6',
  '²',
  'Ⅻ',
  '٣',
  '{"a":',
  '//',
  '—',
  '✓',
  '🙂',
  '中文',
  '〇',
  '⺀',
  '々',
  'ひらがな',
  'カタカナ',
  'ー',
  '한국어',
  'ᄀ',
  '𠀀',
  '𝒜',
  'é',
  'e\u0301',
  'Ω',
  'Привет',
  'العربية',
  '\ud800',
  '\udc00',
  '\u0000',
  '\u2028',
];

describe('estimateTokens counts exactly as its definition', () => {
  it('on the fixtures', () => {
    expect(estimateTokens(english)).toBe(byRegex(english));
    expect(estimateTokens(code)).toBe(byRegex(code));
  });

  it('on any text: random strings, and runs of every kind meeting every other', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 200 }),
          fc.array(fc.constantFrom(...PIECES), { maxLength: 60 }).map((pieces) => pieces.join('')),
        ),
        (text) => {
          expect(estimateTokens(text)).toBe(byRegex(text));
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('across the 16 KB pieces it scans at a time, ASCII and not', () => {
    for (const piece of ['ab ', 'é ', '中', '𠀀 ', '\n\n', 'x'.repeat(70)]) {
      const text = `${code.slice(0, 16_380)}${piece.repeat(3_000)}${english}`;
      expect(estimateTokens(text)).toBe(byRegex(text));
    }
  });
});
