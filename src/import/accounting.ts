/**
 * Excel's Accounting number format, as a re-saved export writes it: a zero shows as a dash
 * (`$ -`, or `-` without the currency), a negative in parentheses (`(1.00)`, `($1.00)`). Saved as
 * CSV, the cells keep what they showed.
 */

/**
 * A zero in the Accounting format: a dash alone, the dollar mark before or after it. In the
 * exports' amount columns it is unambiguous: the platform wrote a number there, and the only
 * number a spreadsheet shows as a dash is zero (an empty or unknown value stays empty).
 */
const ZERO = /^(?:US\$|\$|USD)?\s*[-\u2012\u2013\u2212]\s*(?:US\$|\$|USD)?$/i;

/** A negative in the Accounting format: digits (and a currency mark) in parentheses. */
const NEGATIVE = /^\(\s*[^()]*\d[^()]*\)$/;

export function isAccountingZero(text: string): boolean {
  return ZERO.test(text.trim());
}

export function isAccountingNegative(text: string): boolean {
  return NEGATIVE.test(text.trim());
}

/** Why an Accounting negative is refused in an export's amount column (`what`: spend, credits). */
export function accountingNegativeMessage(what: string): string {
  return `is negative, in the Accounting format (parentheses: (1.00) is -1.00), and ${what} is never negative: the platform exports none, so the row was edited (a refund or credit?): remove the row, or import the export as downloaded`;
}
