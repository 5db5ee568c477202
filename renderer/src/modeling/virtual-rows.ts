/**
 * Virtual rows for the long tables (API keys, Triggers, and Overview's keys and triggers): only the
 * rows in the table's scroll box, plus a few either side, are in the DOM; two spacer rows keep the
 * scrollbar true to the whole list. Rows are laid out at a fixed height (modeling.css), and measured too, so
 * a row that wraps at a narrow width still keeps the scrollbar right.
 *
 * While a field in a row has the focus, the rows keep their order: a projection that changes the
 * edited key's status would otherwise move (or unmount) the row under the admin's cursor. The
 * new order applies once the focus leaves the rows.
 */
import { useCallback, useLayoutEffect, useRef, useState } from 'react';
import type { FocusEvent, KeyboardEvent, RefObject } from 'react';
import { defaultRangeExtractor, useVirtualizer } from '@tanstack/react-virtual';
import type { Range } from '@tanstack/react-virtual';

/** Rows rendered beyond each edge of the scroll box: enough for Tab to reach the next row. */
const OVERSCAN = 6;

export interface VirtualRows<T> {
  /** the scroll box (the table's wrapper) */
  scrollRef: RefObject<HTMLDivElement | null>;
  /** for the table head's `ref`: the rows start below it */
  headRef: (el: HTMLTableSectionElement | null) => void;
  /** every row, in the order shown */
  rows: T[];
  /** what the tbody holds, in order: rows (by index in `rows`) and the spacers between them */
  slots: Slot[];
  /** for each row's `ref`: measures the row */
  measure: (el: HTMLTableRowElement | null) => void;
  /** for the tbody: keeps the order while the focus is in a row, and Arrow up / down between rows */
  bodyProps: {
    onFocus: (e: FocusEvent<HTMLTableSectionElement>) => void;
    onBlur: (e: FocusEvent<HTMLTableSectionElement>) => void;
    onKeyDown: (e: KeyboardEvent<HTMLTableSectionElement>) => void;
  };
}

export type Slot = { kind: 'row'; index: number } | { kind: 'gap'; key: string; px: number };

/** `rows` in the order of `previous` where both hold the same ids; null when they do not. */
function keepOrder<T>(rows: T[], previous: T[], idOf: (r: T) => string): T[] | null {
  if (rows.length !== previous.length) return null;
  const byId = new Map<string, T>();
  for (const r of rows) byId.set(idOf(r), r);
  const out: T[] = [];
  for (const p of previous) {
    const r = byId.get(idOf(p));
    if (r === undefined) return null;
    out.push(r);
  }
  return out;
}

export function useVirtualRows<T>(sorted: T[], idOf: (r: T) => string, rowPx: number): VirtualRows<T> {
  const scrollRef = useRef<HTMLDivElement | null>(null);
  const [editing, setEditing] = useState(false);
  const shown = useRef<T[]>(sorted);
  // the order last shown is kept while a row's field has the focus
  const rows = (editing && keepOrder(sorted, shown.current, idOf)) || sorted;
  useLayoutEffect(() => {
    shown.current = rows;
  });
  const [head, headRef] = useState<HTMLTableSectionElement | null>(null);
  const [headPx, setHeadPx] = useState(0);
  useLayoutEffect(() => {
    if (!head) return;
    const update = () => setHeadPx(head.offsetHeight);
    update();
    // the head's height changes with the window's width (its labels wrap)
    const watch = new ResizeObserver(update);
    watch.observe(head);
    return () => watch.disconnect();
  }, [head]);

  // the row whose field last had the focus: kept in the DOM even when scrolled or sorted away
  const [pinned, setPinned] = useState<string | null>(null);
  const pinnedIndex = pinned === null ? -1 : rows.findIndex((r) => idOf(r) === pinned);
  const rangeExtractor = useCallback(
    (range: Range) => {
      const out = defaultRangeExtractor(range);
      if (pinnedIndex >= 0 && !out.includes(pinnedIndex)) {
        out.push(pinnedIndex);
        out.sort((a, b) => a - b);
      }
      return out;
    },
    [pinnedIndex],
  );

  const v = useVirtualizer<HTMLDivElement, HTMLTableRowElement>({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowPx,
    getItemKey: (i) => {
      const r = rows[i];
      return r === undefined ? i : idOf(r);
    },
    overscan: OVERSCAN,
    rangeExtractor,
    // the rows start below the head, which stays on top of them (sticky)
    paddingStart: headPx,
    scrollPaddingStart: headPx,
  });
  // spacer rows stand for the rows not in the DOM: above, between (the pinned row) and below
  const slots: Slot[] = [];
  let end = headPx;
  for (const item of v.getVirtualItems()) {
    if (item.start > end) slots.push({ kind: 'gap', key: `gap-${item.index}`, px: item.start - end });
    slots.push({ kind: 'row', index: item.index });
    end = item.end;
  }
  const total = v.getTotalSize();
  if (total > end) slots.push({ kind: 'gap', key: 'gap-end', px: total - end });

  const onFocus = useCallback(
    (e: FocusEvent<HTMLTableSectionElement>) => {
      setEditing(true);
      const tr = (e.target as HTMLElement).closest<HTMLElement>('tr[data-index]');
      const r = tr ? rows[Number(tr.dataset.index)] : undefined;
      if (r !== undefined) setPinned(idOf(r));
    },
    [rows, idOf],
  );
  const onBlur = useCallback((e: FocusEvent<HTMLTableSectionElement>) => {
    if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setEditing(false);
  }, []);
  /**
   * Arrow up / down in a row's text field moves to the same field of the row above or below,
   * scrolling it into the DOM first (a list, not a grid: selects keep their own arrows).
   */
  const onKeyDown = useCallback(
    (e: KeyboardEvent<HTMLTableSectionElement>) => {
      if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
      const field = e.target as HTMLElement;
      if (field.tagName !== 'INPUT' || (field as HTMLInputElement).type === 'checkbox') return;
      const nav = field.dataset.nav;
      const row = field.closest<HTMLElement>('tr[data-index]');
      if (!nav || !row) return;
      const next = Number(row.dataset.index) + (e.key === 'ArrowDown' ? 1 : -1);
      if (next < 0 || next >= rows.length) return;
      e.preventDefault();
      v.scrollToIndex(next, { align: 'auto' });
      const body = e.currentTarget;
      // the row may only be in the DOM after the scroll has rendered it
      let tries = 0;
      const focus = () => {
        const target = body.querySelector<HTMLElement>(`tr[data-index="${next}"] [data-nav="${nav}"]`);
        if (target) target.focus();
        else if (++tries < 10) requestAnimationFrame(focus);
      };
      focus();
    },
    [v, rows.length],
  );

  return { scrollRef, headRef, rows, slots, measure: v.measureElement, bodyProps: { onFocus, onBlur, onKeyDown } };
}
