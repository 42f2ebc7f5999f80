import type { Db } from '../../../server/db/db';
import { keysetAfter, keysetCursor, type KeysetSpec } from '../../../server/db/keyset';

/** The database commands as plain values, so the filter built can be compared. */
const db = { command: { or: (parts: unknown[]) => ({ or: parts }), gt: (v: unknown) => ({ gt: v }), lt: (v: unknown) => ({ lt: v }) } } as unknown as Pick<Db, 'command'>;
const byStart: KeysetSpec = { field: 'start', kind: 'date', direction: 'asc', id: /^[A-Za-z0-9-]{1,64}$/ };
const bySupport: KeysetSpec = { field: 'supportCount', kind: 'number', direction: 'desc', id: /^[A-Za-z0-9_~-]{1,100}$/ };

describe('keyset paging', () => {
  test('a cursor names the last row by its value and id, and resumes after it in the page’s direction', () => {
    const at = new Date('2030-06-05T01:10:00Z');
    expect(keysetCursor(at, 'bk-1')).toBe(`${at.getTime()}_bk-1`);
    expect(keysetAfter(db, keysetCursor(at, 'bk-1'), byStart)).toEqual({ or: [{ start: { gt: at } }, { start: at, _id: { gt: 'bk-1' } }] });
    // Ids may hold underscores: the first one separates the value.
    expect(keysetAfter(db, keysetCursor(7, 'p-a_b'), bySupport)).toEqual({ or: [{ supportCount: { lt: 7 } }, { supportCount: 7, _id: { lt: 'p-a_b' } }] });
    expect(keysetAfter(db, undefined, byStart)).toBeNull();
  });

  test.each(['x_bk-1', '12', '12_', '_bk-1', '1234567890123456_bk-1', '12_bk_1', `12_${'a'.repeat(65)}`, '12_bk 1'])('refuses %s as INVALID_INPUT on after', (after) => {
    expect(() => keysetAfter(db, after, byStart)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', field: 'after' }));
  });
});
