import { FIELD_LIMITS } from '../../typings/limits';
import type { AppError, ImportView, MemberCard } from '../../typings';
import {
  applyQuestion,
  canApply,
  changeFieldLabel,
  changeValueText,
  countCells,
  importItemRow,
  importResultText,
  importSummaryText,
  progressPercent,
  progressText,
  skippedText,
} from '../../miniprogram/utils/import-view';
import {
  addChip,
  checkForm,
  emptyForm,
  fieldOfError,
  formOf,
  hasErrors,
  memberChanges,
  memberInputOf,
  removeChip,
  unitChip,
} from '../../miniprogram/utils/member-form';
import {
  checkUnitName,
  childRow,
  crumbsOf,
  defaultChildKind,
  memberKindLabel,
  memberProfileView,
  memberRow,
  numberLabel,
  phoneDisplay,
  PICKER_RESULTS,
  queryText,
  rosterSearchView,
  unitKindLabel,
  unitPageUrl,
  unitPathText,
  unitRefOf,
  unitPathPieces,
  unitRow,
} from '../../miniprogram/utils/org-view';
import { card, detail, importView, item, unit } from './org-fixtures';

describe('labels', () => {
  it.each([
    ['org', '组织'],
    ['college', '学院'],
    ['department', '部门'],
    ['class', '班级'],
    ['group', '小组'],
  ] as const)('names the unit kind %s %s', (kind, label) => {
    expect(unitKindLabel(kind)).toBe(label);
  });

  it('names member kinds and their numbers', () => {
    expect(memberKindLabel('student')).toBe('学生');
    expect(memberKindLabel('staff')).toBe('教职工');
    expect(numberLabel('student')).toBe('学号');
    expect(numberLabel('staff')).toBe('工号');
  });

  it.each([
    ['name', '姓名'],
    ['number', '学号/工号'],
    ['phone', '手机号'],
    ['kind', '类型'],
    ['unitIds', '单位'],
    ['title', '职务'],
    ['wecomUserId', '企业微信账号'],
    ['active', '状态'],
  ])('names the changed field %s %s', (field, label) => {
    expect(changeFieldLabel(field)).toBe(label);
  });

  it('suggests colleges below the organisation, classes below a college, groups below', () => {
    expect(defaultChildKind('org')).toBe('college');
    expect(defaultChildKind('college')).toBe('class');
    expect(defaultChildKind('class')).toBe('group');
    expect(defaultChildKind('department')).toBe('group');
  });
});

describe('phoneDisplay', () => {
  it.each([
    ['+8613800000000', '138 0000 0000'],
    ['+8619912345678', '199 1234 5678'],
    ['+85261234567', '+85261234567'],
    ['+861012345678', '+861012345678'],
    ['13800000000', '13800000000'],
  ])('shows %s as %s', (phone, shown) => {
    expect(phoneDisplay(phone)).toBe(shown);
  });
});

