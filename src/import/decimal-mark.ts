/**
 * Which decimal mark a re-saved export writes its amounts with. The platform writes `12.34`; a
 * spreadsheet in a European locale writes `12,34` (and `1.234,56`). Whole amounts (`3`, `12`)
 * read the same either way and tell nothing, so a file of mostly whole amounts is decided by the
 * first amount that only one reading takes (`0,5`, `12.34`), wherever it is in the file.
 */

export type DecimalMark = '.' | ',';

/** Reads an amount with a decimal mark (parseMoneyToMicros, creditsToMicros); null when it is no amount that way. */
export type AmountReader = (text: string, decimal: DecimalMark) => number | null;

/**
 * What a column's amounts tell, one at a time: the mark of the first amount only one reading
 * takes; amounts both readings take with different values (`1,234`: 1234 or 1.234) are counted,
 * they tell nothing on their own.
 */
export class DecimalScan {
  private told: DecimalMark | null = null;
  private ambiguous = false;
  private readonly read: AmountReader;

  constructor(read: AmountReader) {
    this.read = read;
  }

  add(value: string): void {
    if (this.told !== null) return;
    const v = value.trim();
    if (v === '') return;
    const dot = this.read(v, '.');
    const comma = this.read(v, ',');
    if (dot === comma) return;
    if (dot === null) this.told = ',';
    else if (comma === null) this.told = '.';
    else this.ambiguous = true;
  }

  /** True once an amount only one reading takes was seen: later amounts cannot change the mark. */
  get decided(): boolean {
    return this.told !== null;
  }

  /**
   * The mark the amounts tell; when none tells, `separator` decides for amounts that read two
   * ways: a spreadsheet separates fields with `;` because its locale's decimal mark is the comma,
   * and a `,`-separated file cannot use the comma as its decimal mark. Null when amounts read two
   * ways and nothing tells (a tab-separated file): then such an amount is refused, never guessed.
   * `.` when every amount reads the same either way (it does not matter).
   */
  mark(separator: string | null): DecimalMark | null {
    if (this.told !== null) return this.told;
    if (!this.ambiguous) return '.';
    return separator === ';' ? ',' : separator === ',' ? '.' : null;
  }
}

/** An amount that reads two ways the first rows could not settle: the whole file is asked (importer.ts), then the import runs again. */
export class DecimalUnknown extends Error {
  /** the columns (as the header names them) whose amounts tell the mark */
  readonly columns: readonly string[];
  /** how those columns' amounts are read (money or credits) */
  readonly read: AmountReader;
  constructor(columns: readonly string[], read: AmountReader) {
    super(`the decimal mark of "${columns.join('", "')}" is not told by the first rows`);
    this.columns = columns;
    this.read = read;
  }
}

/** The message for an amount read two ways when nothing in its file tells which. */
export function twoWaysMessage(): string {
  return 'reads two ways (with a decimal point or a decimal comma: 1,234 is 1234 or 1.234) and no amount of the file tells which: write its decimals (1,234.00 or 1.234,00) and import again';
}
