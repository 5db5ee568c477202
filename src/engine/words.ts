/**
 * A count in words: "1 seat", "2 seats", "1,200 runs". Reports, advice and summaries are read by
 * an admin (and pasted into a support request), so "from 1 seats" or "1 rows" reads as a bug.
 */
export function counted(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}
