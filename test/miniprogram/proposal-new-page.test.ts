/**
 * @jest-environment jsdom
 *
 * 提交提案: the active categories with their descriptions, title and content within their limits
 * with counters, images uploaded at once into the submission's folder with their progress (a
 * failure retried, any removed, the submit waiting for them), the anonymous switch and what it
 * means, one request id per submission (kept on a retry, new after success), the server's
 * refusals on their fields, the status-message popup on the tap, and the proposal it made.
 */
import { randomBytes } from 'node:crypto';
import { FIELD_LIMITS } from '../../typings/limits';
import { PROPOSAL_REQUEST_ID } from '../../typings/proposal-rules';
import type { ProposalInput } from '../../typings';
import { renderPage, waitFor, wx, type RenderedPage } from '../helpers/simulate';
import { account, fail, heldUploads, installBackend, installStorage, ok, storedSession, wxMore, type Call, type FakeBackend, type Handlers } from './fake-backend';
import { answerPopups, fakeLocalPlatform, subscriptions, template } from './inbox-fixtures';
import { attributeOf, exists, textIn, trigger } from './page-helpers';
import { category, proposalView } from './proposal-fixtures';
import './simulate-polyfills';

const NEW = 'pages/proposal-new/index';

const wxForm = wx as unknown as {
  chooseMedia(options: { count: number; success?(res: { tempFiles: { tempFilePath: string; size: number }[] }): void; fail?(): void }): void;
  redirectTo(options: { url: string }): void;
  switchTab(options: { url: string }): void;
  previewImage(options: { urls: string[]; current?: string }): void;
  getRandomValues(options: { length: number; success?(res: { randomValues: ArrayBuffer }): void; fail?(): void }): void;
};

function choosesImages(...paths: string[]): jest.SpyInstance {
  return jest.spyOn(wxForm, 'chooseMedia').mockImplementation((options) => {
    setTimeout(() => options.success?.({ tempFiles: paths.map((tempFilePath) => ({ tempFilePath, size: 2048 })) }), 0);
  });
}

const categories = [
  category({ id: 'cat-1', name: '后勤服务', description: '食堂、宿舍、水电等' }),
  category({ id: 'cat-2', name: '教学管理', description: '课程、考试与教室' }),
  category({ id: 'cat-old', name: '旧类别', active: false }),
];

/** The proposal templates when the proposal function asks. */
const proposalTemplates = subscriptions(template({ id: 'tpl-status', purpose: 'proposal-status' }));

function defaultHandlers(): Handlers {
  return {
    'categories.list': () => ok({ items: categories, handles: false }),
    'subscriptions.state': (_request: unknown, call: Call) => ok(call.name === 'proposal' ? proposalTemplates : subscriptions()),
    'subscriptions.record': (_request: unknown, call: Call) => ok(call.name === 'proposal' ? proposalTemplates : subscriptions()),
    'proposals.submit': (request) => ok(proposalView({ id: 'p-new', title: request.title, anonymous: request.anonymous })),
  };
}

async function open(handlers: Handlers = {}): Promise<{ page: RenderedPage; backend: FakeBackend }> {
  const backend = installBackend({ ...defaultHandlers(), ...handlers });
  const page = renderPage(NEW);
  await waitFor(() => page.queryByText('后勤服务'), 'the form');
  await backend.idle();
  return { page, backend };
}

const textOf = (page: RenderedPage, selector: string) => (page.root.querySelector(selector)?.dom.textContent ?? '').replace(/\s+/g, ' ').trim();
const submitted = (backend: FakeBackend) => backend.callsOf('proposals.submit').map((call) => call.request as unknown as ProposalInput);

async function fill(page: RenderedPage, title = '食堂增加晚间窗口', content = '晚自习后不少同学需要用餐。'): Promise<void> {
  await page.tap('教学管理');
  await trigger(page, '.field-title', 'change', title);
  await trigger(page, '.field-content', 'change', content);
}

async function submit(page: RenderedPage): Promise<void> {
  await page.tap(textIn(page, '.actions', '提交提案'));
}

