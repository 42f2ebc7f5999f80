/**
 * Contract of the `org` cloud function: the unit tree, the roster, binding accounts to
 * roster members, the directory, observers, roster import and audience resolution.
 */
import type { MemberSummary, Page } from './account';

/** The root is the organisation itself; below it any mix, at most six levels in all. */
export type UnitKind = 'org' | 'college' | 'department' | 'class' | 'group';

export interface UnitView {
  id: string;
  name: string;
  kind: UnitKind;
  /** Null for the root (the organisation). */
  parentId: string | null;
  /** Names from below the organisation down to this unit, e.g. ['计算机学院', '软件工程 2301 班']; [] for the root. */
  path: string[];
  childCount: number;
  /** Active members placed directly in this unit (not in its sub-units); kept as a counter. */
  memberCount: number;
}

/** A unit as a member's placement shows it. */
export interface UnitRef {
  id: string;
  name: string;
  kind: UnitKind;
  /** Slash-separated path below the organisation, the form roster files use: `计算机学院/软件工程 2301 班`. */
  path: string;
}

export type MemberKind = 'student' | 'staff';

/** A member in lists. */
export interface MemberCard {
  id: string;
  name: string;
  /** Student or staff number, unique in the roster. */
  number: string;
  kind: MemberKind;
  title: string | null;
  /** Whether an account is bound to this member. */
  bound: boolean;
  active: boolean;
}

export interface MemberDetail extends MemberCard {
  units: UnitRef[];
  /** E.164; null when not visible to the caller (see `phoneVisible`) or not on record. */
  phone: string | null;
  /** True for admins, publishers, observers and the observers of one of the member's units. */
  phoneVisible: boolean;
  /** Admins only; null for others. */
  wecomUserId: string | null;
  /** Units this member observes (e.g. a class counsellor). */
  observes: UnitRef[];
  /** Admins only: the bound account's id. */
  userId: string | null;
  /** Changes on every write; `members.update` must send the one it read. */
  rev: string;
}

/** A member as an admin enters it; `phone` in any common form, stored as E.164. */
export interface MemberInput {
  name: string;
  number: string;
  phone: string | null;
  kind: MemberKind;
  unitIds: string[];
  title: string | null;
  wecomUserId: string | null;
}

export interface MyDirectory {
  /** Null until the caller's account is bound to a roster member. */
  member: MemberCard | null;
  /** The units the caller belongs to. */
  units: UnitView[];
  /** Units the caller observes. */
  observed: UnitView[];
}

export type ImportStatus = 'previewed' | 'applying' | 'applied' | 'expired';

export interface ImportCounts {
  /** Data rows read from the file (header excluded, blank rows skipped). */
  rows: number;
  add: number;
  update: number;
  /** Active members missing from the file; only when the preview asked for deactivation. */
  deactivate: number;
  unchanged: number;
  invalid: number;
}

export interface ImportView {
  id: string;
  fileName: string;
  status: ImportStatus;
  deactivateMissing: boolean;
  counts: ImportCounts;
  /** Changes applied so far out of `add + update + deactivate`. */
  progress: { done: number; total: number };
  /** Changes skipped at apply because the roster changed since the preview (see `imports.items`). */
  skipped: number;
  /** Business time (Asia/Shanghai), `YYYY-MM-DD HH:mm`. */
  createdAt: string;
  appliedAt: string | null;
}

export type ImportItemCategory = 'add' | 'update' | 'deactivate' | 'invalid' | 'skipped';

/** Why a row is invalid, or (the last two) why the apply step skipped a change. */
export type InvalidRowReason =
  | 'NAME_MISSING'
  | 'NUMBER_MISSING'
  | 'NUMBER_DUPLICATE'
  /** The number has characters other than letters, digits and `_ . -` (spaces are removed first). */
  | 'NUMBER_INVALID'
  | 'PHONE_INVALID'
  | 'KIND_INVALID'
  | 'UNIT_MISSING'
  | 'UNIT_UNKNOWN'
  | 'FIELD_TOO_LONG'
  /** Another row, or another member of the roster, has this WeCom userid. */
  | 'WECOM_DUPLICATE'
  /** The member was edited, or its number taken, after the preview. */
  | 'ROSTER_CHANGED'
  /** A unit of the row was deleted after the preview. */
  | 'UNIT_GONE';

export interface ImportItemView {
  /** Line in the file (the header is line 1); null for members missing from the file. */
  line: number | null;
  category: ImportItemCategory;
  name: string;
  number: string;
  /** For updates: what changes. */
  changes: { field: keyof MemberInput | 'active'; before: string; after: string }[];
  /** For invalid rows: why, with a message to show. */
  reasons: { code: InvalidRowReason; message: string }[];
}

