import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isJsonText, jsonDepth, prettyJsonText, stringifyJson } from '../../src/core/json';

const DEEP = 100_000;
const deepArray = () => `${'['.repeat(DEEP)}1${']'.repeat(DEEP)}`;

describe('JSON without recursion', () => {
  it('stringifies any JSON value exactly as JSON.stringify does, compact and indented', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(stringifyJson(value)).toBe(JSON.stringify(value));
        expect(stringifyJson(value, '  ')).toBe(JSON.stringify(value, null, 2));
      }),
      { numRuns: 500 },
    );
  });

  it('re-indents JSON text to what JSON.stringify(parse(text), null, 2) gives, strings untouched', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(prettyJsonText(JSON.stringify(value))).toBe(JSON.stringify(value, null, 2));
      }),
      { numRuns: 500 },
    );
    const text = '{"a" : [ 1 , {"b":"x, [y]: \\"z\\""} , [] , {} ] }';
    expect(prettyJsonText(text)).toBe(JSON.stringify(JSON.parse(text), null, 2));
  });

  it('handles 100,000 levels of nesting, where any recursive walk overflows the stack', () => {
    const text = deepArray();
    const value = JSON.parse(text);
    const walk = (x: unknown): number => (Array.isArray(x) ? 1 + walk(x[0]) : 0);
    expect(() => walk(value)).toThrow(RangeError);
    expect(stringifyJson(value)).toBe(text);
    expect(prettyJsonText(text).length).toBeGreaterThan(text.length);
    expect(jsonDepth(text)).toBe(DEEP);
  });

  it('measures depth outside strings only, and tells JSON from other text', () => {
    expect(jsonDepth('{"a":"[[[[","b":[{"c":1}]}')).toBe(3);
    expect(jsonDepth('"just a string"')).toBe(0);
    expect(isJsonText('{"a":1}')).toBe(true);
    expect(isJsonText('{"a":1')).toBe(false);
  });

  it('leaves out members by name', () => {
    const value = { role: 'user', content: [{ type: 'text', text: 'hi', cache_control: { type: 'ephemeral' } }] };
    expect(stringifyJson(value, '', (key) => key === 'cache_control')).toBe('{"role":"user","content":[{"type":"text","text":"hi"}]}');
  });
});