/** Taps a switch row (the whole cell toggles). */
async function tapCell(page: RenderedPage, selector: string): Promise<void> {
  const host = page.root.querySelector(selector);
  if (!host) throw new Error(`nothing matches ${selector}`);
  await page.tap(host.dom.querySelectorAll('[class~="van-cell--van-cell"]')[0]);
}

let redirect: jest.SpyInstance;
let store: Map<string, unknown>;

beforeEach(() => {
  // The harness's stand-in answers zeros; the platform's bytes are random.
  jest.spyOn(wxForm, 'getRandomValues').mockImplementation((options) => {
    setTimeout(() => options.success?.({ randomValues: Uint8Array.from(randomBytes(options.length)).buffer }), 0);
  });
  store = installStorage(storedSession(account({ id: 'u-lin', member: { id: 'm1', name: '林一', number: '2023001', kind: 'staff', unitNames: [], active: true } }), Date.now()));
  redirect = jest.spyOn(wxForm, 'redirectTo').mockImplementation(() => undefined);
  jest.spyOn(wxMore, 'showToast').mockImplementation(() => undefined);
  jest.spyOn(wxForm, 'previewImage').mockImplementation(() => undefined);
  answerPopups({});
});

afterEach(() => jest.restoreAllMocks());

describe('the form', () => {
  it('offers the active categories with their descriptions and sends the proposal, then opens it', async () => {
    const { page, backend } = await open();
    expect(page.text()).toContain('食堂、宿舍、水电等');
    expect(page.text()).toContain('课程、考试与教室');
    expect(page.text()).not.toContain('旧类别');

    await fill(page, '  食堂增加晚间窗口  ', '晚自习后不少同学需要用餐。\n建议试行一个月。');
    await submit(page);
    await waitFor(() => redirect.mock.calls.length === 1, 'the proposal');

    expect(submitted(backend)).toHaveLength(1);
    const sent = submitted(backend)[0];
    expect(sent).toEqual({
      requestId: expect.stringMatching(PROPOSAL_REQUEST_ID),
      categoryId: 'cat-2',
      title: '食堂增加晚间窗口',
      content: '晚自习后不少同学需要用餐。\n建议试行一个月。',
      imageFileIds: [],
      anonymous: false,
    });
    expect(redirect).toHaveBeenCalledWith({ url: '/pages/proposal/index?id=p-new' });
    page.unmount();
  });

  it('counts title and content and caps them at the limits', async () => {
    const { page } = await open();
    expect(String(attributeOf(page, '.field-title', 'maxlength'))).toBe(String(FIELD_LIMITS.proposalTitle));
    expect(String(attributeOf(page, '.field-content', 'maxlength'))).toBe(String(FIELD_LIMITS.proposalContent));
    expect(textOf(page, '.count--title')).toBe(`0/${FIELD_LIMITS.proposalTitle}`);
    await trigger(page, '.field-title', 'change', '路灯😀');
    expect(textOf(page, '.count--title')).toBe(`3/${FIELD_LIMITS.proposalTitle}`);
    await trigger(page, '.field-content', 'change', '内容');
    expect(textOf(page, '.count--content')).toBe(`2/${FIELD_LIMITS.proposalContent}`);
    page.unmount();
  });

  it('says what is missing or too long before sending anything', async () => {
    const { page, backend } = await open();
    await submit(page);
    expect(page.text()).toContain('请选择提案类别');
    expect(page.text()).toContain('请输入标题');
    expect(page.text()).toContain('请输入提案内容');
    expect(page.text()).toContain('请先修改标红的内容');

    await fill(page, '标'.repeat(FIELD_LIMITS.proposalTitle + 1), '字'.repeat(FIELD_LIMITS.proposalContent + 1));
    await submit(page);
    expect(page.text()).toContain(`标题不超过 ${FIELD_LIMITS.proposalTitle} 个字`);
    expect(page.text()).toContain(`提案内容不超过 ${FIELD_LIMITS.proposalContent} 个字`);
    // Blank is empty.
    await trigger(page, '.field-content', 'change', '   \n ');
    await submit(page);
    expect(page.text()).toContain('请输入提案内容');
    expect(submitted(backend)).toHaveLength(0);
    page.unmount();
  });

  it('submits anonymously when switched, saying what that means', async () => {
    const { page, backend } = await open();
    expect(textOf(page, '.anonymous__note--anonymous')).toBe('匿名提交后，处理人和其他同事都看不到你的姓名和单位；只有管理员因正当理由才能查看提案人，且每次查看都会留下记录，并显示在你的提案进度中。');
    // Off, it says what a named proposal shows and to whom.
    expect(textOf(page, '.anonymous__note--named')).toBe('不匿名时处理人可以看到你的姓名和单位，提案公开后所有同事都能看到');
    await fill(page);
    await tapCell(page, '.anonymous__row');
    expect(attributeOf(page, '.anonymous__switch', 'checked')).toBe(true);
    expect(exists(page, '.anonymous__note--named')).toBe(false);
    await submit(page);
    await waitFor(() => submitted(backend).length === 1, 'the submission');
    expect(submitted(backend)[0].anonymous).toBe(true);
    page.unmount();
  });

  it('asks for the status message on the submit tap, for the proposal function, without waiting for it', async () => {
    const popup = jest.spyOn(wx as unknown as { requestSubscribeMessage(options: unknown): void }, 'requestSubscribeMessage').mockImplementation(() => undefined);
    const { page, backend } = await open();
    const platform = fakeLocalPlatform();
    expect(backend.callsOf('subscriptions.state').map((call) => call.name)).toEqual(['proposal']);
    await fill(page);
    await submit(page);
    expect(popup).toHaveBeenCalledTimes(1);
    expect((popup.mock.calls[0][0] as { tmplIds: string[] }).tmplIds).toEqual(['tpl-status']);
    // The popup is still open: the proposal went out all the same.
    await waitFor(() => submitted(backend).length === 1, 'the submission');
    (popup.mock.calls[0][0] as { success(result: Record<string, string>): void }).success({ errMsg: 'requestSubscribeMessage:ok', 'tpl-status': 'accept' });
    await waitFor(() => backend.callsOf('subscriptions.record').length === 1, 'the answer recorded');
    expect(backend.callsOf('subscriptions.record')[0]).toMatchObject({ name: 'proposal', request: { choices: { 'tpl-status': 'accept' } } });
    expect(platform.posts).toHaveLength(1);
    page.unmount();
  });
});

