/** A straight line through points by least squares, with what its error estimates need. */
export interface LeastSquares {
  n: number;
  /** means of x and y (weighted, with weights) */
  mx: number;
  my: number;
  /** Σ w (x − mx)², weights scaled to mean 1 */
  sxx: number;
  /** 0 when every x is the same */
  slope: number;
  /** Σ w of squared residuals around the line, weights scaled to mean 1 */
  sse: number;
}

/**
 * Least squares of ys on xs; with `ws`, each point weighted by it (scaled to mean 1, so that the
 * sums read as n points' would and the usual error formulas hold).
 */
export function leastSquares(xs: readonly number[], ys: readonly number[], ws?: readonly number[]): LeastSquares {
  const n = ys.length;
  let total = 0;
  if (ws) for (let i = 0; i < n; i++) total += ws[i]!;
  const scale = ws && total > 0 ? n / total : 1;
  const w = (i: number) => (ws ? scale * ws[i]! : 1);
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += w(i) * xs[i]!;
    my += w(i) * ys[i]!;
  }
  mx /= n;
  my /= n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += w(i) * (xs[i]! - mx) ** 2;
    sxy += w(i) * (xs[i]! - mx) * (ys[i]! - my);
  }
  const slope = sxx > 0 ? sxy / sxx : 0;
  let sse = 0;
  for (let i = 0; i < n; i++) sse += w(i) * (ys[i]! - my - slope * (xs[i]! - mx)) ** 2;
  return { n, mx, my, sxx, slope, sse };
}
