/**
 * Chart rows from series on one time axis: row i stands at `start + i * bucketMs` and holds each
 * series' i-th value. The projection travels as plain series (a fifth of the bytes of rows, and
 * far cheaper to copy between threads and parse); rows are made where a chart draws them.
 */
export function chartRows<K extends string>(start: number, bucketMs: number, series: Record<K, readonly number[]>): ({ t: number } & Record<K, number>)[] {
  const names = Object.keys(series) as K[];
  const length = names.length === 0 ? 0 : names.reduce((m, k) => Math.min(m, series[k].length), Infinity);
  const rows = new Array<{ t: number } & Record<K, number>>(length);
  for (let i = 0; i < length; i++) {
    const row = { t: start + i * bucketMs } as { t: number } & Record<K, number>;
    for (const k of names) (row as Record<K, number>)[k] = series[k][i]!;
    rows[i] = row;
  }
  return rows;
}