describe('units and members as rows', () => {
  it('joins paths with slashes, from the array or the roster form', () => {
    expect(unitPathText(['计算机学院', '软件工程 2301 班'])).toBe('计算机学院 / 软件工程 2301 班');
    expect(unitPathText('计算机学院/软件工程 2301 班')).toBe('计算机学院 / 软件工程 2301 班');
    expect(unitPathText([])).toBe('');
  });

  it('shows a unit with its path and member count', () => {
    expect(unitRow(unit())).toEqual({
      id: 'unit-1',
      name: '软件工程 2301 班',
      label: '计算机学院 / 软件工程 2301 班',
      pathPieces: ['计算机学院 /', '软件工程 2301 班'],
      value: '32 人',
    });
    expect(childRow(unit({ kind: 'college', childCount: 3, memberCount: 0 })).value).toBe('0 人 · 3 个下级');
    expect(unitRefOf(unit())).toEqual({ id: 'unit-1', name: '软件工程 2301 班', kind: 'class', path: '计算机学院/软件工程 2301 班' });
  });

  it('cuts paths into pieces that wrap between names, several paths too', () => {
    expect(unitPathPieces(['计算机学院', '软件工程 2301 班'])).toEqual(['计算机学院 /', '软件工程 2301 班']);
    expect(unitPathPieces('计算机学院/软件2301班；学生会')).toEqual(['计算机学院 /', '软件2301班；', '学生会']);
    expect(unitPathPieces(' 校团委 / 羽毛球社 ;')).toEqual(['校团委 /', '羽毛球社']);
    expect(unitPathPieces([])).toEqual([]);
  });

  it('marks the last crumb of a walk as the unit shown', () => {
    expect(crumbsOf([unit({ id: 'root', name: '信通大学' }), unit({ id: 'c1', name: '计算机学院' })])).toEqual([
      { id: 'root', name: '信通大学', current: false },
      { id: 'c1', name: '计算机学院', current: true },
    ]);
  });

  it('shows a member with number and title, and flags unbound and inactive members', () => {
    expect(memberRow(card({ title: '班长' }))).toEqual({ id: 'm1', name: '林一', label: '2023001 · 班长', unbound: false, inactive: false });
    expect(memberRow(card({ bound: false, active: false }))).toMatchObject({ label: '2023001', unbound: true, inactive: true });
  });

  it('builds the unit page address and reads it back', () => {
    const url = unitPageUrl({ id: 'u 1', name: '软件工程 2301 班' });
    expect(url).toBe(`/pages/unit/index?id=u%201&name=${encodeURIComponent('软件工程 2301 班')}`);
    expect(queryText(encodeURIComponent('软件工程 2301 班'))).toBe('软件工程 2301 班');
    expect(queryText('100%')).toBe('100%');
    expect(queryText(undefined)).toBe('');
  });

  it('says who may see a hidden phone, 未登记 for none, and the number otherwise', () => {
    expect(memberProfileView(detail()).phoneText).toBe('138 0000 0000');
    expect(memberProfileView(detail({ phone: null })).phoneText).toBe('未登记');
    expect(memberProfileView(detail({ phone: null, phoneVisible: false }))).toMatchObject({
      phoneState: 'hidden',
      phoneText: '仅管理员、发布者和本单位关注人可见',
    });
    expect(memberProfileView(detail()).units).toEqual(['计算机学院 / 软件工程 2301 班']);
  });
});

describe('checkUnitName', () => {
  const MAX = FIELD_LIMITS.unitName;

  it('trims and accepts 1 to FIELD_LIMITS.unitName characters, counting characters as people do', () => {
    expect(checkUnitName('  软件工程 2301 班 ')).toEqual({ ok: true, name: '软件工程 2301 班' });
    expect(checkUnitName('名'.repeat(MAX))).toEqual({ ok: true, name: '名'.repeat(MAX) });
    expect(checkUnitName('😀'.repeat(MAX)).ok).toBe(true);
    expect(checkUnitName('   ')).toEqual({ ok: false, message: '请输入单位名称' });
    expect(checkUnitName('名'.repeat(MAX + 1))).toEqual({ ok: false, message: `单位名称不超过 ${MAX} 个字` });
  });
});

