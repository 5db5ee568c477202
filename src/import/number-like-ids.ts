/**
 * Ids and names that look like numbers, as a spreadsheet re-saves them. The platform writes its
 * ids and an admin's key names as text; a spreadsheet that opens the export reads a cell of digits
 * as a number and saves it back as one: `00042` becomes `42`, and a long digit string
 * (`9069227568858234`, wider than the 11 characters its General format shows) becomes
 * `9.06923E+15`. The first keeps its digits; the second has lost them for good, and every message
 * id of that width then reads as a handful of ids.
 */

/** What a spreadsheet writes for a number too wide for its column: `9.06923E+15`, `1E+12`, `1,23457E+15` in a comma locale. */
const EXPONENT = /^[+-]?\d(?:[.,]\d+)?E[+-]\d{1,3}$/i;

export function isExponentNotation(text: string): boolean {
  // told without a pattern for almost every id: `d.` / `d,` / `dE` is how the form starts
  const c1 = text.charCodeAt(1);
  if (text.length > 18 || !(c1 === 46 || c1 === 44 || c1 === 69 || c1 === 101 || text.charCodeAt(0) <= 32 || text.charCodeAt(0) === 43 || text.charCodeAt(0) === 45)) return false;
  const v = text.trim();
  return v.length <= 16 && EXPONENT.test(v);
}

/** Why an id or name in exponent notation is refused: `what` says what the column holds. */
export function exponentIdMessage(what: string): string {
  return (
    `is in exponent notation, as a spreadsheet writes a long number: the digits it dropped are lost, so ${what} ` +
    'would read as one; import the export as downloaded, or format the column as text before saving it'
  );
}

/**
 * The spelling of a cell for a row's identity: digits only lose their leading zeros (`00042` and
 * the re-saved `42` are one id), anything else is kept as it is. All zeros stay `0`.
 */
export function idSpelling(text: string): string {
  if (text.length < 2 || text.charCodeAt(0) !== 48) return text;
  let k = 0;
  while (k < text.length - 1 && text.charCodeAt(k) === 48) k++;
  for (let j = k; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c < 48 || c > 57) return text;
  }
  return text.slice(k);
}
