import { describe, expect, it } from 'vitest';
import { claimPaths } from '../src/forecast/path-claims.ts';

describe('Monte Carlo paths claimed by the workers', () => {
  it('runs every path exactly once: a worker runs its own, then takes the last ones another has not started', () => {
    const lists = [
      [0, 2, 4, 6, 8],
      [1, 3, 5, 7, 9],
    ];
    const claims = new Int32Array(10);
    const fast = claimPaths(claims, lists, 0);
    const slow = claimPaths(claims, lists, 1);
    // the slow worker starts its first path, then the fast one runs everything it can
    const ranSlow: number[] = [];
    const first = slow.next();
    if (!first.done) ranSlow.push(first.value);
    const ranFast = [...fast];
    ranSlow.push(...slow);
    expect(ranSlow).toEqual([1]);
    // its own in order, then the slow one's from the back
    expect(ranFast).toEqual([0, 2, 4, 6, 8, 9, 7, 5, 3]);
    expect([...ranFast, ...ranSlow].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('skips a path of its own that another worker has already taken', () => {
    const lists = [[0, 2, 4], [1, 3]];
    const claims = new Int32Array(5);
    const a = claimPaths(claims, lists, 0);
    const b = claimPaths(claims, lists, 1);
    expect([b.next().value, b.next().value]).toEqual([1, 3]);
    // b has run its own and takes a's last one before a reaches it
    expect(b.next().value).toBe(4);
    expect([...a]).toEqual([0, 2]);
    expect([...b]).toEqual([]);
  });
});
