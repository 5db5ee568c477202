/**
 * The engine's min-heap (src/engine/heap.ts), which orders waiting triggers by wake time and by
 * their oldest run: whatever the pushes and pops, each pop takes an entry with the least key.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MinHeap } from '../src/engine/heap.ts';

describe('MinHeap', () => {
  it('pops the least key each time, through pushes and pops interleaved and growth past its first arrays', () => {
    const op = fc.oneof(fc.record({ push: fc.integer({ min: 0, max: 50 }) }), fc.constant({ pop: true as const }));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), (ops) => {
        const heap = new MinHeap();
        const held: { key: number; value: number }[] = [];
        ops.forEach((o, i) => {
          if ('push' in o) {
            heap.push(o.push, i);
            held.push({ key: o.push, value: i });
            return;
          }
          if (held.length === 0) return;
          const least = Math.min(...held.map((h) => h.key));
          expect(heap.topKey()).toBe(least);
          const at = held.findIndex((h) => h.key === least && h.value === heap.topValue());
          // the top's value is one pushed with that key
          expect(at).toBeGreaterThanOrEqual(0);
          held.splice(at, 1);
          heap.pop();
          expect(heap.size).toBe(held.length);
        });
      }),
      { numRuns: 300, seed: 20261203 },
    );
  });
});
