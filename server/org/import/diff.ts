/**
 * The difference between a roster file and the roster: pure, so the preview and its tests
 * see exactly what the apply step will do. Rules:
 * - a row is keyed by its number; a number on two rows makes both invalid;
 * - a column missing from the file leaves that field alone; an empty cell clears it
 *   (kind: an empty cell keeps the current kind, `student` for new members);
 * - a deactivated member found in the file is restored;
 * - with `deactivateMissing`, active members whose number is on no row (valid or not) are
 *   deactivated; without it nobody is.
 */
import type { ImportCounts, InvalidRowReason, MemberInput, MemberKind } from '../../../typings';
import { FIELD_LIMITS } from '../../../typings/limits';
import type { Placement } from '../counters';
import { type MemberDoc, oneLine } from '../model';
import { MEMBER_KIND_LABEL, WECOM_USERID_PATTERN } from '../members';
import { normaliseNumber, numberProblem } from '../member-number';
import { normalizePhone } from '../phone';
import type { UnitTree } from '../tree';
import type { RosterColumn, RosterSheet } from '../roster-file';

export type DiffMember = Pick<MemberDoc, '_id' | 'name' | 'number' | 'phone' | 'kind' | 'unitIds' | 'title' | 'wecomUserId' | 'active' | 'fieldsRev' | 'userId'>;

export type Settable = Partial<Pick<MemberDoc, 'name' | 'phone' | 'kind' | 'unitIds' | 'title' | 'wecomUserId' | 'active'>>;

export interface Change {
  field: keyof MemberInput | 'active';
  before: string;
  after: string;
}

export type DiffItem =
  | { category: 'add'; line: number; name: string; number: string; member: Omit<DiffMember, '_id' | 'fieldsRev' | 'userId' | 'active'> & { _id: string } }
  | { category: 'update'; line: number; name: string; number: string; memberId: string; expectedFieldsRev: string | null; set: Settable; changes: Change[]; before: Placement }
  | { category: 'deactivate'; line: null; name: string; number: string; memberId: string; expectedFieldsRev: string | null; before: Placement }
  | { category: 'invalid'; line: number; name: string; number: string; reasons: { code: InvalidRowReason; message: string }[] };

export interface RosterDiff {
  items: DiffItem[];
  counts: ImportCounts;
}

const KIND_WORDS: Record<string, MemberKind> = {
  学生: 'student',
  本科生: 'student',
  研究生: 'student',
  student: 'student',
  教职工: 'staff',
  教工: 'staff',
  职工: 'staff',
  教师: 'staff',
  老师: 'staff',
  员工: 'staff',
  staff: 'staff',
  teacher: 'staff',
};

const UNIT_LIST_SEPARATOR = /[;；|\n]/;
const PATH_SEPARATOR = /[/／\\]/;

function describeUnits(ids: readonly string[], snapshot: UnitTree): string {
  return ids.map((id) => snapshot.pathNames(id).join('/') || snapshot.get(id)?.name || id).join('；');
}

function shown(value: string | null | undefined): string {
  return value ?? '';
}

interface CleanRow {
  line: number;
  name: string;
  number: string;
  fields: Settable;
  reasons: { code: InvalidRowReason; message: string }[];
}

