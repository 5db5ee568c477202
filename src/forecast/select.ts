/**
 * The k-th smallest of the first n values (Hoare's selection; reorders them in place): the bands'
 * and queues' percentiles over thousands of 200-value columns need no full sort. It leaves them
 * split at k (none before k larger, none after smaller), so with no NaN among them the next
 * larger rank is found among those after k alone: `from` = that k + 1 (`selectRanks`).
 */
export function selectKth(a: Float64Array, n: number, k: number, from = 0): number {
  let lo = from;
  let hi = n - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

/**
 * Order statistics of the first n values at ranks `ks` (ascending), into `out`: each searched
 * only among the values after the rank before it, once no NaN is among them (a NaN breaks the
 * split; every rank is then searched among all). The same values `selectKth` gives one by one.
 */
export function selectRanks(a: Float64Array, n: number, ks: readonly number[], out: Float64Array): void {
  let split = true;
  for (let i = 0; i < n; i++) {
    if (a[i] !== a[i]) {
      split = false;
      break;
    }
  }
  let from = 0;
  for (let r = 0; r < ks.length; r++) {
    const k = ks[r];
    out[r] = selectKth(a, n, k, split && k >= from ? from : 0);
    from = k + 1;
  }
}
