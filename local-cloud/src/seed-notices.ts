/**
 * Demo notices for the local cloud's first start, so the inbox and the statistics show
 * something: notices and an announcement with reads and confirmations spread over the
 * classes, one past its deadline, a draft and a scheduled one. Written with the same document
 * builders the notice function uses (server/notice), so they are what a publish would leave.
 */
import { bodyExcerpt } from '../../typings/notice-body';
import { receiptFor } from '../../server/notice/fanout';
import { listKey, type NoticeDoc, type ReceiptDoc, NOTICES, RECEIPTS } from '../../server/notice/model';
import { ROOT_UNIT_ID, type MemberDoc, type UnitDoc } from '../../server/org/model';
import { UnitTree } from '../../server/org/tree';
import type { DbEngine } from './db/engine';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface DemoFile {
  cloudPath: string;
  fileId: string;
  content: Buffer;
  contentType: string;
}

interface DemoNotice {
  id: string;
  kind: NoticeDoc['kind'];
  status: NoticeDoc['status'];
  title: string;
  body: string;
  audience: NoticeDoc['audience'];
  requiresConfirm: boolean;
  pinned: boolean;
  /** Hours before now it was published (or, scheduled, after now it will be). */
  hoursAgo: number;
  deadlineHours: number | null;
  /** Share of the audience that read it, and of those that confirmed. */
  readShare: number;
  confirmShare: number;
  attachments?: { name: string; file: string }[];
  editedHoursAgo?: number;
}

const NOTICES_TO_SEED: readonly DemoNotice[] = [
  {
    id: 'n_demo_exam',
    kind: 'notice',
    status: 'published',
    title: '关于本学期期末考试安排的通知',
    body: '各位同学：\n\n本学期期末考试将于**第 18 周**进行，请登录教务系统核对个人考试安排，考场与座位号以附件为准。\n\n请于**考试前一周**完成确认，如有冲突请联系辅导员。\n\n教务处',
    audience: { all: false, unitIds: ['u_demo_cs'], memberIds: [] },
    requiresConfirm: true,
    pinned: false,
    hoursAgo: 26,
    deadlineHours: 72,
    readShare: 0.72,
    confirmShare: 0.6,
    attachments: [{ name: '期末考试考场安排.pdf', file: 'exam-rooms.pdf' }],
    editedHoursAgo: 20,
  },
  {
    id: 'n_demo_library',
    kind: 'announcement',
    status: 'published',
    title: '图书馆寒假开放时间调整',
    body: '寒假期间图书馆开放时间调整为每日 9:00-17:00，周一闭馆。\n\n电子资源照常开放。',
    audience: { all: true, unitIds: [], memberIds: [] },
    requiresConfirm: false,
    pinned: true,
    hoursAgo: 72,
    deadlineHours: null,
    readShare: 0.45,
    confirmShare: 0,
  },
  {
    id: 'n_demo_election',
    kind: 'notice',
    status: 'published',
    title: '学生会换届选举报名',
    body: '有意参加学生会换届选举的同学，请在截止时间前填写报名表并交至班长处。',
    audience: { all: false, unitIds: ['u_demo_se2301', 'u_demo_math2301'], memberIds: [] },
    requiresConfirm: true,
    pinned: false,
    hoursAgo: 120,
    deadlineHours: 96,
    readShare: 0.55,
    confirmShare: 0.7,
  },
  {
    id: 'n_demo_checkup',
    kind: 'notice',
    status: 'published',
    title: '教职工年度体检安排',
    body: '年度体检将于下周二上午在校医院进行，请空腹前往。',
    audience: { all: false, unitIds: ['u_demo_admin'], memberIds: ['m_demo_counsellor'] },
    requiresConfirm: false,
    pinned: false,
    hoursAgo: 2,
    deadlineHours: null,
    readShare: 0,
    confirmShare: 0,
  },
  {
    id: 'n_demo_meeting',
    kind: 'notice',
    status: 'draft',
    title: '下周班会安排',
    body: '班会主题：寒假安全教育。',
    audience: { all: false, unitIds: ['u_demo_se2301'], memberIds: [] },
    requiresConfirm: false,
    pinned: false,
    hoursAgo: 1,
    deadlineHours: null,
    readShare: 0,
    confirmShare: 0,
  },
  {
    id: 'n_demo_holiday',
    kind: 'notice',
    status: 'scheduled',
    title: '2027 年寒假放假通知',
    body: '根据校历，寒假自 1 月 18 日开始，2 月 24 日返校报到。',
    audience: { all: true, unitIds: [], memberIds: [] },
    requiresConfirm: true,
    pinned: false,
    hoursAgo: -24,
    deadlineHours: 96,
    readShare: 0,
    confirmShare: 0,
  },
];

/** People who read (and confirm) are chosen by a stable hash of the pair, so every start looks the same. */
function picked(noticeId: string, memberId: string, share: number, salt: string): boolean {
  let hash = 2166136261;
  for (const char of `${salt}:${noticeId}:${memberId}`) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0;
  return hash / 0xffffffff < share;
}

