/**
 * Counts in the advice's words: "1 seat", "2 seats", "1,200 runs". The advice is read by an admin
 * (and pasted into a support request), so "from 1 seats" or "on 1 of the last 1 days" reads as a bug.
 */
export function counted(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}