export interface AudienceSpec {
  /** Units, each including its sub-units. */
  unitIds: string[];
  /** Chosen members. */
  memberIds: string[];
}

export interface AudienceMember {
  id: string;
  name: string;
  number: string;
}

type Empty = Record<string, never>;

export interface OrgActions {
  /** The organisation (root unit), created from the configured name on first use. */
  'units.root': { request: Empty; response: UnitView };
  /** A unit the caller may browse (as `directory.unitMembers`); admins, publishers and observers any. */
  'units.get': { request: { unitId: string }; response: UnitView };
  /** Sub-units by name, for the same callers as `units.get`. */
  'units.children': { request: { parentId: string; after?: string }; response: Page<UnitView> };
  /** Admins only. Names are unique among siblings; at most six levels. */
  'units.create': { request: { parentId: string; name: string; kind: Exclude<UnitKind, 'org'> }; response: UnitView };
  'units.rename': { request: { unitId: string; name: string }; response: UnitView };
  /** Admins only; UNIT_CYCLE when the new parent lies inside the unit. */
  'units.move': { request: { unitId: string; parentId: string }; response: UnitView };
  /** Admins only; UNIT_NOT_EMPTY while it has sub-units or members (active or not). */
  'units.delete': { request: { unitId: string }; response: { id: string } };

  /** Admins only. */
  'members.create': { request: { member: MemberInput }; response: MemberDetail };
  /** Admins only; MEMBER_STALE when `rev` is not the current one. Moving is editing `unitIds`. */
  'members.update': { request: { memberId: string; rev: string; member: Partial<MemberInput> }; response: MemberDetail };
  'members.deactivate': { request: { memberId: string }; response: MemberDetail };
  'members.restore': { request: { memberId: string }; response: MemberDetail };
  /** Admins only: by name or number prefix, optionally among a unit's direct members (UNIT_NOT_FOUND for an unknown unit). */
  'members.search': {
    request: { query?: string; unitId?: string; status?: 'active' | 'inactive' | 'all'; after?: string };
    response: Page<MemberCard>;
  };
  /** Admins only: bind (or rebind) a member to an account. */
  'members.bind': { request: { memberId: string; userId: string }; response: MemberDetail };
  'members.unbind': { request: { memberId: string }; response: MemberDetail };

  /** Admins only: the units this member observes (replaces the set). */
  'observers.set': { request: { memberId: string; unitIds: string[] }; response: MemberDetail };
  /** Admins only: the members observing a unit directly (the first 100 by number). */
  'observers.list': { request: { unitId: string }; response: { items: MemberCard[] } };

  /** Binds the caller to the roster member with the phone number of a `getPhoneNumber` code. */
  'bind.phone': { request: { code: string }; response: { member: MemberSummary } };
  /** Binds the caller to the roster member with the caller's linked WeCom userid. */
  'bind.wecom': { request: Empty; response: { member: MemberSummary } };

  'directory.mine': { request: Empty; response: MyDirectory };
  /**
   * Active members placed directly in a unit, by number; `query` is a name or number prefix.
   * Open to the unit's members, members of an ancestor unit, its observers, admins and publishers.
   */
  'directory.unitMembers': { request: { unitId: string; query?: string; after?: string }; response: Page<MemberCard> };
  'directory.member': { request: { memberId: string }; response: MemberDetail };

  /** Admins only: reads a CSV or XLSX file from cloud storage (`imports/` folder) and stores the difference. */
  'imports.preview': { request: { fileId: string; fileName: string; deactivateMissing: boolean }; response: ImportView };
  'imports.get': { request: { importId: string }; response: ImportView };
  /** Admins only: imports newest first, 20 per page (to resume one left applying). */
  'imports.list': { request: { after?: string }; response: Page<ImportView> };
  'imports.items': { request: { importId: string; category: ImportItemCategory; after?: string }; response: Page<ImportItemView> };
  /**
   * Applies the previewed difference, as much as fits in one call; call again while the
   * status is `applying` (the progress shows how far it got). Safe to repeat.
   */
  'imports.apply': { request: { importId: string }; response: ImportView };

  /** Admins and publishers: how many active members an audience reaches. */
  'audience.count': { request: AudienceSpec; response: { count: number } };
  /** Admins and publishers: the audience's active members, paged. */
  'audience.members': { request: AudienceSpec & { after?: string }; response: Page<AudienceMember> };
}
