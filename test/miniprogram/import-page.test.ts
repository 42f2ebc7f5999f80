/**
 * @jest-environment jsdom
 */
import type { ImportView } from '../../typings';
import { renderPage, waitFor, wx, type RenderedPage } from '../helpers/simulate';
import { account, fail, installBackend, installStorage, ok, storedSession, wxMore, type FakeBackend, type Handler, type Handlers, type UploadOptions } from './fake-backend';
import { classesOf, importView, item, pageOf, rowTexts, settled } from './org-fixtures';
import { textIn } from './page-helpers';
import './simulate-polyfills';

const IMPORT = 'packages/admin/pages/import/index';
const FILE_ID = 'cloud://local.bucket/imports/u-admin/1700000000000-roster.xlsx';

interface ChooseOptions {
  count: number;
  type: string;
  extension: string[];
  success?(res: { tempFiles: { path: string; name: string; size: number; type: string; time: number }[] }): void;
  fail?(err: { errMsg: string }): void;
}
const wxFiles = wx as unknown as { chooseMessageFile(options: ChooseOptions): void };

function chooses(name: string) {
  return jest.spyOn(wxFiles, 'chooseMessageFile').mockImplementation((options: ChooseOptions) => {
    setTimeout(() => options.success?.({ tempFiles: [{ path: 'wxfile://tmp/chosen', name, size: 2048, type: 'file', time: 0 }] }), 0);
  });
}

function uploads() {
  return jest.spyOn(wxMore, 'uploadFile').mockImplementation((options: UploadOptions) => {
    setTimeout(() => options.success?.({ statusCode: 200, data: JSON.stringify({ fileID: FILE_ID }) }), 0);
    return {};
  });
}

/** An upload that lands only when the test releases it, to look at the page while it is in flight. */
function heldUpload(): { release(): void } {
  let pending: UploadOptions | null = null;
  jest.spyOn(wxMore, 'uploadFile').mockImplementation((options: UploadOptions) => {
    pending = options;
    return {};
  });
  return {
    release() {
      pending?.success?.({ statusCode: 200, data: JSON.stringify({ fileID: FILE_ID }) });
    },
  };
}

/** Runs a page handler directly, as a tap the view delivered late would. */
function callPage(page: RenderedPage, method: string, event: unknown): void {
  const instance = (page.root as unknown as { instance: Record<string, (event: unknown) => unknown> }).instance;
  void instance[method](event);
}

/** The backend of these tests: the page also lists recent imports when it opens, empty unless a test says otherwise. */
function importBackend(handlers: Handlers): FakeBackend {
  return installBackend({ 'imports.list': () => pageOf([]), ...handlers });
}

/** Items of a preview by category. */
const items: Handler<'imports.items'> = (request) => {
  switch (request.category) {
    case 'add':
      return pageOf([item({ line: 2, name: '王五', number: '2023005' })]);
    case 'update':
      return pageOf([
        item({
          line: 3,
          category: 'update',
          name: '林一',
          number: '2023001',
          changes: [
            { field: 'phone', before: '+8613800000000', after: '+8613900000000' },
            { field: 'title', before: '', after: '班长' },
          ],
        }),
      ]);
    case 'invalid':
      return pageOf([
        item({
          line: 5,
          category: 'invalid',
          name: '赵六',
          number: '',
          reasons: [
            { code: 'NUMBER_MISSING', message: '缺少学号/工号' },
            { code: 'UNIT_UNKNOWN', message: '单位“计算机学院/不存在的班”不存在' },
          ],
        }),
      ]);
    default:
      return pageOf([]);
  }
};

async function previewed(handlers: Handlers, view: ImportView = importView()): Promise<{ page: RenderedPage; backend: FakeBackend }> {
  const backend = importBackend({ 'imports.preview': () => ok(view), 'imports.items': items, ...handlers });
  chooses('花名册 2024.xlsx');
  uploads();
  const page = renderPage(IMPORT);
  await page.tap('选择文件');
  await waitFor(() => page.queryByText('花名册 2024.xlsx'), 'the chosen file');
  await page.tap('上传并预览');
  await waitFor(() => page.queryByText('第 2 步：核对预览'), 'the preview');
  return { page, backend };
}

