/** A straight line through points by least squares, with what its error estimates need. */
export interface LeastSquares {
  n: number;
  /** means of x and y */
  mx: number;
  my: number;
  /** Σ (x − mx)² */
  sxx: number;
  /** 0 when every x is the same */
  slope: number;
  /** Σ of squared residuals around the line */
  sse: number;
}

export function leastSquares(xs: readonly number[], ys: readonly number[]): LeastSquares {
  const n = ys.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += xs[i]!;
    my += ys[i]!;
  }
  mx /= n;
  my /= n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (xs[i]! - mx) ** 2;
    sxy += (xs[i]! - mx) * (ys[i]! - my);
  }
  const slope = sxx > 0 ? sxy / sxx : 0;
  let sse = 0;
  for (let i = 0; i < n; i++) sse += (ys[i]! - my - slope * (xs[i]! - mx)) ** 2;
  return { n, mx, my, sxx, slope, sse };
}