/** A one-page PDF saying what it is: enough for wx.openDocument to show. */
function demoPdf(): Buffer {
  const text = 'Xintong demo attachment: exam rooms';
  const stream = `BT /F1 18 Tf 60 760 Td (${text}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, index) => {
    offsets.push(body.length);
    body += `${index + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

export function seedNotices(engine: DbEngine, now: Date, fileIdOf: (cloudPath: string) => string): DemoFile[] {
  const units = engine.find('units', { limit: 1000 }) as unknown as UnitDoc[];
  const members = (engine.find('members', { limit: 1000 }) as unknown as MemberDoc[]).filter((m) => m.active);
  const snapshot = new UnitTree('demo', units);
  const author = members.find((m) => m._id === 'm_demo_admin');
  const files: DemoFile[] = [];
  const notices: NoticeDoc[] = [];
  const receipts: ReceiptDoc[] = [];
  for (const demo of NOTICES_TO_SEED) {
    const at = new Date(now.getTime() - demo.hoursAgo * HOUR);
    const published = demo.status === 'published';
    const attachments = (demo.attachments ?? []).map((a) => {
      const cloudPath = `notice-files/demo-admin/${a.file}`;
      const content = demoPdf();
      files.push({ cloudPath, fileId: fileIdOf(cloudPath), content, contentType: 'application/pdf' });
      return { fileId: fileIdOf(cloudPath), name: a.name, size: content.length, kind: 'pdf' as const };
    });
    const doc: NoticeDoc = {
      _id: demo.id,
      kind: demo.kind,
      status: demo.status,
      title: demo.title,
      body: demo.body,
      excerpt: bodyExcerpt(demo.body),
      attachments,
      audience: demo.audience,
      audienceKeys: demo.kind === 'announcement' ? (demo.audience.all ? ['*'] : demo.audience.unitIds) : [],
      reachKeys: snapshot.ancestorKeys([...demo.audience.unitIds, ...members.filter((m) => demo.audience.memberIds.includes(m._id)).flatMap((m) => m.unitIds)]),
      requiresConfirm: demo.requiresConfirm,
      deadline: demo.deadlineHours === null ? null : new Date(at.getTime() + demo.deadlineHours * HOUR),
      pinned: demo.pinned,
      scheduledAt: demo.status === 'scheduled' ? at : null,
      authorId: 'demo-admin',
      authorName: author?.name ?? '演示管理员',
      requestId: published ? `demo-${demo.id}` : null,
      rev: 'demo',
      version: demo.editedHoursAgo ? 2 : 1,
      createdAt: published ? at : new Date(now.getTime() - DAY),
      updatedAt: demo.editedHoursAgo ? new Date(now.getTime() - demo.editedHoursAgo * HOUR) : at,
      publishedAt: published ? at : null,
      editedAt: demo.editedHoursAgo ? new Date(now.getTime() - demo.editedHoursAgo * HOUR) : null,
      recalledAt: null,
      listKey: published ? listKey(demo.pinned, at, demo.id) : null,
      leaseUntil: null,
      audienceSize: 0,
      receiptsPending: false,
      remindedAt: null,
    };
    if (published) {
      const inUnits = new Set(demo.audience.all ? snapshot.subtreeIds(ROOT_UNIT_ID) : demo.audience.unitIds.flatMap((id) => snapshot.subtreeIds(id)));
      const audience = members.filter((m) => demo.audience.all || m.unitIds.some((id) => inUnits.has(id)) || demo.audience.memberIds.includes(m._id));
      doc.audienceSize = audience.length;
      for (const person of audience) {
        const receipt = receiptFor(doc, person, snapshot, at);
        // The demo people who sign in: 张三 has read the exam notice but not confirmed it, and nothing else.
        const isDemoPerson = ['m_demo_1', 'm_demo_2', 'm_demo_3', 'm_demo_admin'].includes(person._id);
        const reads = isDemoPerson ? person._id === 'm_demo_1' && demo.id === 'n_demo_exam' : picked(demo.id, person._id, demo.readShare, 'read');
        if (reads) {
          const readSeconds = 300 + Math.floor(((picked(demo.id, person._id, 0.5, 'fast') ? 0.1 : 0.6) * demo.hoursAgo * HOUR) / 1000);
          const readAt = new Date(Math.min(now.getTime(), at.getTime() + readSeconds * 1000));
          receipt.readAt = readAt;
          receipt.readSeconds = Math.round((readAt.getTime() - at.getTime()) / 1000);
          if (demo.requiresConfirm && !isDemoPerson && picked(demo.id, person._id, demo.confirmShare, 'confirm')) receipt.confirmedAt = new Date(Math.min(now.getTime(), readAt.getTime() + 120_000));
        }
        receipts.push(receipt);
      }
    }
    notices.push(doc);
  }
  engine.insertDocuments(NOTICES, notices as unknown as Record<string, unknown>[]);
  engine.insertDocuments(RECEIPTS, receipts as unknown as Record<string, unknown>[]);
  return files;
}
