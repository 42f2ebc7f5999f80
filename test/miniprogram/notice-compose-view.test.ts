import { FIELD_LIMITS } from '../../typings/limits';
import type { AppError } from '../../typings';
import {
  acceptFiles,
  attachmentDisplayName,
  attachmentKindOf,
  audienceInputOf,
  businessNow,
  checkCompose,
  composeFormOf,
  emptyComposeForm,
  fieldOfNoticeError,
  fileSizeText,
  imageName,
  mineRow,
  noticeInputOf,
  previewParagraphs,
  reachView,
  uploadingRow,
  type ComposeForm,
} from '../../miniprogram/utils/notice-compose-view';
import { managed, noticeInput, reachOf } from './notice-fixtures';

const form = (overrides: Partial<ComposeForm> = {}): ComposeForm => ({ ...emptyComposeForm(), title: '通知', ...overrides });
const college = [{ id: 'college-1', name: '计算机学院', pieces: ['计算机学院'] }];
const person = [{ id: 'm1', name: '林一', number: '2023001' }];
const NOW = '2024-06-01 10:00';

describe('business time', () => {
  it('is Shanghai time whatever zone the phone is in (tests run in New York)', () => {
    // 2024-06-01 16:30 UTC is 2024-06-02 00:30 in Shanghai.
    expect(businessNow(Date.UTC(2024, 5, 1, 16, 30))).toBe('2024-06-02 00:30');
  });
});

describe('attachments chosen on the device', () => {
  it.each([
    ['报名表.XLSX', 'excel'],
    ['a.docx', 'word'],
    ['slides.ppt', 'powerpoint'],
    ['scan.pdf', 'pdf'],
    ['wxfile://tmp/abc.jpeg', 'image'],
    ['setup.exe', null],
    ['noextension', null],
  ])('%s is %s', (name, kind) => {
    expect(attachmentKindOf(name)).toBe(kind);
  });

  it('refuses files over 10 MB, of other kinds, and past the room left, saying which', () => {
    const outcome = acceptFiles(
      [
        { path: 'p1', name: '大.pdf', size: FIELD_LIMITS.attachmentBytes + 1 },
        { path: 'p2', name: '刚好.pdf', size: FIELD_LIMITS.attachmentBytes },
        { path: 'p3', name: '程序.exe', size: 10 },
        { path: 'p4', name: '多.docx', size: 10 },
      ],
      1,
    );
    expect(outcome.accepted).toEqual([{ path: 'p2', name: '刚好.pdf', size: FIELD_LIMITS.attachmentBytes, kind: 'pdf' }]);
    expect(outcome.refusal).toBe('「大.pdf」超过 10 MB，不能作为附件；「程序.exe」不是图片、PDF、Word、Excel 或 PPT 文件；最多 9 个附件，1 个未添加');
  });

  it('keeps a long name within FIELD_LIMITS.attachmentName with its extension', () => {
    const name = attachmentDisplayName(`${'很长'.repeat(60)}.xlsx`);
    expect(Array.from(name)).toHaveLength(FIELD_LIMITS.attachmentName);
    expect(name.endsWith('.xlsx')).toBe(true);
  });

  it('names photos by number with their extension', () => {
    expect(imageName('wxfile://tmp/abc.PNG', 3)).toBe('图片3.png');
    expect(imageName('wxfile://tmp/abc', 1)).toBe('图片1.jpg');
  });

  it.each([
    [512, '512 B'],
    [20 * 1024, '20 KB'],
    [1536 * 1024, '1.5 MB'],
    [FIELD_LIMITS.attachmentBytes, '10 MB'],
  ])('%i bytes read as %s', (bytes, text) => {
    expect(fileSizeText(bytes)).toBe(text);
  });
});

describe('the request built from the form', () => {
  it('sends only finished uploads, 全体 alone, people only on a 通知, and the pin only on a 公告', () => {
    const done = { ...uploadingRow('k1', { path: 'p', name: 'a.pdf', size: 10, kind: 'pdf' }), status: 'done' as const, fileId: 'cloud://x/a.pdf' };
    const failed = { ...uploadingRow('k2', { path: 'q', name: 'b.pdf', size: 10, kind: 'pdf' }), status: 'failed' as const };
    const input = noticeInputOf(form({ pinned: true, deadlineDate: '2024-06-20', deadlineTime: '17:00' }), [done, failed], college, person);
    expect(input).toEqual({
      kind: 'notice',
      title: '通知',
      body: '',
      attachments: [{ fileId: 'cloud://x/a.pdf', name: 'a.pdf', size: 10 }],
      audience: { all: false, unitIds: ['college-1'], memberIds: ['m1'] },
      requiresConfirm: false,
      deadline: '2024-06-20 17:00',
      pinned: false,
      scheduledAt: null,
    });
    expect(audienceInputOf(form({ kind: 'announcement' }), college, person)).toEqual({ all: false, unitIds: ['college-1'], memberIds: [] });
    expect(audienceInputOf(form({ all: true }), college, person)).toEqual({ all: true, unitIds: [], memberIds: [] });
  });

  it('reads a saved input back into the same form', () => {
    const input = noticeInput({ kind: 'announcement', pinned: true, deadline: '2024-06-20 17:00', scheduledAt: '2024-06-10 08:00' });
    expect(noticeInputOf(composeFormOf(input), [], college, [])).toEqual({ ...input, audience: { all: false, unitIds: ['college-1'], memberIds: [] } });
  });
});

