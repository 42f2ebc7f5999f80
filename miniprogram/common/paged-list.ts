/**
 * Long lists loaded a page at a time. Each next page is appended with path keys
 * (`'members[50]': row`), so one `setData` carries that page and not the whole list (WeChat
 * refuses a setData over 256 KB, and the whole list is re-sent to the view layer otherwise).
 *
 * A list keeps at most LIST_CAP rows on screen (a window), since every row costs a dozen WXML
 * nodes and a phone slows down well before a list of thousands is read. Every row stays
 * reachable: a full window offers the next one (「显示后 200 条」, which replaces the rows on
 * screen and loads them a page at a time again, from the cursor the server gave) and a later
 * window offers the way back to the start (「回到开头」). The `list-window` component shows both.
 */
import type { PathKey } from './page';

export const LIST_CAP = 200;

/**
 * Where a window starts: the cursor of the server page holding its first row, how many rows of
 * that page belong to the window before (a page may straddle two windows), and how many rows
 * of the whole list come before it.
 */
export interface WindowStart {
  after: string | null;
  skip: number;
  offset: number;
}

export const FIRST_WINDOW: WindowStart = { after: null, skip: 0, offset: 0 };

/** What a list's template needs to know about the rows on screen; a few bytes per setData. */
export interface ListWindow {
  /** Rows of the whole list before the window: 0 in the first one. */
  offset: number;
  /** Place of the first and of the last row on screen in the whole list, from 1 (last 0: none). */
  first: number;
  last: number;
  /** Rows a window holds, as the 「显示后 N 条」 button says. */
  size: number;
  /** Where the next window starts, once this one is full while more rows exist. */
  onward: WindowStart | null;
}

export function emptyWindow(cap: number = LIST_CAP): ListWindow {
  return { offset: 0, first: 0, last: 0, size: cap, onward: null };
}

/** What to ask the server for: a window from its start, or the next page of the window shown. */
export interface ListRequest {
  /** The cursor to send (`after`). */
  after: string | null;
  start: WindowStart;
}

/** A new window from `start` (the first window unless the person asked for a later one). */
export function windowRequest(start: WindowStart = FIRST_WINDOW): ListRequest {
  return { after: start.after, start };
}

/** The next page of the window on screen. */
export function nextRequest(next: string | null, window: ListWindow): ListRequest {
  return { after: next, start: { after: next, skip: 0, offset: window.offset } };
}

export interface ListOptions {
  /** Rows a window holds; LIST_CAP unless a test says otherwise. */
  cap?: number;
  /** Ids of rows never to show (the unit being moved, in the unit picker). */
  leaveOut?: readonly string[];
}

export interface ListPage<R> {
  /** The whole window on a first page (a reset), null when a next page is appended. */
  rows: R[] | null;
  /** The appended rows by path key; empty on a first page. */
  patch: Record<PathKey, R>;
  /** Where the next page of this window starts: null at the end, and once the window is full. */
  next: string | null;
  window: ListWindow;
}

/**
 * The update for a page of `incoming` rows fetched by `request`: the list `key` replaced when
 * `shown` is null (a new window, whose first `start.skip` rows belong to the window before),
 * otherwise the new rows appended after `shown`, skipping ids already shown (a row can shift
 * between pages).
 */
export function listPage<R extends { id: string }>(
  key: string,
  shown: readonly R[] | null,
  incoming: readonly R[],
  next: string | null,
  request: ListRequest,
  options: ListOptions = {},
): ListPage<R> {
  const cap = options.cap ?? LIST_CAP;
  const start = shown ? shown.length : 0;
  // Rows left out are passed over like rows already shown, so a page's positions stay the server's.
  const seen = new Set([...(shown ?? []).map((row) => row.id), ...(options.leaveOut ?? [])]);
  const fresh: R[] = [];
  let used = shown ? 0 : Math.min(request.start.skip, incoming.length);
  while (used < incoming.length && start + fresh.length < cap) {
    const row = incoming[used];
    used += 1;
    if (!seen.has(row.id)) fresh.push(row);
  }
  const full = start + fresh.length >= cap;
  const offset = request.start.offset;
  // The rest of this server page opens the next window; past its end, the server's cursor does.
  const onward: WindowStart | null = !full
    ? null
    : used < incoming.length
      ? { after: request.after, skip: used, offset: offset + cap }
      : next !== null
        ? { after: next, skip: 0, offset: offset + cap }
        : null;
  const patch = {} as Record<PathKey, R>;
  if (shown) fresh.forEach((row, index) => (patch[`${key}[${start + index}]`] = row));
  const count = start + fresh.length;
  return {
    rows: shown ? null : fresh,
    patch,
    next: full ? null : next,
    window: { offset, first: count ? offset + 1 : 0, last: offset + count, size: cap, onward },
  };
}

