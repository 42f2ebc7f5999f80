/** The import's difference as a pure function: grouping for the apply step, and the rules a row must keep. */
import { type DiffMember, diffRoster } from '../../../server/org/import/diff';
import type { UnitDoc } from '../../../server/org/model';
import type { RosterSheet } from '../../../server/org/roster-file';
import { UnitTree } from '../../../server/org/tree';
import { FIELD_LIMITS } from '../../../typings/limits';

const at = new Date(0);
const unit = (id: string, name: string, parentId: string | null): UnitDoc => ({
  _id: id, name, kind: parentId ? 'class' : 'org', parentId, childCount: 0, memberCount: 0, rosterCount: 0, createdAt: at, updatedAt: at,
});
const tree = new UnitTree('r1', [unit('root', '测试大学', null), unit('a', '甲班', 'root'), unit('b', '乙班', 'root'), unit('c', '丙班', 'root')]);

function sheet(rows: [string, string, string][], extra: Partial<Record<'wecomUserId', string>>[] = []): RosterSheet {
  return {
    columns: ['name', 'number', 'units', ...(extra.length ? (['wecomUserId'] as const) : [])],
    rows: rows.map(([name, number, units], i) => ({ line: i + 2, cells: { name, number, units, ...(extra[i] ?? {}) } })),
  };
}

let ids = 0;
const newId = () => `m_new_${++ids}`;

const existing = (number: string, over: Partial<DiffMember> = {}): DiffMember => ({
  _id: `m_${number}`, name: number, number, phone: null, kind: 'student', unitIds: ['a'], title: null, wecomUserId: null, active: true, fieldsRev: 'f', userId: null, ...over,
});

test('adds are grouped by unit, groups in the order the file first names them', () => {
  const diff = diffRoster(sheet([['一', '1', '乙班'], ['二', '2', '甲班'], ['三', '3', '乙班'], ['四', '4', '丙班'], ['五', '5', '甲班']]), [], tree, { deactivateMissing: false, newId });
  expect(diff.items.map((item) => item.number)).toEqual(['1', '3', '2', '5', '4']);
  expect(diff.counts).toMatchObject({ rows: 5, add: 5, invalid: 0 });
});

test('a WeCom userid on two rows, or already another member’s, makes the row invalid', () => {
  const diff = diffRoster(
    sheet([['一', '1', '甲班'], ['二', '2', '甲班'], ['三', '3', '甲班']], [{ wecomUserId: 'dup' }, { wecomUserId: 'dup' }, { wecomUserId: 'held' }]),
    [existing('9', { wecomUserId: 'held' })],
    tree,
    { deactivateMissing: false, newId },
  );
  const invalid = diff.items.filter((item) => item.category === 'invalid');
  expect(invalid.map((item) => [item.line, item.category === 'invalid' && item.reasons.map((r) => r.code)])).toEqual([
    [2, ['WECOM_DUPLICATE']],
    [3, ['WECOM_DUPLICATE']],
    [4, ['WECOM_DUPLICATE']],
  ]);
});

test('deactivation spares members whose row is invalid, and records where they were placed', () => {
  const diff = diffRoster(sheet([['', '1', '甲班']]), [existing('1'), existing('2', { unitIds: ['b'] })], tree, { deactivateMissing: true, newId });
  const deactivated = diff.items.filter((item) => item.category === 'deactivate');
  expect(deactivated).toEqual([expect.objectContaining({ number: '2', expectedFieldsRev: 'f', before: { unitIds: ['b'], active: true } })]);
  expect(diff.counts).toMatchObject({ invalid: 1, deactivate: 1 });
});

test('an update keeps what the file leaves out and shows kinds in Chinese', () => {
  const diff = diffRoster(
    { columns: ['name', 'number', 'kind'], rows: [{ line: 2, cells: { name: '一', number: '1', kind: '教职工' } }] },
    [existing('1', { name: '一', unitIds: ['b'], title: '班长' })],
    tree,
    { deactivateMissing: false, newId },
  );
  expect(diff.items).toEqual([
    expect.objectContaining({ category: 'update', set: { kind: 'staff' }, changes: [{ field: 'kind', before: '学生', after: '教职工' }], before: { unitIds: ['b'], active: true } }),
  ]);
});

test('names and titles are one line: a pasted newline or tab is a space', () => {
  const diff = diffRoster(
    { columns: ['name', 'number', 'title'], rows: [{ line: 2, cells: { name: '王\n伟', number: '1', title: '组长\t\n副组长' } }] },
    [existing('1', { name: '一', unitIds: ['b'] })],
    tree,
    { deactivateMissing: false, newId },
  );
  expect(diff.items).toEqual([expect.objectContaining({ category: 'update', set: { name: '王 伟', title: '组长 副组长' } })]);
});

test('numbers typed with spaces or full-width digits are the stored number; still-invalid ones say why in Chinese', () => {
  const diff = diffRoster(
    sheet([['一', ' 2023 0101 ', '甲班'], ['二', '２０２３０１０２', '甲班'], ['三', '2023/0103', '甲班'], ['四', '1'.repeat(FIELD_LIMITS.memberNumber + 1), '甲班']]),
    [existing('20230101', { name: '一' })],
    tree,
    { deactivateMissing: false, newId },
  );
  expect(diff.counts).toMatchObject({ rows: 4, unchanged: 1, add: 1, invalid: 2 });
  expect(diff.items.find((item) => item.category === 'add')).toMatchObject({ number: '20230102' });
  const reasons = diff.items.flatMap((item) => (item.category === 'invalid' ? item.reasons.map((r) => [item.line, r.code, r.message]) : []));
  expect(reasons).toEqual([
    [4, 'NUMBER_INVALID', expect.stringContaining('只能包含字母、数字和 _ . -')],
    [5, 'FIELD_TOO_LONG', expect.stringContaining(`最多 ${FIELD_LIMITS.memberNumber} 位`)],
  ]);
});
