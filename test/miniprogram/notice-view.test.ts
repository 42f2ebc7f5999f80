/**
 * How notices are shown to readers, without a page: times in Shanghai whatever the phone's
 * zone, inbox rows and their tags, the body's paragraphs and emphasis, attachments' types and
 * sizes, what the detail offers, the badge, the offline copy's shape.
 */
import { requireBuilt } from '../helpers/simulate';
import { account } from './fake-backend';
import { inboxItem, noticeDetail } from './inbox-fixtures';

type View = typeof import('../../miniprogram/utils/notice-view');
const view = requireBuilt<View>('utils/notice-view');

/** 2024-03-01 09:30 in Shanghai is 01:30 UTC (tests run in New York, where it is still 29 February). */
const NOW = Date.UTC(2024, 2, 1, 1, 30);

describe('times', () => {
  it('reads the business day in Shanghai, not the host zone', () => {
    expect(view.businessTime(NOW)).toBe('2024-03-01 09:30');
  });

  it('shortens times by how near they are', () => {
    expect(view.shortTime('2024-03-01 08:05', NOW)).toBe('08:05');
    expect(view.shortTime('2024-02-29 23:59', NOW)).toBe('02-29 23:59');
    expect(view.shortTime('2023-12-31 10:00', NOW)).toBe('2023-12-31');
  });

  it('keeps the hour of a deadline', () => {
    expect(view.deadlineText('2024-03-01 18:00', NOW)).toBe('今天 18:00');
    expect(view.deadlineText('2024-03-05 18:00', NOW)).toBe('03-05 18:00');
    expect(view.deadlineText('2025-01-05 18:00', NOW)).toBe('2025-01-05 18:00');
  });
});

describe('inbox rows', () => {
  it('carry the unread dot, author and time, and a tag for each thing to know', () => {
    const row = view.inboxRow(
      inboxItem({ kind: 'announcement', requiresConfirm: true, deadline: '2024-03-05 18:00', edited: true, attachmentCount: 3, publishedAt: '2024-03-01 08:00' }),
      NOW,
    );
    expect(row.unread).toBe(true);
    expect(row.meta).toBe('张老师 · 08:00');
    expect(row.tags).toEqual([
      { text: '公告', type: 'primary' },
      { text: '需确认', type: 'warning' },
      { text: '03-05 18:00 截止', type: 'danger' },
      { text: '已编辑', type: 'default' },
      { text: '附件 3', type: 'default' },
    ]);
  });

  it('quiet a deadline that is met or passed', () => {
    const confirmed = view.inboxRow(inboxItem({ read: true, requiresConfirm: true, confirmed: true, deadline: '2024-03-05 18:00' }), NOW);
    expect(confirmed.unread).toBe(false);
    expect(confirmed.tags).toEqual([
      { text: '已确认', type: 'success' },
      { text: '03-05 18:00 截止', type: 'default' },
    ]);
    // Read but not confirmed: the deadline still asks for something.
    expect(view.inboxRow(inboxItem({ read: true, requiresConfirm: true, deadline: '2024-03-05 18:00' }), NOW).tags[1].type).toBe('danger');
    expect(view.inboxRow(inboxItem({ deadline: '2024-03-01 09:00' }), NOW).tags).toEqual([{ text: '已截止', type: 'default' }]);
  });

  it('lose the dot once read, and 需确认 once confirmed', () => {
    const row = view.inboxRow(inboxItem({ requiresConfirm: true }), NOW);
    expect(view.readRow(row, false)).toEqual({ ...row, unread: false });
    expect(view.readRow(row, true).tags).toEqual([{ text: '已确认', type: 'success' }]);
  });

  it('say why a tab is empty, and how blocked people are greeted', () => {
    expect(view.emptyInboxText('unread')).toBe('没有未读通知，全部看完了');
    expect(view.emptyInboxText('all')).toBe('暂时没有发给你的通知');
    expect(view.blockedView(account({ nickname: '小林' }), 'unbound')).toEqual({
      greeting: '你好，小林',
      organisation: '信通大学',
      hint: '绑定花名册后，这里会显示发给你的通知。',
      canBind: true,
    });
    expect(view.blockedView(account({ nickname: '小林' }), 'inactive').canBind).toBe(false);
  });

  it('offer publishing to publishers and admins only', () => {
    expect(view.canPublish(account({ roles: ['member', 'publisher'] }))).toBe(true);
    expect(view.canPublish(account({ roles: ['member', 'admin'] }))).toBe(true);
    expect(view.canPublish(account({ roles: ['member', 'observer'] }))).toBe(false);
  });

  it('put the count on the badge, 99+ past 99, and none at 0', () => {
    expect(view.badgeText(0)).toBeNull();
    expect(view.badgeText(7)).toBe('7');
    expect(view.badgeText(99)).toBe('99');
    expect(view.badgeText(100)).toBe('99+');
  });

  it('read the offline copy back only when it has the shape written', () => {
    const copy = { pinned: [], items: [inboxItem()] };
    expect(view.cachedInbox({ unread: copy }, 'unread')).toEqual(copy);
    expect(view.cachedInbox({ unread: copy }, 'all')).toBeNull();
    expect(view.cachedInbox('', 'unread')).toBeNull();
    expect(view.cachedInbox({ unread: { items: 'x' } }, 'unread')).toBeNull();
    expect(view.inboxCacheKey('u1')).toBe('xintong.inbox.u1');
  });
});