/**
 * Loads the window from `start` (a bar's 「显示后 N 条」 or 「回到开头」; nothing when null) and
 * brings its first row into view: the top of the page, or the element `selector` names.
 */
export function showWindow(start: WindowStart | null, load: (start: WindowStart) => Promise<void>, selector?: string): Promise<void> {
  if (!start) return Promise.resolve();
  return load(start).then(() => {
    wx.pageScrollTo(selector ? { selector, duration: 0 } : { scrollTop: 0, duration: 0 });
  });
}

/** What the shared list hooks need of a page: its data with the `next` cursor, and its `load`. */
export interface PagedListPage<TData extends { next: string | null }> {
  readonly data: Readonly<TData>;
  load(reset: boolean): Promise<void>;
}

/**
 * The lifecycle of a page that is one paged list: the next page at the bottom, a fresh first
 * window on pull-down, the list's pending load dropped when the page goes, and (when
 * `reloadOnShow` says so) a fresh first window on coming back, since the page opened from it
 * may have changed a row. Spread into `definePage`.
 */
export function pagedListHooks<TData extends { next: string | null }>(
  loads: (page: object) => { cancel(): void },
  reloadOnShow?: (data: Readonly<TData>) => boolean,
): { onShow(): void; onUnload(): void; onReachBottom(): void; onPullDownRefresh(): void } & ThisType<PagedListPage<TData>> {
  return {
    onShow() {
      if (reloadOnShow?.(this.data)) void this.load(true);
    },
    onUnload() {
      loads(this).cancel();
    },
    onReachBottom() {
      if (this.data.next) void this.load(false);
    },
    onPullDownRefresh() {
      void this.load(true).then(() => wx.stopPullDownRefresh());
    },
  };
}

/** Data keys holding a ListWindow. */
type WindowKey<TData> = { [K in keyof TData]: TData[K] extends ListWindow ? K : never }[keyof TData] & string;

/** What the shared list handlers need of a page: a status to show loading in, and a `load` from a window's start. */
export interface PagedWindowPage<TData extends { next: string | null; status: string }> {
  readonly data: Readonly<TData>;
  setData(patch: { status: 'loading' }): void;
  load(reset: boolean, start?: WindowStart): Promise<void>;
}

/**
 * The handlers of a page that is one paged list, for its `methods`: 重试 after a failed first load,
 * 加载更多, and the `list-window` bars' 「显示后 N 条」 and 「回到开头」 on the window kept under
 * `windowKey` (scrolled to `selector` when given, else to the top). A page whose retry does more
 * defines its own `onRetry` after the spread.
 */
export function pagedListMethods<TData extends { next: string | null; status: string }>(
  windowKey: WindowKey<TData>,
  selector?: string,
): { onRetry(): Promise<void>; onMore(): Promise<void>; onOnward(): Promise<void>; onRestart(): Promise<void> } & ThisType<PagedWindowPage<TData>> {
  return {
    onRetry() {
      this.setData({ status: 'loading' });
      return this.load(true);
    },
    onMore() {
      return this.load(false);
    },
    onOnward() {
      const window = this.data[windowKey] as unknown as ListWindow;
      return showWindow(window.onward, (start) => this.load(true, start), selector);
    },
    onRestart() {
      return showWindow(FIRST_WINDOW, (start) => this.load(true, start), selector);
    },
  };
}

/**
 * The rows and window once the row at `index` left the list (read again, it no longer matches):
 * the rows after it move up, and the window counts one fewer.
 */
export function withoutRow<R>(rows: readonly R[], window: ListWindow, index: number): { rows: R[]; window: ListWindow } {
  const kept = rows.filter((_, i) => i !== index);
  return { rows: kept, window: { ...window, first: kept.length ? window.offset + 1 : 0, last: window.offset + kept.length } };
}
