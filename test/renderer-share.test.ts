/**
 * The structural sharing the modeling screens apply to each projection (renderer/src/modeling/
 * share.ts): what did not change keeps its object, so a memoised row renders again only when its
 * own figures changed.
 */
import { describe, expect, it } from 'vitest';
import { shareEqual } from '../renderer/src/modeling/share.ts';

const key = (id: string, blocked: number) => ({ id, name: id.toUpperCase(), blocked, spark: [1, 2, 3], capUsd: null as number | null });

describe('shareEqual', () => {
  it('keeps the objects of unchanged keys and gives new ones for changed keys', () => {
    const prev = { computeMs: 10, keys: [key('a', 0), key('b', 0), key('c', 1)] };
    // a fresh answer, as JSON gives it: every object new
    const next = JSON.parse(JSON.stringify({ computeMs: 12, keys: [key('a', 0), key('b', 5), key('c', 1)] })) as typeof prev;
    const out = shareEqual(prev, next);
    expect(out).toEqual(next);
    expect(out).not.toBe(prev);
    expect(out.keys).not.toBe(prev.keys);
    expect(out.keys[0]).toBe(prev.keys[0]);
    expect(out.keys[2]).toBe(prev.keys[2]);
    expect(out.keys[1]).not.toBe(prev.keys[1]);
    expect(out.keys[1]?.blocked).toBe(5);
    // inside a changed key, its unchanged parts are kept too
    expect(out.keys[1]?.spark).toBe(prev.keys[1]?.spark);
  });

  it('returns the previous answer itself when nothing changed', () => {
    const prev = { keys: [key('a', 0)], to: null, tags: ['x'] };
    const next = JSON.parse(JSON.stringify(prev)) as typeof prev;
    expect(shareEqual(prev, next)).toBe(prev);
  });

  it('sees added, removed and reordered entries, and changed types', () => {
    const prev = { keys: [key('a', 0), key('b', 0)], cap: 5 as number | null, extra: 1 as number | undefined };
    expect(shareEqual(prev, { ...prev, keys: [prev.keys[1], prev.keys[0]] }).keys).not.toBe(prev.keys);
    expect(shareEqual(prev, { ...prev, keys: [key('a', 0)] }).keys).toHaveLength(1);
    expect(shareEqual(prev, { ...prev, keys: [...prev.keys, key('c', 0)] }).keys).toHaveLength(3);
    expect(shareEqual(prev, { ...prev, cap: null }).cap).toBeNull();
    const { extra: _dropped, ...fewer } = prev;
    expect(Object.hasOwn(shareEqual(prev, fewer), 'extra')).toBe(false);
    expect(shareEqual(prev, { ...prev, keys: [] }).keys).toEqual([]);
    expect(shareEqual(null, prev)).toBe(prev);
    expect(shareEqual({ n: Number.NaN }, { n: Number.NaN }).n).toBeNaN();
  });
});
