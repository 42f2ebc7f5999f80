/**
 * @jest-environment jsdom
 *
 * A notice as its reader opens it: the read is recorded and told to the inbox, the body with its
 * emphasis, attachments (images previewed, documents downloaded and opened, a stale link renewed
 * once), 确认收到, the reminder offer after reading, statistics for those who may see them, and
 * a notice that is gone.
 */
import type { AttachmentLink, NoticeDetail } from '../../typings';
import { renderPage, waitFor, type RenderedPage } from '../helpers/simulate';
import { fail, installBackend, installStorage, ok, storedSession, account, type FakeBackend, type Handlers } from './fake-backend';
import { answerPopups, fakeLocalPlatform, noticeDetail, subscriptions, template, wxNotice, type DownloadOptions } from './inbox-fixtures';
import { attributesOf, exists, trigger } from './page-helpers';

const DETAIL = 'pages/notice-detail/index';

function link(overrides: Partial<AttachmentLink>): AttachmentLink {
  return { fileId: 'cloud://env.b/notice-files/u1/a.pdf', name: '附件.pdf', size: 2048, kind: 'pdf', url: 'https://files.example/a.pdf?sign=1', ...overrides };
}

const photo1 = link({ fileId: 'f-img-1', name: '考场分布.jpg', kind: 'image', url: 'https://files.example/1.jpg?sign=1' });
const photo2 = link({ fileId: 'f-img-2', name: '座位表.png', kind: 'image', url: 'https://files.example/2.png?sign=1' });
const sheet = link({ fileId: 'f-xlsx', name: '报名表.xlsx', kind: 'excel', size: 1536 * 1024, url: 'https://files.example/form.xlsx?sign=1' });
const word = link({ fileId: 'f-word', name: '实施细则', kind: 'word', url: 'https://files.example/rules?sign=1' });

interface Opened {
  page: RenderedPage;
  backend: FakeBackend;
  /** What the page told the page that opened it. */
  told: { event: string; data: unknown }[];
}

async function open(notice: NoticeDetail | (() => ReturnType<typeof ok<NoticeDetail>> | ReturnType<typeof fail>), first: string, extra: Handlers = {}): Promise<Opened> {
  const backend = installBackend({
    open: typeof notice === 'function' ? notice : () => ok(notice),
    confirm: () => ok({ readAt: '2024-03-01 10:00', confirmedAt: '2024-03-01 10:05' }),
    'subscriptions.state': () => ok(subscriptions(template({ id: 'tpl-new', credits: 2 }))),
    ...extra,
  });
  const page = renderPage(DETAIL, { query: { id: 'n1' } });
  const told: Opened['told'] = [];
  // As WeChat gives a page opened by navigateTo with `events`: the inbox listens on the other end.
  (page.root as unknown as { instance: Record<string, unknown> }).instance.getOpenerEventChannel = () => ({
    emit: (event: string, data: unknown) => told.push({ event, data }),
  });
  await waitFor(() => page.queryByText(first), first);
  await backend.idle();
  return { page, backend, told };
}

let toast: jest.SpyInstance;
let navigate: jest.SpyInstance;
let title: jest.SpyInstance;

beforeEach(() => {
  installStorage(storedSession(account({ id: 'u-lin' }), Date.now()));
  toast = jest.spyOn(wxNotice, 'showToast').mockImplementation(() => undefined);
  navigate = jest.spyOn(wxNotice, 'navigateTo').mockImplementation(() => undefined);
  title = jest.spyOn(wxNotice, 'setNavigationBarTitle').mockImplementation(() => undefined);
  jest.spyOn(wxNotice, 'showLoading').mockImplementation(() => undefined);
  jest.spyOn(wxNotice, 'hideLoading').mockImplementation(() => undefined);
});

afterEach(() => jest.restoreAllMocks());

