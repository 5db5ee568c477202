import type { ReactNode } from 'react';
import type { VirtualRows } from './virtual-rows.ts';
import './virtual-rows.css';

/** A virtual table's body: the rows in the DOM, with spacer rows standing for the others. */
export function VirtualBody<T>({ v, columns, row }: { v: VirtualRows<T>; columns: number; row: (r: T, index: number) => ReactNode }) {
  return (
    <tbody {...v.bodyProps}>
      {v.slots.map((slot) => {
        if (slot.kind === 'gap')
          return (
            <tr key={slot.key} className="vpad" aria-hidden="true" style={{ height: slot.px }}>
              <td colSpan={columns} />
            </tr>
          );
        const r = v.rows[slot.index];
        return r === undefined ? null : row(r, slot.index);
      })}
    </tbody>
  );
}
