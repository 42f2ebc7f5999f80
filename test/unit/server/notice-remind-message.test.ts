/**
 * The values a reminder puts into a subscribe-message template: cut to the keyword's limit,
 * and a time keyword always given a time (the platform refuses text there with 47003).
 */
import type { TemplateConfig } from '../../../server/notice/config';
import { keywordValue, messageData } from '../../../server/notice/remind';
import type { NoticeDoc } from '../../../server/notice/model';

const template: TemplateConfig = {
  id: 't',
  kind: 'one-time',
  purpose: 'remind',
  fields: { thing1: 'title', time2: 'deadline', thing3: 'deadline', name4: 'author', thing5: 'hint' },
};

function notice(overrides: Partial<NoticeDoc>): NoticeDoc {
  return {
    title: '关于2026-2027学年第一学期期末考试安排的通知',
    authorName: '欧阳教务处主任办公室',
    deadline: null,
    publishedAt: new Date('2026-12-01T02:00:00Z'),
    createdAt: new Date('2026-12-01T01:00:00Z'),
    kind: 'notice',
    ...overrides,
  } as NoticeDoc;
}

test('values are cut to their keyword with an ellipsis, spaces collapsed', () => {
  expect(keywordValue('thing1', '一二三四五六七八九十一二三四五六七八九十一')).toBe('一二三四五六七八九十一二三四五六七八九…');
  expect(keywordValue('name2', '欧阳教务处主任办公室主任')).toBe('欧阳教务处主任办公…');
  expect(keywordValue('thing1', '  期末   考试 ')).toBe('期末 考试');
  expect(keywordValue('thing1', '')).toBe('-');
});

test('a deadline in Shanghai time; without one, a time keyword gets the publishing time and a text keyword says so', () => {
  const withDeadline = messageData(template, notice({ deadline: new Date('2026-12-03T10:00:00Z') }), 'unread');
  expect(withDeadline.time2.value).toBe('2026-12-03 18:00');
  const without = messageData(template, notice({}), 'unconfirmed');
  expect(without.time2.value).toBe('2026-12-01 10:00');
  expect(without.thing3.value).toBe('无截止时间');
  expect(without.thing5.value).toBe('请打开信通确认收到');
  expect([...without.thing1.value]).toHaveLength(20);
});