describe('opening a notice', () => {
  it('records the read, shows title, kind, author, time, edits, deadline and the body with its emphasis, and tells the inbox', async () => {
    const { page, backend, told } = await open(
      noticeDetail({ editedAt: '2024-03-02 08:00', deadline: '2099-03-05 18:00' }),
      '关于期末考试安排的通知',
    );

    expect(backend.callsOf('open')[0].request).toEqual({ noticeId: 'n1' });
    const text = page.text();
    expect(text).toContain('通知');
    expect(text).toContain('张老师');
    expect(text).toContain('2024-03-01 09:30');
    expect(text).toContain('已编辑 2024-03-02 08:00');
    expect(text).toContain('截止 2099-03-05 18:00');
    expect(text).toContain('各位同学：');
    expect(text).toContain('期末考试将于第 18 周进行。');
    expect(page.root.querySelectorAll('.paragraph')).toHaveLength(2);
    expect(page.root.querySelectorAll('.strong').map((piece) => piece.dom.textContent)).toEqual(['携带学生证']);
    expect(text).not.toContain('**');
    expect(attributesOf(page, '.paragraph__text', 'userSelect')).toEqual([true, true]);
    expect(title).toHaveBeenCalledWith({ title: '通知详情' });
    expect(told).toEqual([{ event: 'noticeRead', data: { noticeId: 'n1', confirmed: false } }]);
    expect(text).not.toContain('确认收到');
    expect(text).not.toContain('阅读统计');
    page.unmount();
  });

  it('shows an announcement as 公告, and a passed deadline as such', async () => {
    const { page } = await open(noticeDetail({ kind: 'announcement', deadline: '2020-01-01 12:00' }), '关于期末考试安排的通知');
    expect(page.text()).toContain('公告');
    expect(page.text()).toContain('截止 2020-01-01 12:00（已过）');
    expect(title).toHaveBeenCalledWith({ title: '公告详情' });
    page.unmount();
  });

  it('says the notice is gone when it does not exist or was recalled', async () => {
    const { page, told } = await open(() => fail('NOTICE_NOT_FOUND'), '该通知不存在或已撤回');
    expect(told).toEqual([]);
    expect(page.queryByText('重试')).toBeNull();
    page.unmount();
  });

  it('shows other failures with a retry that opens it', async () => {
    let failing = true;
    const { page, backend } = await open(() => (failing ? fail('NETWORK_ERROR') : ok(noticeDetail())), '网络异常，请稍后重试');
    failing = false;
    await page.tap('重试');
    await waitFor(() => page.queryByText('关于期末考试安排的通知'), 'the notice');
    expect(backend.callsOf('open')).toHaveLength(2);
    page.unmount();
  });

  it('marks a recalled notice for its author, with the statistics link but nothing to confirm nor any read to tell', async () => {
    const { page, told } = await open(
      noticeDetail({ status: 'recalled', requiresConfirm: true, receipt: null, canSeeStats: true, canManage: true }),
      '已撤回',
    );
    expect(page.queryByText('确认收到')).toBeNull();
    expect(told).toEqual([]);
    await page.tap('谁已读、谁未读，按单位查看');
    expect(navigate).toHaveBeenCalledWith({ url: '/pages/notice-readers/index?id=n1' });
    page.unmount();
  });
});

