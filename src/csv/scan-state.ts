/** What the canonical scanner carries from one line (and one block of the file) to the next. */
import { NameTable } from '../engine/events.ts';
import type { ColumnMap } from './header.ts';
import { JoinedRow } from './joined-row.ts';

export interface ScanState {
  cols: ColumnMap;
  subjects: NameTable;
  /** quoted records read one at a time so far */
  quoted: number;
  joined: JoinedRow;
  starts: Int32Array;
  ends: Int32Array;
  /** physical line of the line at the current position */
  line: number;
}

export function stateFor(cols: ColumnMap, line: number): ScanState {
  return { cols, subjects: new NameTable(), quoted: 0, joined: new JoinedRow(), starts: new Int32Array(cols.width), ends: new Int32Array(cols.width), line };
}
