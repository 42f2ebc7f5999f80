/**
 * How the organisation is shown: unit and member kind labels, unit and member rows, the
 * member card, phone numbers, page addresses. Plain functions, tested without a page.
 */
import type { MemberCard, MemberDetail, MemberKind, Page, UnitKind, UnitRef, UnitView } from '../../typings';
import { FIELD_LIMITS } from '../../typings/limits';

/** The kinds a sub-unit can have: everything but the organisation itself. */
export type ChildKind = Exclude<UnitKind, 'org'>;

export const UNIT_KIND_LABELS: Readonly<Record<UnitKind, string>> = {
  org: '组织',
  college: '学院',
  department: '部门',
  class: '班级',
  group: '小组',
};

/** The kinds a new sub-unit can have, in the order the picker offers them. */
export const CHILD_KINDS: readonly { kind: ChildKind; label: string }[] = [
  { kind: 'college', label: UNIT_KIND_LABELS.college },
  { kind: 'department', label: UNIT_KIND_LABELS.department },
  { kind: 'class', label: UNIT_KIND_LABELS.class },
  { kind: 'group', label: UNIT_KIND_LABELS.group },
];

export const MEMBER_KIND_LABELS: Readonly<Record<MemberKind, string>> = {
  student: '学生',
  staff: '教职工',
};

export const MEMBER_KINDS: readonly { kind: MemberKind; label: string }[] = [
  { kind: 'student', label: MEMBER_KIND_LABELS.student },
  { kind: 'staff', label: MEMBER_KIND_LABELS.staff },
];

export const PHONE_HIDDEN_TEXT = '仅管理员、发布者和本单位关注人可见';

export function unitKindLabel(kind: UnitKind): string {
  return UNIT_KIND_LABELS[kind] ?? kind;
}

export function memberKindLabel(kind: MemberKind): string {
  return MEMBER_KIND_LABELS[kind] ?? kind;
}

/** 学号 for students, 工号 for staff. */
export function numberLabel(kind: MemberKind): string {
  return kind === 'staff' ? '工号' : '学号';
}

/** The kind a new sub-unit most likely has: colleges below the organisation, classes below a college, groups below. */
export function defaultChildKind(parent: UnitKind): ChildKind {
  switch (parent) {
    case 'org':
      return 'college';
    case 'college':
      return 'class';
    default:
      return 'group';
  }
}

/** A unit path as people read it: `计算机学院 / 软件工程 2301 班`, from the array or the slash form. */
export function unitPathText(path: readonly string[] | string): string {
  const parts = typeof path === 'string' ? path.split('/') : path;
  return parts
    .map((part) => part.trim())
    .filter(Boolean)
    .join(' / ');
}

/** How paths are separated where several are given in one text (`accounts.search`'s unitPath). */
const PATHS_SEPARATOR = /[；;]/;

/**
 * A path (or several) cut into the pieces a line may wrap between: each unit name whole, the
 * separator kept at the end of the piece before it (`计算机学院 /`, `软件工程 2301 班`). The
 * template shows each piece as an inline block, so a line never breaks inside a name.
 */
export function unitPathPieces(path: readonly string[] | string): string[] {
  const paths = typeof path === 'string' ? path.split(PATHS_SEPARATOR).map((one) => one.split('/')) : [path];
  const pieces: string[] = [];
  paths
    .map((parts) => parts.map((part) => part.trim()).filter(Boolean))
    .filter((parts) => parts.length)
    .forEach((parts, pathIndex, all) => {
      parts.forEach((part, index) => {
        const last = index === parts.length - 1;
        pieces.push(last ? (pathIndex < all.length - 1 ? `${part}；` : part) : `${part} /`);
      });
    });
  return pieces;
}

/** A UnitView as a member's placement holds it. */
export function unitRefOf(unit: UnitView): UnitRef {
  return { id: unit.id, name: unit.name, kind: unit.kind, path: unit.path.join('/') };
}

export interface UnitRow {
  id: string;
  name: string;
  /** The path below the organisation. */
  label: string;
  /** The same path in pieces that wrap between names (see unitPathPieces). */
  pathPieces: string[];
  /** `32 人`. */
  value: string;
}