describe('images', () => {
  it('uploads each at once into the submission’s folder with its progress, retries a failure, removes one, and the submit waits for them', async () => {
    const uploads = heldUploads();
    choosesImages('wxfile://tmp/a.PNG', 'wxfile://tmp/b.jpg', 'wxfile://tmp/c.jpg');
    const { page, backend } = await open();
    await fill(page);

    await page.tap('添加图片');
    await waitFor(() => uploads.pending.length === 3, 'three uploads');
    // The folder is the request id; the name is random letters only, no time.
    const folder = /^proposal-images\/([A-Za-z0-9_-]{22})\/[A-Za-z0-9_-]{22}\.png$/.exec(uploads.cloudPath(0));
    expect(folder).not.toBeNull();
    expect(uploads.cloudPath(1).startsWith(`proposal-images/${folder![1]}/`)).toBe(true);
    expect(page.text()).toContain('图片（3/9）');
    await page.tap(page.root.querySelectorAll('.image--uploading')[1].dom);
    expect(wxForm.previewImage).toHaveBeenCalledWith({ urls: ['wxfile://tmp/a.PNG', 'wxfile://tmp/b.jpg', 'wxfile://tmp/c.jpg'], current: 'wxfile://tmp/b.jpg' });

    uploads.progress(0, 42);
    await waitFor(() => page.queryByText('上传中 40%'), 'the progress');
    uploads.finish(0);
    uploads.fail(1);
    await waitFor(() => page.queryByText('上传失败 重试'), 'the failure');

    // A failed image stops the submit until it is retried or removed.
    await submit(page);
    expect(page.text()).toContain('有图片上传失败，请重试或移除');
    expect(submitted(backend)).toHaveLength(0);

    await page.tap('上传失败 重试');
    await waitFor(() => uploads.pending.length === 4, 'the retry');
    expect(uploads.pending[3].options.filePath).toBe('wxfile://tmp/b.jpg');
    uploads.finish(3);
    await waitFor(() => !page.text().includes('上传失败'), 'the retried image');
    expect(exists(page, '.image--uploading')).toBe(true);

    // The third is still uploading: the submit waits for it, then sends.
    await page.tap(page.root.querySelectorAll('.image__remove')[0].dom);
    expect(page.text()).toContain('图片（2/9）');
    // The removed one had landed: nothing to stop.
    expect(uploads.pending.map((upload) => upload.aborted)).toEqual([false, false, false, false]);
    // Removing and retrying are taps of their own, not on the picture.
    expect(wxForm.previewImage).toHaveBeenCalledTimes(1);
    await submit(page);
    await backend.idle();
    expect(submitted(backend)).toHaveLength(0);
    expect(page.text()).toContain('等待图片上传');
    uploads.finish(2);
    await waitFor(() => submitted(backend).length === 1, 'the submission');
    const sent = submitted(backend)[0];
    expect(sent.requestId).toBe(folder![1]);
    expect(sent.imageFileIds).toEqual([`cloud://env/${uploads.cloudPath(3)}`, `cloud://env/${uploads.cloudPath(2)}`]);
    page.unmount();
  });

  it('stops the upload of an image removed while it uploads, and of every image when the page is left', async () => {
    const uploads = heldUploads();
    choosesImages('wxfile://tmp/a.jpg', 'wxfile://tmp/b.jpg', 'wxfile://tmp/c.jpg');
    const { page } = await open();
    await page.tap('添加图片');
    await waitFor(() => uploads.pending.length === 3, 'three uploads');
    await page.tap(page.root.querySelectorAll('.image__remove')[1].dom);
    expect(page.text()).toContain('图片（2/9）');
    expect(uploads.pending.map((upload) => upload.aborted)).toEqual([false, true, false]);
    // The stopped upload's failure lands on no row.
    expect(page.text()).not.toContain('上传失败');
    uploads.finish(0);
    await waitFor(() => page.root.querySelectorAll('.image--uploading').length === 1, 'the first landed');
    page.unmount();
    // The one that landed is left alone; the one still on its way is stopped.
    expect(uploads.pending.map((upload) => upload.aborted)).toEqual([false, true, true]);
  });

  it('takes at most nine: the picker is asked for what is left, and extra picks are cut off', async () => {
    const uploads = heldUploads();
    const chooser = choosesImages('wxfile://tmp/a.jpg', 'wxfile://tmp/b.jpg');
    const { page } = await open();
    await page.tap('添加图片');
    await waitFor(() => page.text().includes('图片（2/9）'), 'two images');
    expect((chooser.mock.calls[0][0] as { count: number }).count).toBe(FIELD_LIMITS.proposalImages);

    // Seven places left; a picker that hands back nine anyway has two cut off.
    choosesImages(...Array.from({ length: 9 }, (_, i) => `wxfile://tmp/${i}.jpg`));
    await page.tap('添加图片');
    await waitFor(() => page.text().includes('图片（9/9）') && uploads.pending.length === 9, 'nine images');
    expect(((wxForm.chooseMedia as unknown as jest.Mock).mock.calls.at(-1)![0] as { count: number }).count).toBe(7);
    expect(uploads.pending.map((upload) => upload.options.filePath)).toEqual(['wxfile://tmp/a.jpg', 'wxfile://tmp/b.jpg', ...Array.from({ length: 7 }, (_, i) => `wxfile://tmp/${i}.jpg`)]);
    expect(page.queryByText('添加图片')).toBeNull();
    page.unmount();
  });

  it('starts no retry of an image while a submit waits for the uploads: it says so once they are done', async () => {
    const uploads = heldUploads();
    choosesImages('wxfile://tmp/a.jpg', 'wxfile://tmp/b.jpg');
    const { page, backend } = await open();
    await fill(page);
    await page.tap('添加图片');
    await waitFor(() => uploads.pending.length === 2, 'two uploads');
    await submit(page);
    expect(page.text()).toContain('等待图片上传');

    uploads.fail(0);
    await waitFor(() => page.queryByText('上传失败 重试'), 'the failure');
    await page.tap('上传失败 重试');
    await backend.idle();
    expect(uploads.pending).toHaveLength(2);

    uploads.finish(1);
    await waitFor(() => page.text().includes('有图片上传失败，请重试或移除'), 'the failure said');
    expect(submitted(backend)).toHaveLength(0);
    // Once the submit stopped waiting, the image may be retried.
    await page.tap('上传失败 重试');
    await waitFor(() => uploads.pending.length === 3, 'the retry');
    page.unmount();
  });
});

