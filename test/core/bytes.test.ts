import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { truncateUtf8, utf8Length } from '../../src/core/bytes';

const encoder = new TextEncoder();

/** What truncateUtf8 must give: the longest whole-character prefix within maxBytes. */
function expectedPrefix(text: string, maxBytes: number): string {
  const bytes = encoder.encode(text);
  if (bytes.length <= maxBytes) return text;
  let end = maxBytes;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return new TextDecoder().decode(bytes.subarray(0, end));
}

describe('UTF-8 sizes and cuts, without a copy the size of the text', () => {
  const texts = [
    `${'a'.repeat(70_000)}é${'😀'.repeat(40_000)}`, // slices of 64 K units split surrogate pairs unless told not to
    '😀'.repeat(100_000),
    'x'.repeat(200_000),
    'é'.repeat(33_000),
  ];

  it('measures like TextEncoder, long texts included', () => {
    for (const text of texts) expect(utf8Length(text)).toBe(encoder.encode(text).byteLength);
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), (text) => {
        expect(utf8Length(text)).toBe(encoder.encode(text).byteLength);
      }),
    );
  });

  it('cuts at a character boundary, at most maxBytes', () => {
    for (const text of texts)
      for (const max of [0, 1, 3, 5, 65_536, 70_001, 199_999, 10_000_000]) expect(truncateUtf8(text, max)).toBe(expectedPrefix(text, max));
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), fc.nat(800), (text, max) => {
        const cut = truncateUtf8(text, max);
        expect(cut).toBe(expectedPrefix(text, max));
        expect(encoder.encode(cut).byteLength).toBeLessThanOrEqual(max);
      }),
    );
  });
});