describe('import view', () => {
  const counts = { rows: 10, add: 3, update: 1, deactivate: 2, unchanged: 4, invalid: 0 };

  it('summarises the counts', () => {
    expect(importSummaryText(counts)).toBe('共 10 行：新增 3，更新 1，停用 2，无变化 4，无效 0');
    expect(countCells(counts).map((cell) => cell.label)).toEqual(['新增', '更新', '停用', '无变化', '无效']);
  });

  it('applies only when something changes, and asks first when members would be deactivated', () => {
    expect(canApply(counts)).toBe(true);
    expect(canApply({ ...counts, add: 0, update: 0, deactivate: 0 })).toBe(false);
    expect(canApply({ ...counts, add: 0, update: 0, deactivate: 1 })).toBe(true);
    expect(applyQuestion(counts)).toContain('将停用 2 名不在名单中的成员');
    expect(applyQuestion({ ...counts, deactivate: 0 })).toBeNull();
  });

  it.each([
    [{ done: 0, total: 4 }, 0],
    [{ done: 1, total: 3 }, 33],
    [{ done: 4, total: 4 }, 100],
    [{ done: 5, total: 4 }, 100],
    [{ done: 0, total: 0 }, 0],
  ])('shows progress %j as %i%%', (progress, percent) => {
    expect(progressPercent(progress)).toBe(percent);
  });

  it('words the progress, the result and the skipped count', () => {
    expect(progressText({ done: 3, total: 7 })).toBe('已应用 3 / 7');
    const applied: ImportView = importView({ status: 'applied', counts, progress: { done: 6, total: 6 } });
    expect(importResultText(applied)).toBe('导入完成：共应用 6 项变更（新增 3 人，更新 1 人，停用 2 人）');
    expect(skippedText(2)).toBe('跳过 2 条，原因见下');
  });

  it('counts only what was applied when changes were skipped, without per-kind figures it cannot know', () => {
    const applied: ImportView = importView({ status: 'applied', counts, progress: { done: 6, total: 6 }, skipped: 2 });
    expect(importResultText(applied)).toBe('导入完成：共应用 4 项变更');
  });

  it('shows a skipped change with the reasons it was skipped', () => {
    const row = importItemRow(
      item({
        category: 'skipped',
        line: 3,
        name: '林一',
        number: '2023001',
        reasons: [{ code: 'ROSTER_CHANGED', message: '预览后该成员已被修改或学号已被占用，未执行' }],
      }),
      1,
    );
    expect(row).toEqual({ id: 'skipped-1', title: '第 3 行', label: '林一 · 2023001', lines: ['预览后该成员已被修改或学号已被占用，未执行'] });
  });

  it('shows an invalid row by its line with the reasons', () => {
    const row = importItemRow(
      item({ category: 'invalid', line: 7, name: '赵六', number: '', reasons: [{ code: 'NAME_MISSING', message: '缺少姓名' }] }),
      0,
    );
    expect(row).toEqual({ id: 'invalid-0', title: '第 7 行', label: '赵六', lines: ['缺少姓名'] });
  });

  it('shows an update as before → after, with kinds, states and blanks in Chinese', () => {
    const row = importItemRow(
      item({
        category: 'update',
        changes: [
          { field: 'kind', before: 'student', after: 'staff' },
          { field: 'active', before: 'false', after: 'true' },
          { field: 'title', before: '班长', after: '' },
        ],
      }),
      3,
    );
    expect(row.title).toBe('王五 · 2023005');
    expect(row.lines).toEqual(['类型：学生 → 教职工', '状态：已停用 → 在册', '职务：班长 → （空）']);
    expect(changeValueText('phone', ' ')).toBe('（空）');
  });

  it('shows a member missing from the file as 不在名单中', () => {
    expect(importItemRow(item({ category: 'deactivate', line: null }), 0)).toMatchObject({ title: '王五 · 2023005', label: '不在名单中' });
  });
});