const OUTCOME_UNKNOWN = '没能确认提案是否已提交成功：请重试（按刚才的内容提交，不会重复提交），或到「我的提案」查看。';

describe('one request id per submission', () => {
  it('sends the same id again after a network failure, and a new one after success', async () => {
    const { page, backend } = await open({ 'proposals.submit': () => fail('NETWORK_ERROR', '网络不可用') });
    await fill(page);
    await submit(page);
    await waitFor(() => textOf(page, '.message') === OUTCOME_UNKNOWN, 'the failure');
    expect(redirect).not.toHaveBeenCalled();

    backend.on('proposals.submit', (request) => ok(proposalView({ id: 'p-new', title: request.title })));
    await page.tap(textIn(page, '.actions', '重试'));
    await waitFor(() => redirect.mock.calls.length === 1, 'the proposal');
    const [first, retry] = submitted(backend);
    expect(retry).toEqual(first);

    // Had the page stayed, its form is open again and its next proposal is another submission.
    await fill(page, '第二条');
    await submit(page);
    await waitFor(() => submitted(backend).length === 3, 'the second proposal');
    expect(submitted(backend)[2].requestId).not.toBe(first.requestId);
    expect(submitted(backend)[2].requestId).toMatch(PROPOSAL_REQUEST_ID);
    page.unmount();
  });

  it('differs between two forms', async () => {
    const one = await open();
    await fill(one.page);
    await submit(one.page);
    await waitFor(() => submitted(one.backend).length === 1, 'the first');
    one.page.unmount();
    const two = await open();
    await fill(two.page);
    await submit(two.page);
    await waitFor(() => submitted(two.backend).length === 1, 'the second');
    expect(submitted(two.backend)[0].requestId).not.toBe(submitted(one.backend)[0].requestId);
    two.page.unmount();
  });
});

