/**
 * Small seeded random numbers for Monte Carlo paths. Each path derives its own stream from
 * (base seed, path index), so a path gives the same numbers whichever worker runs it.
 */
export type Rng = () => number;

/** 32-bit mix (murmur3 finaliser) of two integers. */
export function hashSeed(base: number, index: number): number {
  let h = (Math.imul(base | 0, 0x9e3779b1) ^ Math.imul(index | 0, 0x85ebca6b)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** mulberry32: fast, good enough for resampling, and reproducible across platforms. */
export function makeRng(seed: number): Rng {
  // the state in a typed array: a closure variable above 2^30 is boxed as a heap number, one
  // allocation per draw (millions per forecast); the same 32 bits, so the same stream
  const state = new Int32Array(1);
  state[0] = seed;
  return () => {
    const a = (state[0] = (state[0] + 0x6d2b79f5) | 0);
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The first `n` numbers of the stream `makeRng(seed)` gives, into `out`: one loop with its
 * state in a register, for callers that draw thousands at once (a series' event times).
 */
export function fillUniforms(seed: number, out: Float64Array, n: number): void {
  let a = seed | 0;
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}

/** Rounds x up or down at random so that the expected value stays x (counts stay unbiased). */
export function stochasticRound(x: number, rng: Rng): number {
  if (!(x > 0)) return 0;
  const f = Math.floor(x);
  return f + (rng() < x - f ? 1 : 0);
}

/** A standard normal draw (Box–Muller; one of the pair is dropped to keep the stream simple). */
export function normal(rng: Rng): number {
  const u = Math.max(rng(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/** A Gamma(shape, 1) draw (Marsaglia–Tsang; shape < 1 boosted by U^(1/shape)). */
export function gamma(rng: Rng, shape: number): number {
  if (shape < 1) return gamma(rng, shape + 1) * Math.pow(Math.max(rng(), 1e-12), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng();
    if (u < 1 - 0.0331 * x * x * x * x || Math.log(Math.max(u, 1e-300)) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/**
 * A Poisson count with this mean: by multiplication of uniforms under 10, by Hörmann's
 * transformed rejection (PTRS, 1993) from 10 on: a handful of uniforms whatever the mean, where
 * the multiplication needs one per unit of the mean (a 40-run day would cost 40 draws).
 */
export function poisson(rng: Rng, mean: number): number {
  if (!(mean > 0)) return 0;
  if (mean < 10) {
    const limit = Math.exp(-mean);
    let k = 0;
    let p = rng();
    while (p > limit) {
      k++;
      p *= rng();
    }
    return k;
  }
  const slam = Math.sqrt(mean);
  const loglam = Math.log(mean);
  const b = 0.931 + 2.53 * slam;
  const a = -0.059 + 0.02483 * b;
  const invalpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = rng() - 0.5;
    const v = rng();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + mean + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (Math.log(v) + Math.log(invalpha) - Math.log(a / (us * us) + b) <= -mean + k * loglam - logFactorial(k)) return k;
  }
}

function logFactorial(k: number): number {
  if (k < 2) return 0;
  // Stirling's series: exact to double precision from k = 10 on, and below by the product
  if (k < 10) {
    let f = 1;
    for (let i = 2; i <= k; i++) f *= i;
    return Math.log(f);
  }
  const x = k + 1;
  return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x) - 1 / (360 * x * x * x);
}