export function unitRow(unit: UnitView): UnitRow {
  return { id: unit.id, name: unit.name, label: unitPathText(unit.path), pathPieces: unitPathPieces(unit.path), value: `${unit.memberCount} 人` };
}

export interface ChildRow extends UnitRow {
  kindLabel: string;
}

/** A sub-unit in the admin tree: its kind, direct members and sub-units. */
export function childRow(unit: UnitView): ChildRow {
  const parts = [`${unit.memberCount} 人`];
  if (unit.childCount > 0) parts.push(`${unit.childCount} 个下级`);
  return { id: unit.id, name: unit.name, label: unitKindLabel(unit.kind), pathPieces: [], value: parts.join(' · '), kindLabel: unitKindLabel(unit.kind) };
}

export interface Crumb {
  id: string;
  name: string;
  /** The unit shown: read, not tapped. */
  current: boolean;
}

/** The breadcrumb of a walk down the tree, from the organisation to the current unit. */
export function crumbsOf(trail: readonly UnitView[]): Crumb[] {
  return trail.map((unit, index) => ({ id: unit.id, name: unit.name, current: index === trail.length - 1 }));
}

export function unitPageUrl(unit: { id: string; name: string }): string {
  return `/pages/unit/index?id=${encodeURIComponent(unit.id)}&name=${encodeURIComponent(unit.name)}`;
}

export function memberPageUrl(memberId: string): string {
  return `/pages/member/index?id=${encodeURIComponent(memberId)}`;
}

