/**
 * Text tables for the terminal, drawn in one pass over the cells (linear in the text they hold).
 * cli-table3, which this replaces, laid out cells in time super-linear in rows and width: 20,000
 * spend limits took 57 s, one 10 MB subject 25 s and 1.6 GB. Here a cell is cut to MAX_CELL
 * columns with an ellipsis (the full values are in --json), and control characters from the data
 * (a subject holding an escape sequence or a newline) are shown as `?`, so a cell can neither
 * break the grid nor drive the terminal.
 */

export type Align = 'left' | 'right';

/** Columns a cell may take; longer text ends in `…`. */
export const MAX_CELL = 80;

// C0 controls, DEL and C1 controls (ESC, CR, LF, tab, CSI …): matching them is the point here
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** Terminal columns of one code point: East Asian wide and emoji take two, combining marks none. */
function widthOf(cp: number): number {
  if (cp < 0x300) return 1;
  if ((cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0xfe00 && cp <= 0xfe0f)) return 0;
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  ) {
    return 2;
  }
  return 1;
}

/** A cell's text made safe and cut to `max` columns; returns the text and its width. */
export function fitCell(value: string, max = MAX_CELL): { text: string; width: number } {
  // only the first few columns' worth of a huge value is ever looked at
  const head = value.length > max * 2 + 2 ? value.slice(0, max * 2 + 2) : value;
  const clean = head.replace(CONTROL, '?');
  let width = 0;
  let end = 0;
  let cutAt = -1;
  let cutWidth = 0;
  for (const ch of clean) {
    const w = widthOf(ch.codePointAt(0)!);
    // where the text stops if it must end in an ellipsis (one column for `…`)
    if (cutAt < 0 && width + w > max - 1) {
      cutAt = end;
      cutWidth = width;
    }
    if (width + w > max) return { text: `${clean.slice(0, cutAt)}…`, width: cutWidth + 1 };
    width += w;
    end += ch.length;
  }
  if (head.length < value.length) return { text: `${clean.slice(0, cutAt < 0 ? end : cutAt)}…`, width: (cutAt < 0 ? width : cutWidth) + 1 };
  return { text: clean, width };
}

/**
 * A boxed table (the look cli-table3 gave with `compact: true`): header, a rule, then one line
 * per row. `push` rows, then `toString()`.
 */
export class TextTable {
  private readonly head: string[];
  private readonly align: readonly Align[];
  private readonly rows: { text: string; width: number }[][] = [];
  private readonly widths: number[];

  constructor(head: readonly string[], align: readonly Align[]) {
    const cells = head.map((h) => fitCell(h));
    this.head = cells.map((c) => c.text);
    this.widths = cells.map((c) => c.width);
    this.rows.push(cells);
    this.align = align;
  }

  push(row: readonly string[]): void {
    const cells: { text: string; width: number }[] = [];
    for (let c = 0; c < this.head.length; c++) {
      const cell = fitCell(row[c] ?? '');
      if (cell.width > this.widths[c]!) this.widths[c] = cell.width;
      cells.push(cell);
    }
    this.rows.push(cells);
  }

  toString(): string {
    const rule = (l: string, m: string, r: string): string => `${l}${this.widths.map((w) => '─'.repeat(w + 2)).join(m)}${r}`;
    const line = (cells: { text: string; width: number }[]): string =>
      `│${cells
        .map((cell, c) => {
          const pad = ' '.repeat(this.widths[c]! - cell.width);
          return this.align[c] !== 'right' ? ` ${cell.text}${pad} ` : ` ${pad}${cell.text} `;
        })
        .join('│')}│`;
    const out: string[] = [rule('┌', '┬', '┐'), line(this.rows[0]!), rule('├', '┼', '┤')];
    for (let r = 1; r < this.rows.length; r++) out.push(line(this.rows[r]!));
    out.push(rule('└', '┴', '┘'));
    return out.join('\n');
  }
}
