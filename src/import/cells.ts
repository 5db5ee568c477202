/** How the importers read a cell or a header name, apart from the formats that use them. */

/** Header name as compared: lower case, letters and digits only (`Cost (USD)` → `costusd`). */
export function norm(name: string): string {
  return name.trim().toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** The platform escapes a cell starting with `@` (`=`, `+`) with a leading `'` against spreadsheet formulas. */
export function unescapeCell(text: string): string {
  const v = text.trim();
  return v.length > 1 && v.charCodeAt(0) === 39 && (v[1] === '@' || v[1] === '=' || v[1] === '+') ? v.slice(1) : v;
}
