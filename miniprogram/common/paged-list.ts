/**
 * Long lists loaded a page at a time. Each next page is appended with path keys
 * (`'members[50]': row`), so one `setData` carries that page and not the whole list (WeChat
 * refuses a setData over 256 KB, and the whole list is re-sent to the view layer otherwise).
 * A list keeps at most LIST_CAP rows on screen: past that the page stops loading and asks for
 * a narrower search, since every row costs a dozen WXML nodes and a phone slows down well
 * before a list of thousands is read.
 */
import type { PathKey } from './page';

export const LIST_CAP = 200;

export interface ListPage<R> {
  /** The whole list on a first page (a reset), null when a next page is appended. */
  rows: R[] | null;
  /** The appended rows by path key; empty on a first page. */
  patch: Record<PathKey, R>;
  /** Where the next page starts: null at the end, and once the list is full. */
  next: string | null;
  /** The list is full while more rows exist: the page says so instead of loading more. */
  capped: boolean;
}

/**
 * The update for a page of `incoming` rows: the list `key` replaced when `shown` is null
 * (a reset), otherwise the new rows appended after `shown`, skipping ids already shown (a row
 * can shift between pages).
 */
export function listPage<R extends { id: string }>(
  key: string,
  shown: readonly R[] | null,
  incoming: readonly R[],
  next: string | null,
  cap: number = LIST_CAP,
): ListPage<R> {
  const start = shown ? shown.length : 0;
  const seen = new Set((shown ?? []).map((row) => row.id));
  const unseen = incoming.filter((row) => !seen.has(row.id));
  const fresh = unseen.slice(0, Math.max(0, cap - start));
  const full = start + fresh.length >= cap;
  const more = next !== null || fresh.length < unseen.length;
  const patch = {} as Record<PathKey, R>;
  if (shown) fresh.forEach((row, index) => (patch[`${key}[${start + index}]`] = row));
  return {
    rows: shown ? null : fresh,
    patch,
    next: full ? null : next,
    capped: full && more,
  };
}
