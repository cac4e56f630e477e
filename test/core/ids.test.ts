import { describe, expect, it } from 'vitest';
import { idFloor, newTraceId, timePrefix } from '../../src/core/ids';

const CROCKFORD = /^[0-9ABCDEFGHJKMNPQRSTVWXYZ]{26}$/;

describe('trace ids (ULIDs)', () => {
  it('are 26 Crockford base32 characters whose first 10 encode the millisecond', () => {
    const at = Date.UTC(2026, 10, 29, 12, 0, 0, 123);
    const id = newTraceId(at);
    expect(id).toMatch(CROCKFORD);
    expect(id.slice(0, 10)).toBe(timePrefix(at));
    // 48 bits of time, most significant first: decoding the prefix gives the moment back.
    const decoded = [...id.slice(0, 10)].reduce((ms, ch) => ms * 32 + '0123456789ABCDEFGHJKMNPQRSTVWXYZ'.indexOf(ch), 0);
    expect(decoded).toBe(at);
  });

  it('made in the same millisecond, sort in the order they were made', () => {
    const at = Date.UTC(2026, 10, 29, 12, 0, 1);
    const ids = Array.from({ length: 1000 }, () => newTraceId(at));
    expect(new Set(ids).size).toBe(1000);
    expect([...ids].sort()).toEqual(ids);
    for (const id of ids) expect(id.slice(0, 10)).toBe(timePrefix(at));
  });

  it('never go backwards when the clock does', () => {
    const at = Date.UTC(2026, 10, 29, 12, 0, 2);
    const first = newTraceId(at);
    const earlier = newTraceId(at - 5_000);
    expect(earlier > first).toBe(true);
    expect(newTraceId(at + 1) > earlier).toBe(true);
  });

  it('bound time ranges: every id of a moment is ≥ its floor and < the next moment’s floor', () => {
    const at = Date.UTC(2026, 10, 29, 12, 0, 3);
    const id = newTraceId(at);
    expect(id >= idFloor(at)).toBe(true);
    expect(id < idFloor(at + 1)).toBe(true);
    expect(idFloor(at) < idFloor(at + 1)).toBe(true);
  });
});