describe('attachments', () => {
  let download: jest.SpyInstance;
  let openDocument: jest.SpyInstance;

  /** Answers downloads by url: a temp path for the good ones, 403 (an expired link) for the rest. */
  function downloads(good: (url: string) => boolean) {
    download = jest.spyOn(wxNotice, 'downloadFile').mockImplementation((options: DownloadOptions) => {
      setTimeout(() => options.success?.(good(options.url) ? { statusCode: 200, tempFilePath: `wxfile://tmp/${options.url.length}` } : { statusCode: 403, tempFilePath: '' }), 0);
    });
  }

  beforeEach(() => {
    openDocument = jest.spyOn(wxNotice, 'openDocument').mockImplementation(() => undefined);
  });

  it('shows images as thumbnails and previews them among the notice\'s images', async () => {
    const preview = jest.spyOn(wxNotice, 'previewImage').mockImplementation(() => undefined);
    const { page } = await open(noticeDetail({ attachments: [photo1, sheet, photo2] }), '报名表.xlsx');

    expect(attributesOf(page, '.thumb', 'src')).toEqual([photo1.url, photo2.url]);
    expect(attributesOf(page, '.thumb', 'ariaLabel')).toEqual(['图片附件：考场分布.jpg，点按查看大图', '图片附件：座位表.png，点按查看大图']);
    await page.tap(page.root.querySelectorAll('.thumb')[1].dom);
    expect(preview).toHaveBeenCalledWith({ urls: [photo1.url, photo2.url], current: photo2.url });
    page.unmount();
  });

  it('renews the links before a preview once they are older than 25 minutes (they last 30)', async () => {
    const preview = jest.spyOn(wxNotice, 'previewImage').mockImplementation(() => undefined);
    const fresh = { ...photo1, url: 'https://files.example/1.jpg?sign=fresh' };
    let opened = 0;
    const clock = jest.spyOn(Date, 'now');
    const { page, backend } = await open(() => {
      opened += 1;
      return ok(noticeDetail({ attachments: [opened === 1 ? photo1 : fresh, photo2] }));
    }, '关于期末考试安排的通知');
    clock.mockReturnValue(Date.now() + 26 * 60_000);

    await page.tap(page.root.querySelectorAll('.thumb')[0].dom);
    await waitFor(() => preview.mock.calls.length === 1, 'the preview');
    expect(opened).toBe(2);
    expect(preview).toHaveBeenCalledWith({ urls: [fresh.url, photo2.url], current: fresh.url });
    await backend.idle();
    page.unmount();
  });

  it('renews the image links once when a thumbnail fails to load (its link expired)', async () => {
    const fresh = { ...photo1, url: 'https://files.example/1.jpg?sign=2' };
    let opened = 0;
    const { page, backend } = await open(() => {
      opened += 1;
      return ok(noticeDetail({ attachments: [opened === 1 ? photo1 : fresh] }));
    }, '关于期末考试安排的通知');

    await trigger(page, '.thumb', 'error', { errMsg: 'GET 403' });
    await waitFor(() => attributesOf(page, '.thumb', 'src')[0] === fresh.url, 'the fresh link');
    await trigger(page, '.thumb', 'error', { errMsg: 'GET 403' });
    await backend.idle();
    expect(backend.callsOf('open')).toHaveLength(2);
    page.unmount();
  });

  it('downloads a document and opens it with its type and the menu, its size shown', async () => {
    downloads(() => true);
    const { page } = await open(noticeDetail({ attachments: [sheet, word] }), '报名表.xlsx');
    expect(page.text()).toContain('1.5 MB');

    await page.tap('报名表.xlsx');
    await waitFor(() => openDocument.mock.calls.length === 1, 'the document to open');
    expect(download).toHaveBeenCalledWith(expect.objectContaining({ url: sheet.url }));
    expect(openDocument).toHaveBeenCalledWith(expect.objectContaining({ filePath: `wxfile://tmp/${sheet.url.length}`, fileType: 'xlsx', showMenu: true }));

    // A name without an extension opens by its kind.
    await page.tap('实施细则');
    await waitFor(() => openDocument.mock.calls.length === 2, 'the second document');
    expect(openDocument.mock.calls[1][0]).toEqual(expect.objectContaining({ fileType: 'docx', showMenu: true }));
    page.unmount();
  });

  it('opens the notice again for a fresh link when a download fails, and opens the document with it', async () => {
    const fresh = { ...sheet, url: 'https://files.example/form.xlsx?sign=2' };
    let opened = 0;
    downloads((url) => url === fresh.url);
    const { page, backend } = await open(() => {
      opened += 1;
      return ok(noticeDetail({ attachments: [opened === 1 ? sheet : fresh] }));
    }, '报名表.xlsx');

    await page.tap('报名表.xlsx');
    await waitFor(() => openDocument.mock.calls.length === 1, 'the document to open');
    expect(download.mock.calls.map((call) => call[0].url)).toEqual([sheet.url, fresh.url]);
    expect(backend.callsOf('open')).toHaveLength(2);
    expect(openDocument).toHaveBeenCalledWith(expect.objectContaining({ fileType: 'xlsx', showMenu: true }));
    page.unmount();
  });

  it('renews the link only once: a second failure says so and asks nothing more', async () => {
    downloads(() => false);
    const { page, backend } = await open(noticeDetail({ attachments: [sheet] }), '报名表.xlsx');

    await page.tap('报名表.xlsx');
    await waitFor(() => toast.mock.calls.some((call) => call[0].title === '附件下载失败，请稍后重试'), 'the failure');
    await backend.idle();
    expect(download).toHaveBeenCalledTimes(2);
    expect(backend.callsOf('open')).toHaveLength(2);
    expect(openDocument).not.toHaveBeenCalled();
    page.unmount();
  });
});