beforeEach(() => {
  installStorage(storedSession(account({ id: 'u-admin', roles: ['member', 'admin'] }), Date.now()));
});

afterEach(() => jest.restoreAllMocks());

describe('choosing and previewing a roster file', () => {
  it('uploads the chosen file under imports/<account>/, previews it and shows the counts', async () => {
    const backend = importBackend({ 'imports.preview': () => ok(importView()), 'imports.items': items });
    const choose = chooses('花名册 2024.xlsx');
    const upload = uploads();
    const page = renderPage(IMPORT);
    expect(page.text()).toContain('第 1 步：选择花名册文件');

    await page.tap('选择文件');
    await waitFor(() => page.queryByText('花名册 2024.xlsx'), 'the chosen file');
    expect(choose.mock.calls[0][0]).toMatchObject({ count: 1, type: 'file', extension: ['xlsx', 'csv'] });
    await page.tap('上传并预览');

    await waitFor(() => page.queryByText('第 2 步：核对预览'), 'the preview');
    expect(upload.mock.calls[0][0].formData?.cloudPath).toMatch(/^imports\/u-admin\/\d+-花名册_2024\.xlsx$/);
    expect(backend.callsOf('imports.preview').map((c) => c.request)).toEqual([
      { fileId: FILE_ID, fileName: '花名册 2024.xlsx', deactivateMissing: false },
    ]);
    expect(rowTexts(page, '.count')).toEqual(['3新增', '1更新', '0停用', '4无变化', '2无效']);
    expect(page.text()).toContain('共 10 行：新增 3，更新 1，停用 0，无变化 4，无效 2');
    await waitFor(() => page.queryByText('王五 · 2023005'), 'the added rows');
    expect(page.text()).toContain('第 2 行');
    expect(backend.callsOf('imports.items').map((c) => c.request)).toEqual([{ importId: 'imp-1', category: 'add' }]);
    page.unmount();
  });

  it("sends deactivateMissing when the switch is on, and warns about it; the whole row is the switch's tap target", async () => {
    const backend = importBackend({ 'imports.preview': () => ok(importView({ deactivateMissing: true })), 'imports.items': items });
    chooses('roster.csv');
    uploads();
    const page = renderPage(IMPORT);
    await page.tap('选择文件');
    await waitFor(() => page.queryByText('roster.csv'), 'the chosen file');
    expect(page.text()).not.toContain('都将被停用');

    await page.tap('停用名单中没有的成员');
    expect(page.text()).toContain('开启后，花名册中在册但名单里没有的成员都将被停用');
    // A tap on the switch itself toggles once, not twice (its tap reaches the row).
    await page.tap(page.root.querySelector('.deactivate-switch')?.dom.children[0] ?? '没有开关');
    expect(page.text()).not.toContain('都将被停用');
    await page.tap('停用名单中没有的成员');
    expect(page.text()).toContain('开启后，花名册中在册但名单里没有的成员都将被停用');
    await page.tap('上传并预览');

    await waitFor(() => backend.callsOf('imports.preview').length > 0, 'the preview call');
    expect(backend.callsOf('imports.preview')[0].request).toMatchObject({ fileName: 'roster.csv', deactivateMissing: true });
    page.unmount();
  });

  it.each(['IMPORT_FILE_INVALID', 'IMPORT_TOO_LARGE'] as const)("shows the server's message for %s and stays on step 1", async (code) => {
    importBackend({ 'imports.preview': () => fail(code, '第 1 行缺少“姓名”列') });
    chooses('roster.xlsx');
    uploads();
    const page = renderPage(IMPORT);
    await page.tap('选择文件');
    await waitFor(() => page.queryByText('roster.xlsx'), 'the chosen file');

    await page.tap('上传并预览');

    await waitFor(() => page.queryByText('第 1 行缺少“姓名”列'), 'the message');
    expect(page.text()).toContain('第 1 步');
    page.unmount();
  });

  it('says the upload failed without previewing when the upload fails', async () => {
    const backend = importBackend({});
    chooses('roster.xlsx');
    jest.spyOn(wxMore, 'uploadFile').mockImplementation((options: UploadOptions) => {
      setTimeout(() => options.fail?.({ errMsg: 'uploadFile:fail' }), 0);
      return {};
    });
    const page = renderPage(IMPORT);
    await page.tap('选择文件');
    await waitFor(() => page.queryByText('roster.xlsx'), 'the chosen file');

    await page.tap('上传并预览');

    await waitFor(() => page.queryByText('文件上传失败，请稍后重试'), 'the failure');
    expect(backend.calls.filter((c) => c.action !== 'imports.list')).toHaveLength(0);
    page.unmount();
  });
});