describe('member form', () => {
  const original = detail({ title: null, wecomUserId: 'linyi' });

  it('fills the form from a member and builds the input back, blanks as null', () => {
    const form = formOf(original);
    expect(form).toEqual({ name: '林一', number: '2023001', phone: '138 0000 0000', kind: 'student', title: '', wecomUserId: 'linyi' });
    expect(memberInputOf({ ...form, name: ' 林一 ', wecomUserId: ' ' }, [unitChip(original.units[0])])).toEqual({
      name: '林一',
      number: '2023001',
      phone: '138 0000 0000',
      kind: 'student',
      unitIds: ['unit-1'],
      title: null,
      wecomUserId: null,
    });
  });

  it('sends only what changed', () => {
    const chips = original.units.map(unitChip);
    expect(memberChanges(original, memberInputOf(formOf(original), chips))).toEqual({});
    const moved = addChip(removeChip(chips, 'unit-1'), { id: 'unit-2', name: 'B', path: 'B', pieces: ['B'] });
    expect(memberChanges(original, memberInputOf({ ...formOf(original), title: '班长' }, moved))).toEqual({
      title: '班长',
      unitIds: ['unit-2'],
    });
  });

  it('shows a stored phone as the member page does and counts it unchanged until edited', () => {
    const chips = original.units.map(unitChip);
    expect(formOf(original).phone).toBe(phoneDisplay('+8613800000000'));
    expect(memberChanges(original, memberInputOf({ ...formOf(original), phone: '138 0000 0001' }, chips))).toEqual({ phone: '138 0000 0001' });
    expect(memberChanges(original, memberInputOf({ ...formOf(original), phone: '' }, chips))).toEqual({ phone: null });
    // A number the national form does not fit is shown as stored.
    expect(formOf(detail({ phone: '+14155550100' })).phone).toBe('+14155550100');
  });

  it('cuts a unit path into pieces a line wraps between, never inside a name', () => {
    expect(unitChip({ id: 'u', name: '2301班', kind: 'class', path: '计算机学院/软件工程/2301班' }).pieces).toEqual(['计算机学院 /', '软件工程 /', '2301班']);
  });

  it('asks for a name and a number', () => {
    expect(hasErrors(checkForm(emptyForm()))).toBe(true);
    expect(checkForm({ ...emptyForm(), kind: 'staff', name: '王老师' }).number).toBe('请输入工号');
    expect(hasErrors(checkForm({ ...emptyForm(), name: '王', number: '1' }))).toBe(false);
  });

  it('refuses each text field longer than its FIELD_LIMITS entry, counting an emoji once', () => {
    const full = {
      ...emptyForm(),
      name: '😀'.repeat(FIELD_LIMITS.memberName),
      number: '1'.repeat(FIELD_LIMITS.memberNumber),
      phone: '1'.repeat(FIELD_LIMITS.phoneInput),
      title: '长'.repeat(FIELD_LIMITS.memberTitle),
      wecomUserId: 'w'.repeat(FIELD_LIMITS.wecomUserId),
    };
    expect(hasErrors(checkForm(full))).toBe(false);
    const over = checkForm({
      ...full,
      name: `${full.name}王`,
      number: `${full.number}1`,
      phone: `${full.phone}1`,
      title: `${full.title}长`,
      wecomUserId: `${full.wecomUserId}w`,
    });
    expect(over).toMatchObject({
      name: `姓名不超过 ${FIELD_LIMITS.memberName} 个字`,
      number: `学号/工号不超过 ${FIELD_LIMITS.memberNumber} 个字`,
      phone: `手机号不超过 ${FIELD_LIMITS.phoneInput} 个字`,
      title: `职务不超过 ${FIELD_LIMITS.memberTitle} 个字`,
      wecomUserId: `企业微信账号不超过 ${FIELD_LIMITS.wecomUserId} 个字`,
    });
  });

  it.each([
    [{ code: 'MEMBER_NUMBER_TAKEN', message: '' }, 'number'],
    [{ code: 'PHONE_INVALID', message: '' }, 'phone'],
    [{ code: 'MEMBER_WECOM_TAKEN', message: '' }, 'wecomUserId'],
    [{ code: 'INVALID_INPUT', message: '', field: 'member.title' }, 'title'],
    [{ code: 'INVALID_INPUT', message: '', field: 'member.unitIds[0]' }, 'units'],
    [{ code: 'INVALID_INPUT', message: '', field: 'rev' }, null],
    [{ code: 'MEMBER_STALE', message: '' }, null],
  ] as [AppError, string | null][])('puts %j on %s', (error, field) => {
    expect(fieldOfError(error)).toBe(field);
  });
});

describe('rosterSearchView (the people pickers of 发布通知, a room\'s approvers)', () => {
  const card = (i: number): MemberCard => ({ id: `m${i}`, name: `成员${i}`, number: `2024${String(i).padStart(4, '0')}` }) as MemberCard;

  it('marks who is chosen and says nothing more when every match is shown', () => {
    expect(rosterSearchView({ items: [card(1), card(2)], next: null }, ['m2'])).toEqual({
      results: [
        { id: 'm1', name: '成员1', label: '20240001', chosen: false },
        { id: 'm2', name: '成员2', label: '20240002', chosen: true },
      ],
      note: '',
    });
  });

  it('says when nobody matched, and when more matched than are shown', () => {
    expect(rosterSearchView({ items: [], next: null }, []).note).toBe('没有找到在册成员');
    const many = Array.from({ length: PICKER_RESULTS + 5 }, (_unused, i) => card(i));
    const view = rosterSearchView({ items: many, next: null }, []);
    expect(view.results).toHaveLength(PICKER_RESULTS);
    expect(view.note).toBe(`仅显示前 ${PICKER_RESULTS} 人，输入完整姓名或学号/工号可更快找到`);
    expect(rosterSearchView({ items: [card(1)], next: 'cursor' }, []).note).toBe('仅显示前 1 人，输入完整姓名或学号/工号可更快找到');
  });
});