/** A query value as the page received it, decoded when it was encoded. */
export function queryText(value: string | undefined): string {
  if (!value) return '';
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

export interface MemberRow {
  id: string;
  name: string;
  /** `2023001 · 班长`. */
  label: string;
  unbound: boolean;
  inactive: boolean;
}

export function memberRow(card: MemberCard): MemberRow {
  const parts = [card.number];
  if (card.title) parts.push(card.title);
  return { id: card.id, name: card.name, label: parts.join(' · '), unbound: !card.bound, inactive: !card.active };
}

export interface MemberCardView {
  name: string;
  /** `学号 2023001`. */
  numberLine: string;
  kindLabel: string;
  title: string;
}

export function memberCardView(card: MemberCard): MemberCardView {
  return {
    name: card.name,
    numberLine: `${numberLabel(card.kind)} ${card.number}`,
    kindLabel: memberKindLabel(card.kind),
    title: card.title ?? '',
  };
}

/** `+8613800000000` -> `138 0000 0000`; other numbers as they are. */
export function phoneDisplay(phone: string): string {
  const match = /^\+86(1\d{2})(\d{4})(\d{4})$/.exec(phone);
  return match ? `${match[1]} ${match[2]} ${match[3]}` : phone;
}

export type PhoneState = 'shown' | 'missing' | 'hidden';

export interface MemberProfileView {
  name: string;
  kindLabel: string;
  numberLabel: string;
  number: string;
  title: string;
  unbound: boolean;
  inactive: boolean;
  units: string[];
  /** Each unit's path in pieces that wrap between names. */
  unitPieces: string[][];
  phoneState: PhoneState;
  /** What the phone row reads: the number, 未登记, or who may see it. */
  phoneText: string;
}

export function memberProfileView(detail: MemberDetail): MemberProfileView {
  let phoneState: PhoneState = 'hidden';
  let phoneText = PHONE_HIDDEN_TEXT;
  if (detail.phoneVisible) {
    phoneState = detail.phone ? 'shown' : 'missing';
    phoneText = detail.phone ? phoneDisplay(detail.phone) : '未登记';
  }
  return {
    name: detail.name,
    kindLabel: memberKindLabel(detail.kind),
    numberLabel: numberLabel(detail.kind),
    number: detail.number,
    title: detail.title ?? '',
    unbound: !detail.bound,
    inactive: !detail.active,
    units: detail.units.map((unit) => unitPathText(unit.path) || unit.name),
    unitPieces: detail.units.map((unit) => (unitPathPieces(unit.path).length ? unitPathPieces(unit.path) : [unit.name])),
    phoneState,
    phoneText,
  };
}

export type NameCheck = { ok: true; name: string } | { ok: false; message: string };

/** Unit names: 1 to FIELD_LIMITS.unitName characters once trimmed, counted as people count them (code points). */
export function checkUnitName(raw: string): NameCheck {
  const name = raw.trim();
  if (!name) return { ok: false, message: '请输入单位名称' };
  if (Array.from(name).length > FIELD_LIMITS.unitName) return { ok: false, message: `单位名称不超过 ${FIELD_LIMITS.unitName} 个字` };
  return { ok: true, name };
}

export function emptyMembersText(query: string): string {
  return query.trim() ? '没有找到匹配的成员' : '该单位暂无成员';
}

export interface UnitHeader {
  name: string;
  kindLabel: string;
  isRoot: boolean;
  /** `直属成员 32 人 · 下级单位 3 个`. */
  stats: string;
}

/** The unit an admin is looking at in the tree editor. */
export function unitHeader(unit: UnitView): UnitHeader {
  return {
    name: unit.name,
    kindLabel: unitKindLabel(unit.kind),
    isRoot: unit.parentId === null,
    stats: `直属成员 ${unit.memberCount} 人 · 下级单位 ${unit.childCount} 个`,
  };
}

export function deleteUnitQuestion(name: string): string {
  return `确定删除「${name}」吗？删除后无法恢复。`;
}

export function membersPageUrl(unit: { id: string; name: string } | null): string {
  const base = '/packages/admin/pages/members/index';
  return unit ? `${base}?unitId=${encodeURIComponent(unit.id)}&unitName=${encodeURIComponent(unit.name)}` : base;
}

export interface BindView {
  className: string;
  icon: string;
  iconColor: string;
  title: string;
  text: string;
}

/**
 * The 班级 tab without a member: never bound, or bound to a member an admin deactivated. The
 * latter may still bind to a new, active identity (a graduate now on the staff roster).
 */
export function bindView(inactive: boolean): BindView {
  return inactive
    ? {
        className: 'inactive',
        icon: 'info-o',
        iconColor: '#969799',
        title: '花名册身份已停用',
        text: '你的花名册身份已停用。如果你在花名册中有了新的身份（例如毕业后入职），可用登记的手机号重新绑定；如有疑问请联系管理员。',
      }
    : {
        className: '',
        icon: 'contact',
        iconColor: '#1989fa',
        title: '尚未绑定花名册',
        text: '绑定后可查看你所在的班级、单位和同学同事。使用你在花名册中登记的手机号即可完成绑定。',
      };
}

// People pickers (发布通知's chosen people, a room's approvers, a booking's attendees)

/** A person a picker's search found, marked when already chosen. */
export interface PersonResult {
  id: string;
  name: string;
  label: string;
  chosen: boolean;
}

/** People a picker shows from one roster search. */
export const PICKER_RESULTS = 20;

/** Members as a picker lists them, marked when chosen; `leaveOut` (the caller, say) is not offered. */
export function personResults(cards: readonly MemberCard[], chosenIds: Iterable<string>, leaveOut?: string): PersonResult[] {
  const chosen = new Set(chosenIds);
  return cards.filter((card) => card.id !== leaveOut).map((card) => ({ id: card.id, name: card.name, label: card.number, chosen: chosen.has(card.id) }));
}

/** A roster search in a picker: the first PICKER_RESULTS people, and the note under them (none found, or more than shown). */
export function rosterSearchView(page: Page<MemberCard>, chosenIds: Iterable<string>): { results: PersonResult[]; note: string } {
  const items = page.items.slice(0, PICKER_RESULTS);
  const more = page.next !== null || page.items.length > PICKER_RESULTS;
  return {
    results: personResults(items, chosenIds),
    note: !items.length ? '没有找到在册成员' : more ? `仅显示前 ${items.length} 人，输入完整姓名或学号/工号可更快找到` : '',
  };
}