describe('the preview', () => {
  it('shows invalid rows with their line and reasons in the 无效 tab', async () => {
    const { page, backend } = await previewed({});

    await page.tap(textIn(page, '.item-tabs', '无效'));

    await waitFor(() => page.queryByText('第 5 行'), 'the invalid row');
    expect(page.text()).toContain('缺少学号/工号');
    expect(page.text()).toContain('单位“计算机学院/不存在的班”不存在');
    expect(backend.callsOf('imports.items').map((c) => c.request.category)).toEqual(['add', 'invalid']);
    page.unmount();
  });

  it('shows updates as field changes, before → after, with Chinese field names', async () => {
    const { page } = await previewed({});

    await page.tap(textIn(page, '.item-tabs', '更新'));

    await waitFor(() => page.text().includes('手机号：+8613800000000 → +8613900000000'), 'the change');
    expect(page.text()).toContain('职务：（空） → 班长');
    page.unmount();
  });

  it('disables 应用 when the file changes nothing', async () => {
    const { page, backend } = await previewed(
      {},
      importView({ counts: { rows: 4, add: 0, update: 0, deactivate: 0, unchanged: 4, invalid: 0 } }),
    );
    expect(page.text()).toContain('名单与花名册没有差异，无需应用');
    expect(classesOf(page, '.apply')).toContain('van-button--disabled');

    await page.tap(textIn(page, '.apply', '应用'));

    expect(await settled(page, backend)).toContain('第 2 步');
    expect(backend.callsOf('imports.apply')).toHaveLength(0);
    page.unmount();
  });
});