describe('a submit whose outcome is unknown', () => {
  it('locks the form, so a retry can only send what went: fields, images and the anonymous switch', async () => {
    const uploads = heldUploads();
    choosesImages('wxfile://tmp/a.jpg');
    const { page, backend } = await open({ 'proposals.submit': () => fail('NETWORK_ERROR', '网络不可用') });
    await fill(page);
    await page.tap('添加图片');
    await waitFor(() => uploads.pending.length === 1, 'the upload');
    uploads.finish(0);
    await waitFor(() => !exists(page, '.image--uploading'), 'uploaded');
    await submit(page);
    await waitFor(() => textOf(page, '.message') === OUTCOME_UNKNOWN, 'the unknown outcome');

    expect(attributeOf(page, '.field-title', 'disabled')).toBe(true);
    expect(attributeOf(page, '.field-content', 'disabled')).toBe(true);
    expect(attributeOf(page, '.anonymous__switch', 'disabled')).toBe(true);
    expect(exists(page, '.image__remove')).toBe(false);
    expect(page.queryByText('添加图片')).toBeNull();
    expect(exists(page, '.submit')).toBe(false);
    expect(textOf(page, '.actions')).toBe('重试查看我的提案');

    // A tap on the anonymous row or another category changes nothing any more.
    await tapCell(page, '.anonymous__row');
    expect(attributeOf(page, '.anonymous__switch', 'checked')).toBe(false);
    await page.tap('后勤服务');
    await page.tap(textIn(page, '.actions', '重试'));
    await waitFor(() => submitted(backend).length === 2, 'the retry');
    const [first, retry] = submitted(backend);
    // The same request: id, folder, files, content and the switch as they went.
    expect(retry).toEqual(first);
    expect(retry.imageFileIds).toEqual([`cloud://env/${uploads.cloudPath(0)}`]);
    expect(uploads.cloudPath(0).startsWith(`proposal-images/${first.requestId}/`)).toBe(true);
    expect(retry.anonymous).toBe(false);
    expect(retry.categoryId).toBe('cat-2');
    expect(uploads.pending).toHaveLength(1);
    page.unmount();
  });

  it('leads to 我的提案, opening that tab', async () => {
    const switchTab = jest.spyOn(wxForm, 'switchTab').mockImplementation(() => undefined);
    const { page } = await open({ 'proposals.submit': () => fail('INTERNAL') });
    await fill(page);
    await submit(page);
    await waitFor(() => textOf(page, '.message') === OUTCOME_UNKNOWN, 'the unknown outcome');
    await page.tap('查看我的提案');
    expect(switchTab).toHaveBeenCalledWith({ url: '/pages/proposals/index' });
    // The tab reads which of its tabs to show on its next show.
    expect(store.get('xintong.proposals.tab')).toBe('mine');
    page.unmount();
  });

  it('says the earlier submit was made when the server answers so, offering only 我的提案', async () => {
    const { page, backend } = await open({ 'proposals.submit': () => fail('NETWORK_ERROR', '网络不可用') });
    await fill(page);
    await submit(page);
    await waitFor(() => textOf(page, '.message') === OUTCOME_UNKNOWN, 'the unknown outcome');
    const earlier = '该提案此前已提交成功，之后的修改未包含在内，请到「我的提案」查看';
    backend.on('proposals.submit', () => ({ ok: false, error: { code: 'INVALID_INPUT', message: earlier, field: 'requestId' } }));
    await page.tap(textIn(page, '.actions', '重试'));
    await waitFor(() => textOf(page, '.message') === earlier, 'the server’s word');
    expect(textOf(page, '.actions')).toBe('查看我的提案');
    expect(attributeOf(page, '.field-title', 'disabled')).toBe(true);
    page.unmount();
  });

  it('opens the form again when the retry is refused outright (nothing was made), keeping the id', async () => {
    const { page, backend } = await open({ 'proposals.submit': () => fail('NETWORK_ERROR', '网络不可用') });
    await fill(page);
    await submit(page);
    await waitFor(() => textOf(page, '.message') === OUTCOME_UNKNOWN, 'the unknown outcome');
    backend.on('proposals.submit', () => ({ ok: false, error: { code: 'CONTENT_RISKY', message: '', field: 'title' } }));
    await page.tap(textIn(page, '.actions', '重试'));
    await waitFor(() => textOf(page, '.field-title').includes('内容不合规'), 'the refusal on its field');
    expect(attributeOf(page, '.field-title', 'disabled')).toBe(false);
    await trigger(page, '.field-title', 'change', '食堂晚间窗口');
    backend.on('proposals.submit', (request) => ok(proposalView({ id: 'p-new', title: request.title })));
    await submit(page);
    await waitFor(() => redirect.mock.calls.length === 1, 'the proposal');
    const sent = submitted(backend);
    expect(sent[2].title).toBe('食堂晚间窗口');
    expect(sent[2].requestId).toBe(sent[0].requestId);
    page.unmount();
  });
});

