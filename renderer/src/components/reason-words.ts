/** The engine's reason names an admin would not know, in the words the rest of the app uses. */
const REASON_WORDS: Record<string, string> = {
  key_cap: 'its cap',
  trigger_limit: 'its 24 h run limit',
  pool: 'the fair-use pool',
  allowance: 'the message allowance',
  actor_minute: 'the per-minute throttle per key or person',
  actor_hour: 'the per-hour throttle per key or person',
  workspace_minute: 'the workspace per-minute throttle',
};
const REASON_LIST = /\(((?:[a-z_]+(?::[^\s,()]+)? [\d,]+)(?:, [a-z_]+(?::[^\s,()]+)? [\d,]+)*)\)/g;

/**
 * A comparison sentence with its reason counts in words: "(trigger_limit 886, spend_limit:daily 48)"
 * (the command line's and --json's names) reads "(886 by its 24 h run limit, 48 by spend limit "daily")".
 */
export function plainReasons(sentence: string): string {
  return sentence.replace(REASON_LIST, (whole, list: string) => {
    const parts = list.split(', ').map((item) => {
      const at = item.lastIndexOf(' ');
      const name = item.slice(0, at);
      const count = item.slice(at + 1);
      const words = name.startsWith('spend_limit:') ? `spend limit "${name.slice('spend_limit:'.length)}"` : REASON_WORDS[name];
      return words === undefined ? null : `${count} by ${words}`;
    });
    return parts.every((x) => x !== null) ? `(${parts.join(', ')})` : whole;
  });
}
