/**
 * A pass's delays grouped by trigger, each group ascending (src/engine/delays-by-trigger.ts): what
 * a trigger's p95 delay is read from, so it must be exactly each group sorted.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { placeDelaysByTrigger } from '../src/engine/delays-by-trigger.ts';

/** the plain way: each trigger's delays together, sorted */
function naive(delays: number[], triggers: number[], count: number): Float64Array[] {
  return Array.from({ length: count }, (_, g) => Float64Array.from(delays.filter((_, i) => triggers[i] === g)).sort());
}

function placed(delays: number[], triggers: number[], count: number): Float64Array[] {
  const n = delays.length;
  const into = new Float64Array(n);
  const starts = new Int32Array(count);
  const sizes = new Int32Array(count);
  for (const g of triggers) sizes[g]++;
  for (let g = 0, at = 0; g < count; g++) {
    starts[g] = at;
    at += sizes[g];
  }
  placeDelaysByTrigger(Float64Array.from(delays), Int32Array.from(triggers), n, into, starts);
  const out: Float64Array[] = [];
  for (let g = 0, at = 0; g < count; g++) {
    out.push(into.slice(at, at + sizes[g]));
    at += sizes[g];
  }
  return out;
}

describe('delays placed by trigger', () => {
  it('each trigger ascending, as sorting each group: whole milliseconds, fractions, more than 2^32 ms, ties', () => {
    const delay = fc.oneof(
      fc.integer({ min: 1, max: 90_000_000 }),
      fc.integer({ min: 1, max: 20 }),
      fc.double({ min: 0.001, max: 1e13, noNaN: true }),
      fc.constantFrom(60_000, 86_400_001, 2 ** 32 + 5, 7.5),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.array(fc.tuple(delay, fc.nat()), { maxLength: 300 }), (count, log) => {
        const delays = log.map(([d]) => d);
        const triggers = log.map(([, g]) => g % count);
        expect(placed(delays, triggers, count)).toEqual(naive(delays, triggers, count));
      }),
      { numRuns: 300, seed: 20261203 },
    );
  });

  it('a log larger than the last one (its buffers grow) and one where every delay shares its low bits', () => {
    const delays = Array.from({ length: 5000 }, (_, i) => ((i * 7919) % 4999) * 1000 + 1000);
    const triggers = delays.map((_, i) => i % 37);
    expect(placed(delays, triggers, 37)).toEqual(naive(delays, triggers, 37));
    const big = Array.from({ length: 40_000 }, (_, i) => ((i * 104_729) % 39_989) * 3.25 + 0.5);
    const bigTriggers = big.map((_, i) => (i * 31) % 400);
    expect(placed(big, bigTriggers, 400)).toEqual(naive(big, bigTriggers, 400));
  });
});
