/**
 * Events in columns: one typed array per field, so that millions of them cost a few bytes each
 * and the engine reads them in one pass without allocating.
 */
export const EventType = { api: 0, trigger: 1, message: 2 } as const;
export type EventTypeCode = (typeof EventType)[keyof typeof EventType];
export const EVENT_TYPE_NAMES = ['api', 'trigger', 'message'] as const;
export type EventTypeName = (typeof EVENT_TYPE_NAMES)[number];

export interface EventColumns {
  count: number;
  /** epoch ms, integers */
  time: Float64Array;
  /** EventTypeCode */
  type: Uint8Array;
  /** index into `subjects` */
  subject: Uint32Array;
  /** subject names; one table for all types (key "x" and trigger "x" stay distinct entities) */
  subjects: string[];
  /** integer micro-USD; 0 when the row gave none */
  cost: Float64Array;
  /** each event's id as given (`id` column, or ledger identity); null = use the row number */
  ids: (string | null)[] | null;
}

/** Grows column arrays while rows stream in, then hands out exact-length views. */
export class EventColumnsBuilder {
  count = 0;
  private time = new Float64Array(1024);
  private type = new Uint8Array(1024);
  private subject = new Uint32Array(1024);
  private cost = new Float64Array(1024);
  private ids: (string | null)[] | null = null;
  private readonly subjectIndex = new Map<string, number>();
  readonly subjects: string[] = [];

  subjectId(name: string): number {
    let idx = this.subjectIndex.get(name);
    if (idx === undefined) {
      idx = this.subjects.length;
      this.subjects.push(name);
      this.subjectIndex.set(name, idx);
    }
    return idx;
  }

  push(time: number, type: EventTypeCode, subject: string, costMicros: number, id: string | null = null): void {
    if (this.count === this.time.length) this.grow();
    const i = this.count++;
    this.time[i] = time;
    this.type[i] = type;
    this.subject[i] = this.subjectId(subject);
    this.cost[i] = costMicros;
    if (id !== null) {
      if (this.ids === null) this.ids = new Array<string | null>(i).fill(null);
      this.ids[i] = id;
    } else if (this.ids !== null) {
      this.ids[i] = null;
    }
  }

  private grow(): void {
    const n = this.time.length * 2;
    const t = new Float64Array(n);
    t.set(this.time);
    this.time = t;
    const ty = new Uint8Array(n);
    ty.set(this.type);
    this.type = ty;
    const s = new Uint32Array(n);
    s.set(this.subject);
    this.subject = s;
    const c = new Float64Array(n);
    c.set(this.cost);
    this.cost = c;
  }

  build(): EventColumns {
    const n = this.count;
    return {
      count: n,
      time: this.time.subarray(0, n),
      type: this.type.subarray(0, n),
      subject: this.subject.subarray(0, n),
      subjects: this.subjects,
      cost: this.cost.subarray(0, n),
      ids: this.ids,
    };
  }
}
