/**
 * Choosing roster members by name: a search box whose results toggle a person in or out of a
 * list the page keeps (a room's approvers, a category's handlers, a notice's people). The
 * handlers are the same on every such page; what differs is where the chosen people live and
 * how many fit, which each page gives as a `RosterPicker`. Spread into a page's `methods`.
 */
import type { AppError } from '../../typings';
import { searchMembers } from '../services/org';
import { errorText } from '../utils/error-text';
import { eventText } from '../utils/events';
import { rosterSearchView, type PersonResult } from '../utils/org-view';
import { SEARCH_PAUSE_MS, type SearchLoads } from './latest';
import type { PageContext } from './page';

type PickerData = { query: string; results: PersonResult[]; searching: boolean; searchNote: string };
type PickerHost = PageContext<PickerData> & { searchPeople(): Promise<void> };
type PickerEvent = { detail: unknown; currentTarget: { dataset: { id?: string } } };

export interface RosterPicker {
  /** The page instance's search loads (one per instance). */
  loads(page: object): SearchLoads;
  /** False once the page unloaded: a late reply is dropped. */
  alive(page: object): boolean;
  /** Ids of the people chosen now. */
  chosenIds(page: object): string[];
  /** Adds a person; false when the list is full (the page has said so). */
  add(page: object, person: PersonResult): boolean;
  remove(page: object, id: string): void;
  /** The note for a failed search, when the page words one code its own way. */
  failureNote?(error: AppError): string | null;
}

export function rosterPickerMethods(picker: RosterPicker) {
  return {
    onQueryChange(this: PickerHost, event: { detail: unknown }) {
      this.setData({ query: eventText(event) });
      picker.loads(this).afterPause(() => this.searchPeople(), SEARCH_PAUSE_MS);
    },

    onSearch(this: PickerHost, event: { detail: unknown }) {
      picker.loads(this).clearPause();
      this.setData({ query: eventText(event) });
      return this.searchPeople();
    },

    onSearchClear(this: PickerHost) {
      picker.loads(this).cancel();
      this.setData({ query: '', results: [], searching: false, searchNote: '' });
    },

    searchPeople(this: PickerHost): Promise<void> {
      const loads = picker.loads(this);
      const query = this.data.query.trim();
      if (!query) {
        loads.cancel();
        this.setData({ results: [], searching: false, searchNote: '' });
        return Promise.resolve();
      }
      const ticket = loads.begin(true);
      if (ticket === null) return Promise.resolve();
      this.setData({ searching: true, searchNote: '' });
      return searchMembers({ query, status: 'active' }).then((result) => {
        if (!loads.settle(ticket) || !picker.alive(this)) return;
        if (!result.ok) {
          this.setData({ searching: false, results: [], searchNote: picker.failureNote?.(result.error) ?? errorText(result.error) });
          return;
        }
        const view = rosterSearchView(result.data, picker.chosenIds(this));
        this.setData({ searching: false, results: view.results, searchNote: view.note });
      });
    },

    /** A result adds its person, or takes them out again when already chosen. */
    onTogglePerson(this: PickerHost, event: PickerEvent) {
      const id = event.currentTarget.dataset.id;
      const index = this.data.results.findIndex((result) => result.id === id);
      if (index < 0) return;
      const result = this.data.results[index];
      if (result.chosen) {
        this.setData({ [`results[${index}].chosen`]: false });
        picker.remove(this, result.id);
        return;
      }
      if (picker.add(this, result)) this.setData({ [`results[${index}].chosen`]: true });
    },

    /** A chosen person's chip taken out (the result showing them, if any, unticked). */
    onRemovePerson(this: PickerHost, event: PickerEvent) {
      const id = event.currentTarget.dataset.id;
      if (!id) return;
      const index = this.data.results.findIndex((result) => result.id === id);
      if (index >= 0) this.setData({ [`results[${index}].chosen`]: false });
      picker.remove(this, id);
    },
  };
}
