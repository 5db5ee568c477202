/** A binary min-heap of (key, value) pairs in typed arrays; ties pop in no particular order. */
export class MinHeap {
  private keys = new Float64Array(64);
  private values = new Int32Array(64);
  size = 0;

  push(key: number, value: number): void {
    if (this.size === this.keys.length) {
      const keys = new Float64Array(this.size * 2);
      keys.set(this.keys);
      this.keys = keys;
      const values = new Int32Array(this.size * 2);
      values.set(this.values);
      this.values = values;
    }
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.keys[parent] <= key) break;
      this.keys[i] = this.keys[parent];
      this.values[i] = this.values[parent];
      i = parent;
    }
    this.keys[i] = key;
    this.values[i] = value;
  }

  topKey(): number {
    return this.size > 0 ? this.keys[0] : Number.POSITIVE_INFINITY;
  }

  topValue(): number {
    return this.values[0];
  }

  /**
   * Drops the top. The hole left at the top goes down to a leaf along the smaller children, and the
   * last entry rises from there: one comparison a level instead of two. The last entry is usually
   * among the largest (a trigger asleep until one of its runs leaves its 24 h window wakes after
   * every trigger already asleep), so it rises a step or none, where sinking it from the top took
   * both comparisons, one unpredictable, at every level.
   */
  pop(): void {
    const n = --this.size;
    if (n === 0) return;
    const { keys, values } = this;
    const key = keys[n];
    const value = values[n];
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && keys[child + 1] < keys[child]) child++;
      keys[i] = keys[child];
      values[i] = values[child];
      i = child;
    }
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (keys[parent] <= key) break;
      keys[i] = keys[parent];
      values[i] = values[parent];
      i = parent;
    }
    keys[i] = key;
    values[i] = value;
  }
}