function cleanRow(cells: Partial<Record<RosterColumn, string>>, line: number, snapshot: UnitTree): CleanRow {
  const reasons: CleanRow['reasons'] = [];
  const name = oneLine(cells.name ?? '');
  const number = normaliseNumber(cells.number ?? '');
  const fields: Settable = {};
  if (!name) reasons.push({ code: 'NAME_MISSING', message: '缺少姓名' });
  else if ([...name].length > FIELD_LIMITS.memberName) reasons.push({ code: 'FIELD_TOO_LONG', message: `姓名超过 ${FIELD_LIMITS.memberName} 个字` });
  else fields.name = name;
  if (!number) reasons.push({ code: 'NUMBER_MISSING', message: '缺少学号/工号' });
  else {
    const problem = numberProblem(number);
    if (problem) reasons.push({ code: [...number].length > FIELD_LIMITS.memberNumber ? 'FIELD_TOO_LONG' : 'NUMBER_INVALID', message: `学号/工号“${number}”：${problem}` });
  }
  if (cells.phone !== undefined) {
    const raw = cells.phone.trim();
    if (!raw) fields.phone = null;
    else {
      const phone = normalizePhone(raw);
      if (phone) fields.phone = phone;
      else reasons.push({ code: 'PHONE_INVALID', message: `手机号“${raw}”格式不正确` });
    }
  }
  if (cells.kind !== undefined && cells.kind.trim()) {
    const kind = KIND_WORDS[cells.kind.trim().toLowerCase()];
    if (kind) fields.kind = kind;
    else reasons.push({ code: 'KIND_INVALID', message: `类型“${cells.kind.trim()}”无法识别，请填写学生或教职工` });
  }
  if (cells.units !== undefined) {
    const paths = cells.units.split(UNIT_LIST_SEPARATOR).map((p) => p.trim()).filter(Boolean);
    if (paths.length === 0) reasons.push({ code: 'UNIT_MISSING', message: '缺少所属单位' });
    else if (paths.length > FIELD_LIMITS.memberUnits) reasons.push({ code: 'FIELD_TOO_LONG', message: `所属单位不能超过 ${FIELD_LIMITS.memberUnits} 个` });
    else {
      const unitIds: string[] = [];
      let allKnown = true;
      for (const path of paths) {
        const unit = snapshot.resolvePath(path.split(PATH_SEPARATOR).map((s) => s.trim()).filter(Boolean));
        if (!unit) {
          allKnown = false;
          reasons.push({ code: 'UNIT_UNKNOWN', message: `单位“${path}”不存在` });
        } else if (!unitIds.includes(unit._id)) unitIds.push(unit._id);
      }
      if (allKnown) fields.unitIds = unitIds;
    }
  }
  if (cells.title !== undefined) {
    const title = oneLine(cells.title);
    if ([...title].length > FIELD_LIMITS.memberTitle) reasons.push({ code: 'FIELD_TOO_LONG', message: `职务超过 ${FIELD_LIMITS.memberTitle} 个字` });
    else fields.title = title || null;
  }
  if (cells.wecomUserId !== undefined) {
    const userid = cells.wecomUserId.trim();
    if (userid.length > FIELD_LIMITS.wecomUserId || (userid && !WECOM_USERID_PATTERN.test(userid))) {
      reasons.push({ code: 'FIELD_TOO_LONG', message: '企业微信账号格式不正确' });
    } else fields.wecomUserId = userid || null;
  }
  return { line, name, number, fields, reasons };
}

function sameUnits(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((id) => b.includes(id));
}