describe('the detail', () => {
  it('renders the body as paragraphs of selectable pieces: line breaks kept, emphasis apart, marks gone', () => {
    expect(view.bodyBlocks('第一行\n**重点**在此\r\n\n\n\n第二段 **加粗** 结束')).toEqual([
      [
        { text: '第一行\n', strong: false },
        { text: '重点', strong: true },
        { text: '在此', strong: false },
      ],
      [
        { text: '第二段 ', strong: false },
        { text: '加粗', strong: true },
        { text: ' 结束', strong: false },
      ],
    ]);
    expect(view.bodyBlocks('  \n ')).toEqual([]);
    expect(view.bodyBlocks('<a href="x">链接</a>')).toEqual([[{ text: '<a href="x">链接</a>', strong: false }]]);
  });

  it('opens documents with the type of their name, else of their kind', () => {
    expect(view.documentType({ name: '报名表.XLSX', kind: 'excel' })).toBe('xlsx');
    expect(view.documentType({ name: '旧表格.xls', kind: 'excel' })).toBe('xls');
    expect(view.documentType({ name: '说明.doc', kind: 'word' })).toBe('doc');
    expect(view.documentType({ name: '课件.ppt', kind: 'powerpoint' })).toBe('ppt');
    expect(view.documentType({ name: '实施细则', kind: 'word' })).toBe('docx');
    expect(view.documentType({ name: '幻灯片', kind: 'powerpoint' })).toBe('pptx');
    expect(view.documentType({ name: 'scan', kind: 'pdf' })).toBe('pdf');
    expect(view.documentType({ name: '照片.jpg', kind: 'image' })).toBeNull();
  });

  it('says sizes plainly', () => {
    expect(view.sizeText(900)).toBe('900 B');
    expect(view.sizeText(2048)).toBe('2 KB');
    expect(view.sizeText(10 * 1024 * 1024)).toBe('10.0 MB');
  });

  it('offers 确认收到 only to someone in the audience who has not confirmed a published notice', () => {
    const asked = noticeDetail({ requiresConfirm: true });
    expect(view.detailView(asked, NOW).canConfirm).toBe(true);
    expect(view.detailView({ ...asked, receipt: null }, NOW).canConfirm).toBe(false);
    expect(view.detailView({ ...asked, status: 'recalled' }, NOW).canConfirm).toBe(false);
    const done = view.detailView({ ...asked, receipt: { readAt: '2024-03-01 09:00', confirmedAt: '2024-03-01 09:10' } }, NOW);
    expect(done.canConfirm).toBe(false);
    expect(done.confirmedText).toBe('已确认 2024-03-01 09:10');
    expect(view.detailView(noticeDetail(), NOW).canConfirm).toBe(false);
  });

  it('links the statistics for those who may see them, with the id encoded', () => {
    expect(view.detailView(noticeDetail({ id: 'n 1', canSeeStats: true }), NOW).statsUrl).toBe('/pages/notice-readers/index?id=n%201');
    expect(view.detailView(noticeDetail(), NOW).statsUrl).toBe('');
    expect(view.detailUrl('a&b')).toBe('/pages/notice-detail/index?id=a%26b');
  });

  it('marks states other than published, and a passed deadline', () => {
    expect(view.detailView(noticeDetail({ status: 'recalled' }), NOW).statusText).toBe('已撤回');
    expect(view.detailView(noticeDetail({ status: 'published' }), NOW).statusText).toBe('');
    expect(view.detailView(noticeDetail({ deadline: '2024-03-01 09:00' }), NOW)).toEqual(expect.objectContaining({ deadline: '截止 2024-03-01 09:00', deadlinePassed: true }));
    expect(view.detailView(noticeDetail({ deadline: '2024-03-01 10:00' }), NOW).deadlinePassed).toBe(false);
  });
});

describe('a body of many short paragraphs or bold pieces', () => {
  it('stays within the blocks and pieces the page can draw, losing no text', () => {
    const names = Array.from({ length: 600 }, (_, i) => `**成员${i}**`).join('\n\n');
    const blocks = view.bodyBlocks(names);
    expect(blocks.length).toBeLessThanOrEqual(view.BODY_MAX_BLOCKS);
    expect(blocks.reduce((sum, block) => sum + block.length, 0)).toBeLessThanOrEqual(view.BODY_MAX_PIECES);
    const text = blocks.map((block) => block.map((piece) => piece.text).join('')).join('\n\n');
    expect(text.replace(/\s+/g, ' ')).toBe(Array.from({ length: 600 }, (_, i) => `成员${i}`).join(' '));
  });
});
