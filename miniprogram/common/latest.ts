import { eventText } from '../utils/events';
import type { PageContext } from './page';

/**
 * Keeps list loads in order on a page: a new search supersedes any load still in flight (its
 * reply is dropped when it lands), and a next-page load is refused while another load runs.
 * Per page instance, since WeChat may keep several instances of one page on the stack.
 */
export class LatestOnly {
  private seq = 0;
  private busy = false;

  /**
   * A ticket for a new load, or null when `replace` is false and a load is already running
   * (a second scroll to the bottom while the next page loads).
   */
  begin(replace: boolean): number | null {
    if (!replace && this.busy) return null;
    this.busy = true;
    this.seq += 1;
    return this.seq;
  }

  /** Whether the reply of this ticket is still wanted; settles the load when it is. */
  settle(ticket: number): boolean {
    if (ticket !== this.seq) return false;
    this.busy = false;
    return true;
  }

  /** Drops every load in flight (the page is leaving). */
  cancel(): void {
    this.seq += 1;
    this.busy = false;
  }

  get loading(): boolean {
    return this.busy;
  }
}

/** The loads of a searchable list and the pause that waits for typing to stop. */
export class SearchLoads extends LatestOnly {
  private pause: ReturnType<typeof setTimeout> | null = null;

  /** Runs `search` once typing has paused for `ms`; each new keystroke restarts the pause. */
  afterPause(search: () => void, ms: number): void {
    this.clearPause();
    this.pause = setTimeout(() => {
      this.pause = null;
      search();
    }, ms);
  }

  /** Forgets a pending search (the user confirmed or cleared the box). */
  clearPause(): void {
    if (this.pause !== null) clearTimeout(this.pause);
    this.pause = null;
  }

  cancel(): void {
    this.clearPause();
    super.cancel();
  }
}

/** Private state of each page instance, created on first use. */
export function perInstance<T>(create: () => T): (instance: object) => T {
  const states = new WeakMap<object, T>();
  return (instance) => {
    let state = states.get(instance);
    if (!state) {
      state = create();
      states.set(instance, state);
    }
    return state;
  };
}

/** How long typing must pause before a search runs. */
export const SEARCH_PAUSE_MS = 300;

/** A list page with a search box: `load(true)` reloads the first page for `data.query`. */
type SearchHost = PageContext<{ query: string }> & { load(reset: boolean): Promise<void> };

/**
 * The `van-search` handlers every searchable list shares: typing searches after a pause,
 * confirming or clearing searches at once. Spread into a page's `methods`.
 */
export function searchBoxMethods(loads: (page: object) => SearchLoads) {
  return {
    onQueryChange(this: SearchHost, event: { detail: unknown }) {
      this.setData({ query: eventText(event) });
      loads(this).afterPause(() => this.load(true), SEARCH_PAUSE_MS);
    },

    onSearch(this: SearchHost, event: { detail: unknown }) {
      loads(this).clearPause();
      this.setData({ query: eventText(event) });
      return this.load(true);
    },

    onSearchClear(this: SearchHost) {
      loads(this).clearPause();
      this.setData({ query: '' });
      return this.load(true);
    },
  };
}