export function diffRoster(
  sheet: RosterSheet,
  existing: readonly DiffMember[],
  snapshot: UnitTree,
  options: { deactivateMissing: boolean; newId(): string },
): RosterDiff {
  const byNumber = new Map(existing.map((member) => [member.number, member]));
  const rows = sheet.rows.map((row) => cleanRow(row.cells, row.line, snapshot));
  const linesByNumber = new Map<string, number[]>();
  for (const row of rows) {
    if (!row.number) continue;
    const lines = linesByNumber.get(row.number) ?? [];
    lines.push(row.line);
    linesByNumber.set(row.number, lines);
  }
  // A WeCom userid signs one person in: it may appear on one row, and not on another member.
  const linesByWecom = new Map<string, number[]>();
  for (const row of rows) {
    const userid = row.fields.wecomUserId;
    if (!userid) continue;
    linesByWecom.set(userid, [...(linesByWecom.get(userid) ?? []), row.line]);
  }
  const wecomHolder = new Map(existing.filter((m) => m.wecomUserId).map((m) => [m.wecomUserId as string, m.number]));
  const items: DiffItem[] = [];
  let unchanged = 0;
  for (const row of rows) {
    const lines = linesByNumber.get(row.number) ?? [];
    if (lines.length > 1) {
      const others = lines.filter((line) => line !== row.line).join('、');
      row.reasons.push({ code: 'NUMBER_DUPLICATE', message: `学号/工号与第 ${others} 行重复` });
    }
    const userid = row.fields.wecomUserId;
    if (userid) {
      const others = (linesByWecom.get(userid) ?? []).filter((line) => line !== row.line);
      const holder = wecomHolder.get(userid);
      if (others.length > 0) row.reasons.push({ code: 'WECOM_DUPLICATE', message: `企业微信账号与第 ${others.join('、')} 行重复` });
      else if (holder !== undefined && holder !== row.number) row.reasons.push({ code: 'WECOM_DUPLICATE', message: `企业微信账号已属于学号/工号 ${holder} 的成员` });
    }
    const current = byNumber.get(row.number);
    if (!current && row.reasons.length === 0 && !row.fields.unitIds) {
      row.reasons.push({ code: 'UNIT_MISSING', message: '新成员需要填写所属单位' });
    }
    if (row.reasons.length > 0) {
      items.push({ category: 'invalid', line: row.line, name: row.name, number: row.number, reasons: row.reasons });
      continue;
    }
    if (!current) {
      const member = {
        _id: options.newId(),
        name: row.fields.name as string,
        number: row.number,
        phone: row.fields.phone ?? null,
        kind: row.fields.kind ?? 'student',
        unitIds: row.fields.unitIds as string[],
        title: row.fields.title ?? null,
        wecomUserId: row.fields.wecomUserId ?? null,
      };
      items.push({ category: 'add', line: row.line, name: member.name, number: member.number, member });
      continue;
    }
    const set: Settable = {};
    const changes: Change[] = [];
    const f = row.fields;
    if (f.name !== undefined && f.name !== current.name) {
      set.name = f.name;
      changes.push({ field: 'name', before: current.name, after: f.name });
    }
    if (f.phone !== undefined && f.phone !== current.phone) {
      set.phone = f.phone;
      changes.push({ field: 'phone', before: shown(current.phone), after: shown(f.phone) });
    }
    if (f.kind !== undefined && f.kind !== current.kind) {
      set.kind = f.kind;
      changes.push({ field: 'kind', before: MEMBER_KIND_LABEL[current.kind], after: MEMBER_KIND_LABEL[f.kind] });
    }
    if (f.unitIds !== undefined && !sameUnits(f.unitIds, current.unitIds)) {
      set.unitIds = f.unitIds;
      changes.push({ field: 'unitIds', before: describeUnits(current.unitIds, snapshot), after: describeUnits(f.unitIds, snapshot) });
    }
    if (f.title !== undefined && f.title !== current.title) {
      set.title = f.title;
      changes.push({ field: 'title', before: shown(current.title), after: shown(f.title) });
    }
    if (f.wecomUserId !== undefined && f.wecomUserId !== current.wecomUserId) {
      set.wecomUserId = f.wecomUserId;
      changes.push({ field: 'wecomUserId', before: shown(current.wecomUserId), after: shown(f.wecomUserId) });
    }
    if (!current.active) {
      set.active = true;
      changes.push({ field: 'active', before: '已停用', after: '在册' });
    }
    if (changes.length === 0) {
      unchanged += 1;
      continue;
    }
    items.push({
      category: 'update',
      line: row.line,
      name: set.name ?? current.name,
      number: current.number,
      memberId: current._id,
      expectedFieldsRev: current.fieldsRev ?? null,
      set,
      changes,
      before: { unitIds: current.unitIds, active: current.active },
    });
  }
  if (options.deactivateMissing) {
    for (const member of existing) {
      if (!member.active || linesByNumber.has(member.number)) continue;
      items.push({
        category: 'deactivate',
        line: null,
        name: member.name,
        number: member.number,
        memberId: member._id,
        expectedFieldsRev: member.fieldsRev ?? null,
        before: { unitIds: member.unitIds, active: true },
      });
    }
  }
  // Changes grouped by unit, groups in the order the file first mentions them: the apply
  // step's batches then touch few units' counters each however the file was sorted, and a file
  // already sorted by class keeps its order. Invalid rows keep the file's order.
  const RANK: Record<DiffItem['category'], number> = { add: 0, update: 1, deactivate: 2, invalid: 3 };
  const firstSeen = new Map<string, number>();
  const unitOf = (item: DiffItem): string => {
    if (item.category === 'add') return item.member.unitIds[0] ?? '';
    if (item.category === 'update') return (item.set.unitIds ?? item.before.unitIds)[0] ?? '';
    if (item.category === 'deactivate') return item.before.unitIds[0] ?? '';
    return '';
  };
  for (const item of items) if (!firstSeen.has(unitOf(item))) firstSeen.set(unitOf(item), firstSeen.size);
  const group = (item: DiffItem) => firstSeen.get(unitOf(item)) as number;
  items.sort(
    (a, b) =>
      RANK[a.category] - RANK[b.category] ||
      group(a) - group(b) ||
      (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER) ||
      (a.number < b.number ? -1 : a.number > b.number ? 1 : 0),
  );
  const count = (category: DiffItem['category']) => items.filter((item) => item.category === category).length;
  return {
    items,
    counts: { rows: rows.length, add: count('add'), update: count('update'), deactivate: count('deactivate'), unchanged, invalid: count('invalid') },
  };
}
