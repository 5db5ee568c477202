/**
 * A small seeded PRNG (sfc32) and the few distributions the generator needs. Only 32-bit integer
 * operations and IEEE-exact arithmetic feed the state, and V8's Math.log/exp/cos are fdlibm ports,
 * so a seed gives the same numbers on every run and every Node version (Math.random would not).
 */
export interface Rng {
  /** uniform in [0, 1) */
  next(): number;
}

/** FNV-1a over the text, mixed with the seed: one independent stream per named process. */
export function hashSeed(seed: number, name: string): number {
  let h = (0x811c9dc5 ^ (seed >>> 0)) >>> 0;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  // seeds that differ only in their high bits would otherwise start close together
  h ^= Math.floor(seed / 0x100000000) >>> 0;
  return h >>> 0;
}

export function sfc32(seed: number): Rng {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed >>> 0;
  const step = (): number => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return t >>> 0;
  };
  // the first outputs of sfc32 still echo the seed; discard them
  for (let i = 0; i < 15; i++) step();
  return { next: () => step() / 4294967296 };
}

export function rngFor(seed: number, name: string): Rng {
  return sfc32(hashSeed(seed, name));
}

export function uniform(rng: Rng, lo: number, hi: number): number {
  return lo + (hi - lo) * rng.next();
}

export function intBelow(rng: Rng, n: number): number {
  return Math.floor(rng.next() * n);
}

/** standard normal (Box-Muller, one value per call to keep the stream simple) */
export function normal(rng: Rng): number {
  const u = 1 - rng.next(); // (0, 1]: log(0) would be -Infinity
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** log-normal with the given median; sigma is the spread of the logarithm */
export function logNormal(rng: Rng, median: number, sigma: number): number {
  return median * Math.exp(sigma * normal(rng));
}

/** Poisson count; exact (Knuth) for small means, a rounded normal for large ones. */
export function poisson(rng: Rng, mean: number): number {
  if (!(mean > 0)) return 0;
  if (mean < 30) {
    const limit = Math.exp(-mean);
    let k = 0;
    let p = rng.next();
    while (p > limit) {
      k++;
      p *= rng.next();
    }
    return k;
  }
  return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal(rng)));
}
