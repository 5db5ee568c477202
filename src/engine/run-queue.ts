/**
 * One trigger's waiting runs, oldest first: each run's position, arrival and reason in
 * power-of-two rings. Taking the head reads memory next to the head read before; a list linked
 * through the events instead reached a new part of memory for every run.
 */
export class RunQueue {
  private pos = new Int32Array(16);
  private arrival = new Float64Array(16);
  private why = new Uint8Array(16);
  private mask = 15;
  private head = 0;
  size = 0;

  push(pos: number, arrival: number, reason: number): void {
    if (this.size === this.pos.length) this.grow();
    const i = (this.head + this.size) & this.mask;
    this.pos[i] = pos;
    this.arrival[i] = arrival;
    this.why[i] = reason;
    this.size++;
  }

  /** Empties the queue, keeping its rings (a later pass's queue starts at the size this one grew to). */
  clear(): void {
    this.head = 0;
    this.size = 0;
  }

  /** Drops the head (the queue must not be empty). */
  shift(): void {
    this.head = (this.head + 1) & this.mask;
    this.size--;
  }

  headPos(): number {
    return this.pos[this.head];
  }

  headArrival(): number {
    return this.arrival[this.head];
  }

  /** the reason the head was refused when it arrived */
  headReason(): number {
    return this.why[this.head];
  }

  /** the reason the i-th waiting run was refused when it arrived, 0 = the head */
  reasonAt(i: number): number {
    return this.why[(this.head + i) & this.mask];
  }

  /** The position of the i-th waiting run, 0 = the head. */
  posAt(i: number): number {
    return this.pos[(this.head + i) & this.mask];
  }

  private grow(): void {
    const size = this.pos.length * 2;
    const pos = new Int32Array(size);
    const arrival = new Float64Array(size);
    const why = new Uint8Array(size);
    for (let i = 0; i < this.size; i++) {
      const j = (this.head + i) & this.mask;
      pos[i] = this.pos[j];
      arrival[i] = this.arrival[j];
      why[i] = this.why[j];
    }
    this.pos = pos;
    this.arrival = arrival;
    this.why = why;
    this.mask = size - 1;
    this.head = 0;
  }
}
