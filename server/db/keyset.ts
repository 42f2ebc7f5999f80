/**
 * Keyset paging: a page ordered by a field and then `_id` resumes after the last row it showed,
 * named by a cursor `<value>_<id>` (a time in milliseconds or a number). Unlike skipping, rows
 * written meanwhile neither repeat nor push others out of the next page.
 */
import { AppFailure } from '../core/result';
import type { Db, Filter } from './db';

export interface KeysetSpec {
  /** The ordering field. */
  field: string;
  /** Whether its values are times (carried as milliseconds) or numbers. */
  kind: 'date' | 'number';
  direction: 'asc' | 'desc';
  /** What an `_id` of these rows looks like: a cursor naming anything else is refused. */
  id: RegExp;
}

/** The cursor naming a row: its ordering value and its `_id`. */
export function keysetCursor(value: Date | number, id: string): string {
  return `${value instanceof Date ? value.getTime() : value}_${id}`;
}

/** The rows after `after` in (`field`, `_id`) order; null without a cursor, INVALID_INPUT for a bad one. */
export function keysetAfter(db: Pick<Db, 'command'>, after: string | undefined, spec: KeysetSpec): Filter | null {
  if (!after) return null;
  const separator = after.indexOf('_');
  const raw = after.slice(0, separator);
  const id = after.slice(separator + 1);
  if (separator < 0 || !/^\d{1,15}$/.test(raw) || !spec.id.test(id)) throw new AppFailure('INVALID_INPUT', '翻页位置无效，请刷新后重试', 'after');
  const _ = db.command;
  const value = spec.kind === 'date' ? new Date(Number(raw)) : Number(raw);
  const beyond = (bound: unknown) => (spec.direction === 'asc' ? _.gt(bound) : _.lt(bound));
  return _.or([{ [spec.field]: beyond(value) }, { [spec.field]: value, _id: beyond(id) }]);
}