describe('checks before saving', () => {
  const audience = { all: false, unitIds: ['college-1'], memberIds: [] };
  const nobody = { all: false, unitIds: [], memberIds: [] };

  it('asks nothing of a draft but what fits, and a title of a publish', () => {
    expect(checkCompose(form({ title: ' ' }), [], nobody, 'draft', NOW)).toEqual({ title: '', body: '', attachments: '', audience: '', deadline: '', schedule: '' });
    expect(checkCompose(form({ title: ' ' }), [], audience, 'publish', NOW).title).toBe('请输入标题');
  });

  it('counts characters as people do', () => {
    const long = '😀'.repeat(FIELD_LIMITS.noticeTitle);
    expect(checkCompose(form({ title: long }), [], audience, 'publish', NOW).title).toBe('');
    expect(checkCompose(form({ title: `${long}a` }), [], audience, 'publish', NOW).title).toBe(`标题不超过 ${FIELD_LIMITS.noticeTitle} 个字`);
  });

  it('wants an audience, times ahead, and a deadline after the scheduled time', () => {
    expect(checkCompose(form(), [], nobody, 'publish', NOW).audience).toBe('请选择发送范围');
    expect(checkCompose(form({ deadlineDate: '2024-06-01', deadlineTime: '09:00' }), [], audience, 'publish', NOW).deadline).toBe('截止时间需晚于现在');
    const scheduled = form({ scheduled: true, scheduleDate: '2024-06-05', scheduleTime: '08:00', deadlineDate: '2024-06-04', deadlineTime: '18:00' });
    expect(checkCompose(scheduled, [], audience, 'publish', NOW)).toMatchObject({ schedule: '', deadline: '截止时间需晚于发布时间' });
    expect(checkCompose(form({ scheduled: true }), [], audience, 'publish', NOW).schedule).toBe('请选择定时发布的时间');
  });
});

describe('backend errors on their fields', () => {
  it.each([
    [{ code: 'CONTENT_RISKY', message: '', field: 'input.title' }, 'title'],
    [{ code: 'CONTENT_RISKY', message: '', field: 'changes.body' }, 'body'],
    [{ code: 'INVALID_INPUT', message: '', field: 'input.attachments[2].name' }, 'attachments'],
    [{ code: 'INVALID_INPUT', message: '', field: 'input.audience.unitIds[0]' }, 'audience'],
    [{ code: 'INVALID_INPUT', message: '', field: 'input.scheduledAt' }, 'schedule'],
    [{ code: 'INVALID_INPUT', message: '', field: 'input.deadline' }, 'deadline'],
    [{ code: 'NOTICE_AUDIENCE_EMPTY', message: '' }, 'audience'],
    [{ code: 'INVALID_INPUT', message: '', field: 'requestId' }, null],
    [{ code: 'BUSY_RETRY', message: '' }, null],
  ] as [AppError, string | null][])('%o belongs to %s', (error, field) => {
    expect(fieldOfNoticeError(error)).toBe(field);
  });
});

describe('the reach, the preview and 我发布的', () => {
  it('reads the reach per unit and for chosen people outside them', () => {
    expect(reachView(reachOf({ members: { total: 2, withPhone: 1 } }))).toEqual({
      total: '共 120 人，其中 100 人有手机号',
      rows: [
        { id: 'college-1', pieces: ['计算机学院'], value: '120 人 · 100 人有手机号' },
        { id: 'members', pieces: ['指定成员（不含以上单位中的）'], value: '2 人 · 1 人有手机号' },
      ],
      more: '',
    });
  });

  it('cuts the body into paragraphs, lines and emphasis as readers see it', () => {
    expect(previewParagraphs('一\n**二**三\n\n\n四').map((p) => p.lines.map((l) => l.segments.map((s) => (s.strong ? `[${s.text}]` : s.text)).join('')))).toEqual([
      ['一', '[二]三'],
      ['四'],
    ]);
  });

  it('shows counts once published, and only the actions a status allows', () => {
    const row = mineRow(managed({ status: 'published', publishedAt: '2024-06-01 10:00', counts: { audience: 5, read: 3, confirmed: 1, unread: 2 } }), true);
    expect(row).toMatchObject({ countsText: '已读 3/5 · 确认 1', authorText: '发布人 王老师', canEdit: true, canRecall: true, canDelete: false, canSeeStats: true });
    expect(mineRow(managed({ status: 'draft' }), false)).toMatchObject({ countsText: '', authorText: '', canDelete: true, canRecall: false, canSeeStats: false });
    expect(mineRow(managed({ status: 'recalled', recalledAt: '2024-06-02 09:00' }), false)).toMatchObject({ timeText: '撤回于 2024-06-02 09:00', canEdit: false, canRecall: false });
  });
});

describe('editing a published notice after its deadline', () => {
  it('keeps the passed deadline: only a new notice must end in the future', () => {
    const passed = form({ title: '选举报名', deadlineDate: '2025-09-03', deadlineTime: '18:00' });
    const everyone = { all: true, unitIds: [], memberIds: [] };
    expect(checkCompose(passed, [], everyone, 'edit', '2025-09-05 10:00').deadline).toBe('');
    expect(checkCompose(passed, [], everyone, 'publish', '2025-09-05 10:00').deadline).toBe('截止时间需晚于现在');
  });
});