describe('确认收到', () => {
  it('confirms, shows 已确认 with the time, and tells the inbox', async () => {
    const { page, backend, told } = await open(noticeDetail({ requiresConfirm: true }), '确认收到');

    await page.tap('确认收到');
    await waitFor(() => page.queryByText('已确认 2024-03-01 10:05'), 'the confirmation');
    expect(backend.callsOf('confirm')[0].request).toEqual({ noticeId: 'n1' });
    expect(page.queryByText('确认收到')).toBeNull();
    expect(told[told.length - 1]).toEqual({ event: 'noticeRead', data: { noticeId: 'n1', confirmed: true } });
    expect(toast).toHaveBeenCalledWith(expect.objectContaining({ title: '已确认收到' }));
    page.unmount();
  });

  it('shows an earlier confirmation instead of the button', async () => {
    const { page } = await open(noticeDetail({ requiresConfirm: true, receipt: { readAt: '2024-03-01 10:00', confirmedAt: '2024-03-01 10:01' } }), '已确认 2024-03-01 10:01');
    expect(page.queryByText('确认收到')).toBeNull();
    page.unmount();
  });

  it('asks someone without a credit for reminders at the same tap, without waiting for the answer to confirm', async () => {
    const popup = jest.spyOn(wxNotice, 'requestSubscribeMessage').mockImplementation(() => undefined);
    const { page, backend } = await open(noticeDetail({ requiresConfirm: true }), '确认收到', {
      'subscriptions.state': () => ok(subscriptions(template({ id: 'tpl-new' }), template({ id: 'tpl-remind', purpose: 'remind' }))),
    });

    await page.tap('确认收到');
    // The popup was never answered: the confirmation went ahead all the same.
    await waitFor(() => page.queryByText('已确认 2024-03-01 10:05'), 'the confirmation');
    expect(popup).toHaveBeenCalledTimes(1);
    expect(popup.mock.calls[0][0].tmplIds).toEqual(['tpl-new', 'tpl-remind']);
    expect(backend.callsOf('subscriptions.record')).toHaveLength(0);
    page.unmount();
  });

  it('shows the failure and keeps the button when confirming fails', async () => {
    const { page } = await open(noticeDetail({ requiresConfirm: true }), '确认收到', { confirm: () => fail('NETWORK_ERROR') });
    await page.tap('确认收到');
    await waitFor(() => toast.mock.calls.length > 0, 'the failure');
    expect(toast).toHaveBeenCalledWith(expect.objectContaining({ title: '网络异常，请稍后重试' }));
    expect(page.getByText('确认收到')).toBeTruthy();
    page.unmount();
  });
});

describe('the reminder offer after reading', () => {
  it('offers 开启提醒 to someone without a credit, and takes it away once they accept', async () => {
    const popup = answerPopups({ 'tpl-new': 'accept' });
    const { page, backend } = await open(noticeDetail(), '通知未读时，可通过微信提醒你', {
      'subscriptions.state': () => ok(subscriptions(template({ id: 'tpl-new' }))),
      'subscriptions.record': () => ok(subscriptions(template({ id: 'tpl-new', credits: 1 }))),
    });
    fakeLocalPlatform();

    await page.tap('开启提醒');
    await waitFor(() => !page.queryByText('通知未读时，可通过微信提醒你'), 'the offer to go');
    expect(popup.mock.calls[0][0].tmplIds).toEqual(['tpl-new']);
    expect(backend.callsOf('subscriptions.record')[0].request).toEqual({ choices: { 'tpl-new': 'accept' } });
    expect(toast).toHaveBeenCalledWith(expect.objectContaining({ title: '剩余提醒 1 次' }));
    page.unmount();
  });

  it.each([
    ['someone with a credit', () => ok(subscriptions(template({ id: 'tpl-new', credits: 1 })))],
    ['anyone when reminders are not configured', () => fail('SUBSCRIBE_NOT_CONFIGURED')],
  ])('is not offered to %s', async (_who, state) => {
    const { page } = await open(noticeDetail(), '关于期末考试安排的通知', { 'subscriptions.state': state });
    expect(exists(page, '.prompt')).toBe(false);
    page.unmount();
  });
});
