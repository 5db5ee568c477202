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

/**
 * A negative as spreadsheets and accounting tools write one, the amount captured: in parentheses
 * (`(1.00)`, `($1.00)`, `(1,00 €)`, `$ (1.00)`), a minus before the currency mark (`-$1.00`), a
 * trailing minus (`1.00-`, SAP and some bank exports), or the minus sign U+2212 (`−1.00`).
 */
const NEGATIVE_FORMS: readonly RegExp[] = [
  /^\(\s*([^()]*\d[^()]*)\)$/,
  /^(?:US\$|\$|USD|€|EUR|£|GBP)\s*\(\s*([^()]*\d[^()]*)\)$/i,
  /^[-\u2212\u2012\u2013]\s*((?:US\$|\$|USD|€|EUR|£|GBP)\s*[\d.,\s'\u00a0]*\d[\d.,\s'\u00a0]*)$/i,
  /^((?:US\$|\$|€|£)?\s*[\d.,\s'\u00a0]*\d[\d.,\s'\u00a0]*(?:\s*(?:US\$|\$|USD|€|EUR|£|GBP))?)\s*[-\u2212]$/i,
  /^\u2212\s*([\d.,\s'\u00a0]*\d[\d.,\s'\u00a0]*)$/,
];

export function isAccountingZero(text: string): boolean {
  return ZERO.test(text.trim());
}

/**
 * An amount written as a negative in one of NEGATIVE_FORMS: `zero` when its digits are all 0
 * (`(0.00)`, a tiny negative a spreadsheet rounded: read as 0, as `-0.00` is), `negative`
 * otherwise, null when the text is no such form (a plain `-1.00` is read as a number is).
 */
export function accountingNegative(text: string): 'zero' | 'negative' | null {
  const t = text.trim();
  // one of the forms starts with `(`, a currency mark, a minus, or ends with a minus: nothing else is asked
  for (const form of NEGATIVE_FORMS) {
    const m = form.exec(t);
    if (m !== null) return /[1-9]/.test(m[1]!) ? 'negative' : 'zero';
  }
  return null;
}

/** Why an Accounting negative is refused in an export's amount column (`what`: spend, credits). */
export function accountingNegativeMessage(what: string): string {
  return `is negative, in the Accounting format (parentheses: (1.00) is -1.00), and ${what} is never negative: the platform exports none, so the row was edited (a refund or credit?): remove the row, or import the export as downloaded`;
}
