/**
 * The text an input event carries: native `<input>` sends `{ value }` in `detail`, Vant's
 * `van-field` and `van-search` send the string itself.
 */
export function eventText(event: { detail: unknown }): string {
  const { detail } = event;
  if (typeof detail === 'string') return detail;
  const value = (detail as { value?: unknown } | null)?.value;
  return typeof value === 'string' ? value : '';
}
