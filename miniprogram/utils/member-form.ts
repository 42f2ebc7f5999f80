/**
 * The admin's member form: its fields from a member, the checks made before saving, the
 * request built from it (only what changed, for an update), and which field a backend error
 * belongs to. Plain functions, tested without a page.
 */
import type { AppError, MemberDetail, MemberInput, MemberKind, UnitRef } from '../../typings';
import { FIELD_LIMITS } from '../../typings/limits';
import { phoneDisplay, unitPathPieces, unitPathText } from './org-view';

export interface MemberForm {
  name: string;
  number: string;
  phone: string;
  kind: MemberKind;
  title: string;
  wecomUserId: string;
}

export type FormField = keyof MemberForm;
export type ErrorField = Exclude<FormField, 'kind'> | 'units';
export type FormErrors = Record<ErrorField, string>;

export const NO_ERRORS: Readonly<FormErrors> = { name: '', number: '', phone: '', title: '', wecomUserId: '', units: '' };

export function emptyForm(): MemberForm {
  return { name: '', number: '', phone: '', kind: 'student', title: '', wecomUserId: '' };
}

export function formOf(detail: MemberDetail): MemberForm {
  return {
    name: detail.name,
    number: detail.number,
    // As the member page shows it and a person types it (139 3493 5893); the server takes
    // this form and stores its E.164 (+8613934935893).
    phone: detail.phone ? phoneDisplay(detail.phone) : '',
    kind: detail.kind,
    title: detail.title ?? '',
    wecomUserId: detail.wecomUserId ?? '',
  };
}

export interface UnitChip {
  id: string;
  name: string;
  /** `计算机学院 / 软件工程 2301 班`. */
  path: string;
  /** The path in pieces a line may wrap between, never inside a name. */
  pieces: string[];
}

export function unitChip(ref: UnitRef): UnitChip {
  const pieces = unitPathPieces(ref.path);
  return { id: ref.id, name: ref.name, path: unitPathText(ref.path) || ref.name, pieces: pieces.length ? pieces : [ref.name] };
}

/** The list with `chip` added at the end, unless it is there already. */
export function addChip(chips: readonly UnitChip[], chip: UnitChip): UnitChip[] {
  return chips.some((existing) => existing.id === chip.id) ? [...chips] : [...chips, chip];
}

export function removeChip(chips: readonly UnitChip[], id: string): UnitChip[] {
  return chips.filter((chip) => chip.id !== id);
}

const nullable = (text: string): string | null => (text.trim() ? text.trim() : null);

export function memberInputOf(form: MemberForm, units: readonly UnitChip[]): MemberInput {
  return {
    name: form.name.trim(),
    number: form.number.trim(),
    phone: nullable(form.phone),
    kind: form.kind,
    unitIds: units.map((unit) => unit.id),
    title: nullable(form.title),
    wecomUserId: nullable(form.wecomUserId),
  };
}

/** The limit of each text field and what it is called in a message. */
const TEXT_LIMITS: Readonly<Record<Exclude<FormField, 'kind'>, { limit: number; label: string }>> = {
  name: { limit: FIELD_LIMITS.memberName, label: '姓名' },
  number: { limit: FIELD_LIMITS.memberNumber, label: '学号/工号' },
  phone: { limit: FIELD_LIMITS.phoneInput, label: '手机号' },
  title: { limit: FIELD_LIMITS.memberTitle, label: '职务' },
  wecomUserId: { limit: FIELD_LIMITS.wecomUserId, label: '企业微信账号' },
};

function tooLong(form: MemberForm, field: Exclude<FormField, 'kind'>): string {
  const { limit, label } = TEXT_LIMITS[field];
  return Array.from(form[field].trim()).length > limit ? `${label}不超过 ${limit} 个字` : '';
}

/** What must be fixed before saving; every message empty when the form can be sent. */
export function checkForm(form: MemberForm): FormErrors {
  return {
    ...NO_ERRORS,
    name: form.name.trim() ? tooLong(form, 'name') : '请输入姓名',
    number: form.number.trim() ? tooLong(form, 'number') : form.kind === 'staff' ? '请输入工号' : '请输入学号',
    phone: tooLong(form, 'phone'),
    title: tooLong(form, 'title'),
    wecomUserId: tooLong(form, 'wecomUserId'),
  };
}

export function hasErrors(errors: FormErrors): boolean {
  return Object.values(errors).some(Boolean);
}

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((id) => set.has(id));
}

/** The fields of `input` that differ from the member as read; empty when nothing changed. */
export function memberChanges(original: MemberDetail, input: MemberInput): Partial<MemberInput> {
  const changes: Partial<MemberInput> = {};
  if (input.name !== original.name) changes.name = input.name;
  if (input.number !== original.number) changes.number = input.number;
  // The form shows a stored number in its national form: left as shown, it has not changed.
  const shownPhone = original.phone ? phoneDisplay(original.phone) : null;
  if (input.phone !== (original.phone ?? null) && input.phone !== shownPhone) changes.phone = input.phone;
  if (input.kind !== original.kind) changes.kind = input.kind;
  if (input.title !== (original.title ?? null)) changes.title = input.title;
  if (input.wecomUserId !== (original.wecomUserId ?? null)) changes.wecomUserId = input.wecomUserId;
  if (!sameIds(input.unitIds, original.units.map((unit) => unit.id))) changes.unitIds = input.unitIds;
  return changes;
}

const ERROR_FIELDS: readonly ErrorField[] = ['name', 'number', 'phone', 'title', 'wecomUserId', 'units'];

/** The form field a backend error belongs to, or null for errors about the whole member. */
export function fieldOfError(error: AppError): ErrorField | null {
  switch (error.code) {
    case 'MEMBER_NUMBER_TAKEN':
      return 'number';
    case 'PHONE_INVALID':
      return 'phone';
    case 'MEMBER_WECOM_TAKEN':
      return 'wecomUserId';
    case 'UNIT_NOT_FOUND':
      return 'units';
    case 'INVALID_INPUT': {
      // `member.phone`, `phone`, `member.unitIds[0]`...
      const last = (error.field ?? '').split('.').pop() ?? '';
      const name = last.replace(/\[\d+\]$/, '');
      if (name === 'unitIds') return 'units';
      return (ERROR_FIELDS as readonly string[]).includes(name) ? (name as ErrorField) : null;
    }
    default:
      return null;
  }
}

export function memberStatusText(detail: Pick<MemberDetail, 'active' | 'bound'>): string {
  return `${detail.active ? '在册' : '已停用'} · ${detail.bound ? '已绑定账号' : '未绑定账号'}`;
}
