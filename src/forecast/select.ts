/**
 * The k-th smallest of the first n values (Hoare's selection; reorders them in place): the bands'
 * and queues' percentiles over thousands of 200-value columns need no full sort.
 */
export function selectKth(a: Float64Array, n: number, k: number): number {
  return selectIn(a, 0, n, k);
}

/**
 * The value of rank k (an index into the whole array) among a[lo..hi), reordered in place so
 * that a[lo..k) ≤ a[k] ≤ a(k..hi): a later rank below k is then found in a[lo..k) alone.
 */
function selectIn(a: Float64Array, from: number, to: number, k: number): number {
  let lo = from;
  let hi = to - 1;
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
 * The values of several ranks (ascending, each an index into the sorted order) of the first n
 * values, into `out` in the same order; reorders them in place. Each rank is selected only
 * within the part the ranks around it left (a band's six ranks of a 200-value column cost about
 * two selections over the whole column, not six).
 */
export function selectRanks(a: Float64Array, n: number, ranks: readonly number[], out: number[]): void {
  const within = (lo: number, hi: number, first: number, last: number): void => {
    if (first >= last) return;
    const mid = (first + last) >> 1;
    const k = ranks[mid];
    out[mid] = selectIn(a, lo, hi, k);
    within(lo, k, first, mid);
    within(k + 1, hi, mid + 1, last);
  };
  within(0, n, 0, ranks.length);
}
