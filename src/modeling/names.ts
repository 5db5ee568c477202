/** A name for a copy that no saved scenario has: "X (copy)", then "X (copy 2)", … */
export function copyName(name: string, taken: Iterable<string>): string {
  const names = new Set(taken);
  const base = `${name} (copy)`;
  if (!names.has(base)) return base;
  for (let i = 2; ; i++) {
    const next = `${name} (copy ${i})`;
    if (!names.has(next)) return next;
  }
}