describe('ids without a time', () => {
  it('draws the request id and the images’ names from wx.getRandomValues where the base library has it', async () => {
    let next = 0;
    const source = jest.spyOn(wxForm, 'getRandomValues').mockImplementation((options) => {
      const bytes = Uint8Array.from({ length: options.length }, () => next++ % 64);
      setTimeout(() => options.success?.({ randomValues: bytes.buffer }), 0);
    });
    {
      const uploads = heldUploads();
      choosesImages('wxfile://tmp/a.jpg');
      const { page, backend } = await open();
      await fill(page);
      await page.tap('添加图片');
      await waitFor(() => uploads.pending.length === 1, 'the upload');
      uploads.finish(0);
      await submit(page);
      await waitFor(() => submitted(backend).length === 1, 'the submission');
      expect(source).toHaveBeenCalled();
      // Consecutive bytes read as consecutive letters: both came from the platform's bytes.
      const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
      const fromBytes = (text: string) => [...text].every((char, i) => i === 0 || letters.indexOf(char) === (letters.indexOf(text[i - 1]) + 1) % 64);
      const { requestId } = submitted(backend)[0];
      expect(fromBytes(requestId)).toBe(true);
      const name = /\/([A-Za-z0-9_-]{22})\.jpg$/.exec(uploads.cloudPath(0))![1];
      expect(fromBytes(name)).toBe(true);
      expect(name).not.toBe(requestId);
      page.unmount();
    }
  });

  it('falls back to Math.random on a base library without wx.getRandomValues', async () => {
    const platform = wxForm as { getRandomValues?: unknown };
    const source = platform.getRandomValues;
    delete platform.getRandomValues;
    try {
      const { page, backend } = await open();
      await fill(page);
      await submit(page);
      await waitFor(() => submitted(backend).length === 1, 'the submission');
      expect(submitted(backend)[0].requestId).toMatch(/^[A-Za-z0-9_-]{22}$/);
      page.unmount();
    } finally {
      platform.getRandomValues = source;
    }
  });
});