describe('recent imports', () => {
  it('lists the latest imports; tapping one left applying resumes it until applied', async () => {
    const left = importView({ id: 'imp-left', fileName: '上周花名册.xlsx', status: 'applying', progress: { done: 200, total: 800 } });
    const backend = importBackend({
      'imports.list': () => pageOf([left, importView({ id: 'imp-old', fileName: '旧名单.csv', status: 'applied', progress: { done: 4, total: 4 } })]),
      'imports.get': () => ok(left),
      'imports.apply': () => ok(importView({ ...left, status: 'applied', progress: { done: 800, total: 800 } })),
      'imports.items': () => pageOf([]),
    });
    const page = renderPage(IMPORT);
    await waitFor(() => page.queryByText('上周花名册.xlsx'), 'the recent imports');
    expect(page.text()).toContain('应用中 25%');
    expect(page.text()).toContain('已应用');

    await page.tap('上周花名册.xlsx');

    await waitFor(() => page.text().includes('导入完成'), 'the resumed import finishing');
    expect(backend.callsOf('imports.get').map((c) => c.request)).toEqual([{ importId: 'imp-left' }]);
    expect(backend.callsOf('imports.apply').map((c) => c.request)).toEqual([{ importId: 'imp-left' }]);
    page.unmount();
  });

  it('puts the newest import first and in plain sight when it was left applying', async () => {
    const left = importView({ id: 'imp-left', fileName: '上周花名册.xlsx', status: 'applying', progress: { done: 200, total: 800 } });
    const backend = importBackend({
      'imports.list': () => pageOf([left, importView({ id: 'imp-old', fileName: '旧名单.csv', status: 'applied' })]),
      'imports.get': () => ok(left),
      'imports.apply': () => ok(importView({ ...left, status: 'applied', progress: { done: 800, total: 800 } })),
    });
    const page = renderPage(IMPORT);

    await waitFor(() => page.queryByText('上次导入尚未完成：上周花名册.xlsx'), 'the pending import');
    expect(page.text().indexOf('上次导入尚未完成')).toBeLessThan(page.text().indexOf('第 1 步'));
    expect(page.getByText('应用中 25%，点此继续应用')).toBeTruthy();

    await page.tap('上次导入尚未完成：上周花名册.xlsx');

    await waitFor(() => page.text().includes('导入完成'), 'the resumed import finishing');
    expect(backend.callsOf('imports.apply').map((c) => c.request)).toEqual([{ importId: 'imp-left' }]);
    page.unmount();
  });

  it('says nothing is pending when the newest import is finished, even if an older one was left applying', async () => {
    importBackend({
      'imports.list': () =>
        pageOf([
          importView({ id: 'imp-new', fileName: '新名单.xlsx', status: 'applied' }),
          importView({ id: 'imp-left', fileName: '上周花名册.xlsx', status: 'applying', progress: { done: 200, total: 800 } }),
        ]),
    });
    const page = renderPage(IMPORT);

    await waitFor(() => page.queryByText('上周花名册.xlsx'), 'the recent imports');
    expect(page.text()).not.toContain('上次导入尚未完成');
    page.unmount();
  });

  it('hides the list while a file uploads and previews, and shows it again after', async () => {
    importBackend({
      'imports.list': () => pageOf([importView({ id: 'imp-old', fileName: '旧名单.csv', status: 'applied' })]),
      'imports.preview': () => fail('IMPORT_FILE_INVALID', '第 1 行缺少“姓名”列'),
    });
    chooses('roster.xlsx');
    const upload = heldUpload();
    const page = renderPage(IMPORT);
    await waitFor(() => page.queryByText('旧名单.csv'), 'the recent imports');
    await page.tap('选择文件');
    await waitFor(() => page.queryByText('roster.xlsx'), 'the chosen file');

    await page.tap('上传并预览');

    expect(page.text()).not.toContain('最近导入');
    expect(page.queryByText('旧名单.csv')).toBeNull();
    upload.release();
    await waitFor(() => page.queryByText('第 1 行缺少“姓名”列'), 'the preview failing');
    expect(page.getByText('旧名单.csv')).toBeTruthy();
    page.unmount();
  });

  it('drops a preview when another import was opened while it uploaded', async () => {
    const backend = importBackend({
      'imports.list': () => pageOf([importView({ id: 'imp-old', fileName: '旧名单.csv', status: 'applied', progress: { done: 4, total: 4 } })]),
      'imports.get': () => ok(importView({ id: 'imp-old', fileName: '旧名单.csv', status: 'applied', progress: { done: 4, total: 4 } })),
      'imports.preview': () => ok(importView({ id: 'imp-new' })),
      'imports.items': items,
    });
    chooses('roster.xlsx');
    const upload = heldUpload();
    const page = renderPage(IMPORT);
    await waitFor(() => page.queryByText('旧名单.csv'), 'the recent imports');
    await page.tap('选择文件');
    await waitFor(() => page.queryByText('roster.xlsx'), 'the chosen file');
    await page.tap('上传并预览');

    // A tap on the list that reached the page before the list was hidden (the view renders apart from the logic).
    callPage(page, 'onRecentTap', { currentTarget: { dataset: { id: 'imp-old' } } });
    await waitFor(() => page.text().includes('导入完成'), 'the other import');
    upload.release();

    expect(await settled(page, backend)).toContain('导入完成');
    expect(page.text()).not.toContain('第 2 步');
    expect(backend.callsOf('imports.preview')).toHaveLength(0);
    page.unmount();
  });
});