describe('the server’s refusals', () => {
  it('puts a field’s error under that field', async () => {
    const { page } = await open({ 'proposals.submit': () => ({ ok: false, error: { code: 'INVALID_INPUT', message: '标题不能为空', field: 'title' } }) });
    await fill(page);
    await submit(page);
    await waitFor(() => page.queryByText('标题不能为空'), 'the title error');
    expect(textOf(page, '.field-title')).toContain('标题不能为空');
    page.unmount();
  });

  it('puts a stopped category on the category and reads the choices again', async () => {
    const { page, backend } = await open({ 'proposals.submit': () => fail('CATEGORY_NOT_FOUND') });
    await fill(page);
    backend.on('categories.list', () => ok({ items: [categories[0]], handles: false }));
    await submit(page);
    await waitFor(() => page.queryByText('该提案类别不存在或已停用'), 'the category error');
    await waitFor(() => !page.text().includes('教学管理'), 'the choices again');
    expect(textOf(page, '.group-error--category')).toBe('该提案类别不存在或已停用');
    // The one category left is not chosen behind the person's back: they choose again.
    expect(exists(page, '.category--chosen')).toBe(false);
    page.unmount();
  });

  it('chooses a lone category for the person when the form opens', async () => {
    const { page } = await open({ 'categories.list': () => ok({ items: [categories[0]], handles: false }) });
    expect(textOf(page, '.category--chosen')).toContain('后勤服务');
    page.unmount();
  });

  it('puts an image refusal on the images, saying to add them again (the server does not say which)', async () => {
    const { page } = await open({ 'proposals.submit': () => fail('PROPOSAL_IMAGE_INVALID') });
    await fill(page);
    await submit(page);
    await waitFor(() => exists(page, '.group-error--images'), 'the images error');
    expect(textOf(page, '.group-error--images')).toBe('有图片无法使用，请移除所有图片后重新添加');
    page.unmount();
  });

  it('says the daily limit as the server words it, and the content check', async () => {
    const { page, backend } = await open({ 'proposals.submit': () => fail('PROPOSAL_DAILY_LIMIT', '今天已提交 5 条提案，请明天再提交') });
    await fill(page);
    await submit(page);
    await waitFor(() => page.queryByText('今天已提交 5 条提案，请明天再提交'), 'the limit');
    backend.on('proposals.submit', () => fail('CONTENT_RISKY'));
    await submit(page);
    await waitFor(() => page.queryByText('内容不合规，请修改后重试'), 'the content check');
    expect(redirect).not.toHaveBeenCalled();
    page.unmount();
  });

  it('says when the person has no roster member to propose as', async () => {
    const { page } = await open({ 'proposals.submit': () => fail('PROPOSAL_NO_MEMBER') });
    await fill(page);
    await submit(page);
    await waitFor(() => page.queryByText('你的账号尚未关联花名册成员，暂不能提交提案'), 'the refusal');
    page.unmount();
  });
});