describe('applying', () => {
  it('calls imports.apply while the status is applying, showing the progress, then the result', async () => {
    const seen: string[] = [];
    let calls = 0;
    let page: RenderedPage | null = null;
    const steps = [
      importView({ status: 'applying', progress: { done: 1, total: 4 } }),
      importView({ status: 'applying', progress: { done: 3, total: 4 } }),
      importView({ status: 'applied', progress: { done: 4, total: 4 }, appliedAt: '2024-03-01 09:40' }),
    ];
    const opened = await previewed({
      'imports.apply': () => {
        seen.push(page?.text() ?? '');
        return ok(steps[calls++]);
      },
    });
    page = opened.page;

    await page.tap(textIn(page, '.apply', '应用'));

    await waitFor(() => page?.queryByText('导入完成：共应用 4 项变更（新增 3 人，更新 1 人，停用 0 人）'), 'the result');
    expect(opened.backend.callsOf('imports.apply').map((c) => c.request)).toEqual([
      { importId: 'imp-1' },
      { importId: 'imp-1' },
      { importId: 'imp-1' },
    ]);
    // What the page showed while each following call was on its way.
    expect(seen[1]).toContain('已应用 1 / 4');
    expect(seen[1]).toContain('25%');
    expect(seen[2]).toContain('已应用 3 / 4');
    expect(seen[2]).toContain('75%');
    expect(page.text()).not.toContain('跳过');
    page.unmount();
  });

  it('asks for confirmation before an import that deactivates members', async () => {
    const { page, backend } = await previewed(
      { 'imports.apply': () => ok(importView({ status: 'applied', progress: { done: 6, total: 6 } })) },
      importView({ deactivateMissing: true, counts: { rows: 10, add: 3, update: 1, deactivate: 2, unchanged: 4, invalid: 0 } }),
    );

    await page.tap(textIn(page, '.apply', '应用'));
    await waitFor(() => page.text().includes('将停用 2 名不在名单中的成员'), 'the confirmation');
    expect(backend.callsOf('imports.apply')).toHaveLength(0);

    await page.tap(textIn(page, '.apply-dialog', '应用'));

    await waitFor(() => page.text().includes('导入完成'), 'the result');
    expect(backend.callsOf('imports.apply')).toHaveLength(1);
    page.unmount();
  });

  it.each(['IMPORT_BUSY', 'BUSY_RETRY'] as const)('waits 2 s and asks again when the import answers %s', async (code) => {
    const realSetTimeout = global.setTimeout;
    const delays: number[] = [];
    jest.spyOn(global, 'setTimeout').mockImplementation(((fn: () => void, ms?: number) => {
      if (ms === 2000) {
        delays.push(ms);
        return realSetTimeout(fn, 0);
      }
      return realSetTimeout(fn, ms);
    }) as typeof setTimeout);
    let calls = 0;
    const { page, backend } = await previewed({
      'imports.apply': () => (++calls === 1 ? fail(code) : ok(importView({ status: 'applied', progress: { done: 4, total: 4 } }))),
    });

    await page.tap(textIn(page, '.apply', '应用'));

    await waitFor(() => page.text().includes('导入完成'), 'the result');
    expect(backend.callsOf('imports.apply')).toHaveLength(2);
    expect(delays).toEqual([2000]);
    page.unmount();
  });

  it('asks to preview again when the preview expired', async () => {
    const { page } = await previewed({ 'imports.apply': () => fail('IMPORT_EXPIRED') });

    await page.tap(textIn(page, '.apply', '应用'));

    await waitFor(() => page.queryByText('预览已过期，请重新上传并预览'), 'the message');
    expect(page.text()).toContain('第 1 步');
    expect(page.getByText('花名册 2024.xlsx')).toBeTruthy();
    page.unmount();
  });

  it('shows the skipped count and lists the skipped rows with why each was skipped', async () => {
    const skippedRow = item({
      line: 3,
      category: 'skipped',
      name: '林一',
      number: '2023001',
      reasons: [{ code: 'ROSTER_CHANGED', message: '预览后该成员已被修改或学号已被占用，未执行' }],
    });
    const { page, backend } = await previewed({
      'imports.apply': () => ok(importView({ status: 'applied', progress: { done: 4, total: 4 }, skipped: 1 })),
      'imports.items': (request, call) => (request.category === 'skipped' ? pageOf([skippedRow]) : items(request, call)),
    });

    await page.tap(textIn(page, '.apply', '应用'));
    await waitFor(() => page.queryByText('查看跳过的记录'), 'the skipped link');
    expect(page.getByText('导入完成：共应用 3 项变更')).toBeTruthy();
    expect(page.getByText('跳过 1 条，原因见下')).toBeTruthy();

    await page.tap('查看跳过的记录');

    await waitFor(() => page.text().includes('林一 · 2023001'), 'the skipped row');
    expect(rowTexts(page, '.skipped-item')).toEqual(['第 3 行林一 · 2023001预览后该成员已被修改或学号已被占用，未执行']);
    expect(backend.callsOf('imports.items').map((c) => c.request)).toContainEqual({ importId: 'imp-1', category: 'skipped' });
    page.unmount();
  });

  it('opened again with ?id= while applying, shows the progress and carries on', async () => {
    const backend = importBackend({
      'imports.get': () => ok(importView({ status: 'applying', progress: { done: 2, total: 4 } })),
      'imports.apply': () => ok(importView({ status: 'applied', progress: { done: 4, total: 4 } })),
    });
    backend.hold();
    const page = renderPage(IMPORT, { query: { id: 'imp-1' } });
    expect(page.text()).toContain('加载中');
    backend.release();

    await waitFor(() => page.text().includes('导入完成'), 'the result');
    expect(backend.calls.map((c) => [c.action, c.request])).toEqual([
      ['imports.get', { importId: 'imp-1' }],
      ['imports.apply', { importId: 'imp-1' }],
    ]);
    page.unmount();
  });

  it('tells the admin that leaving pauses the apply, and where to resume it', async () => {
    const backend = importBackend({
      'imports.get': () => ok(importView({ status: 'applying', progress: { done: 2, total: 4 } })),
      'imports.apply': () => ok(importView({ status: 'applied', progress: { done: 4, total: 4 } })),
    });
    backend.delay((call) => (call.action === 'imports.apply' ? 100 : 0));
    const page = renderPage(IMPORT, { query: { id: 'imp-1' } });
    await waitFor(() => page.text().includes('第 3 步'), 'the apply step');

    expect(page.getByText('离开本页会暂停，可在「最近导入」中继续')).toBeTruthy();
    expect(page.text()).not.toContain('不会中断');
    page.unmount();
  });

  it('stops the loop of an import once another import is shown', async () => {
    const other = importView({ id: 'imp-old', fileName: '旧名单.csv', status: 'applied', progress: { done: 4, total: 4 } });
    const backend = importBackend({
      'imports.get': (request) => ok(request.importId === 'imp-old' ? other : importView({ status: 'applying', progress: { done: 2, total: 4 } })),
      'imports.apply': () => ok(importView({ status: 'applying', progress: { done: 3, total: 4 } })),
      'imports.items': () => pageOf([]),
    });
    backend.delay((call) => (call.action === 'imports.apply' ? 60 : 0));
    const page = renderPage(IMPORT, { query: { id: 'imp-1' } });
    await waitFor(() => backend.callsOf('imports.apply').length === 1, 'the first apply call');

    // While that call is on its way, the page is made to show another import.
    callPage(page, 'onRecentTap', { currentTarget: { dataset: { id: 'imp-old' } } });

    await waitFor(() => page.text().includes('导入完成'), 'the other import');
    expect(await settled(page, backend)).not.toContain('第 3 步');
    expect(backend.callsOf('imports.apply').map((c) => c.request)).toEqual([{ importId: 'imp-1' }]);
    page.unmount();
  });

  it('stops calling once the page is left mid-apply', async () => {
    const backend = importBackend({
      'imports.get': () => ok(importView({ status: 'applying', progress: { done: 2, total: 4 } })),
      'imports.apply': () => ok(importView({ status: 'applying', progress: { done: 3, total: 4 } })),
    });
    const page = renderPage(IMPORT, { query: { id: 'imp-1' } });
    await waitFor(() => backend.callsOf('imports.apply').length >= 1, 'the apply loop');

    page.unmount();
    const count = backend.callsOf('imports.apply').length;
    // The call on its way when the page left may still land; none may follow it.
    await backend.idle();
    expect(backend.callsOf('imports.apply').length).toBeLessThanOrEqual(count + 1);
  });
});
