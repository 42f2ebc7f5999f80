/**
 * @jest-environment jsdom
 *
 * 提交提案: the active categories with their descriptions, title and content within their limits
 * with counters, images uploaded at once into the submission's folder with their progress (a
 * failure retried, any removed, the submit waiting for them), the anonymous switch and what it
 * means, one request id per submission (kept on a retry, new after success), the server's
 * refusals on their fields, the status-message popup on the tap, and the proposal it made.
 */
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
  previewImage(options: { urls: string[]; current?: string }): void;
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

beforeEach(() => {
  installStorage(storedSession(account({ id: 'u-lin', member: { id: 'm1', name: '林一', number: '2023001', kind: 'staff', unitNames: [], active: true } }), Date.now()));
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
    expect(page.text()).toContain('匿名提交后，处理人和其他同事都看不到你的姓名和单位；只有管理员因正当理由才能查看提案人，且每次查看都会留下记录并告知你。');
    await fill(page);
    await tapCell(page, '.anonymous__row');
    expect(attributeOf(page, '.anonymous__switch', 'checked')).toBe(true);
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
    const folder = /^proposal-images\/([A-Za-z0-9_-]+)\/\d+-[0-9a-z]+\.png$/.exec(uploads.cloudPath(0));
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

  it('takes at most nine', async () => {
    heldUploads();
    const chooser = choosesImages(...Array.from({ length: 9 }, (_, i) => `wxfile://tmp/${i}.jpg`));
    const { page } = await open();
    await page.tap('添加图片');
    await waitFor(() => page.text().includes('图片（9/9）'), 'nine images');
    expect((chooser.mock.calls[0][0] as { count: number }).count).toBe(FIELD_LIMITS.proposalImages);
    expect(page.queryByText('添加图片')).toBeNull();
    page.unmount();
  });
});

describe('one request id per submission', () => {
  it('sends the same id again after a network failure, and a new one after success', async () => {
    const { page, backend } = await open({ 'proposals.submit': () => fail('NETWORK_ERROR', '网络不可用') });
    await fill(page);
    await submit(page);
    await waitFor(() => page.text().includes('网络') || page.text().includes('重试'), 'the failure');
    expect(redirect).not.toHaveBeenCalled();

    backend.on('proposals.submit', (request) => ok(proposalView({ id: 'p-new', title: request.title })));
    await submit(page);
    await waitFor(() => redirect.mock.calls.length === 1, 'the proposal');
    const [first, retry] = submitted(backend);
    expect(retry.requestId).toBe(first.requestId);

    // Had the page stayed, its next proposal is another submission.
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
    page.unmount();
  });

  it('puts an image refusal on the images', async () => {
    const { page } = await open({ 'proposals.submit': () => fail('PROPOSAL_IMAGE_INVALID') });
    await fill(page);
    await submit(page);
    await waitFor(() => page.queryByText('图片无效，请重新上传'), 'the images error');
    expect(textOf(page, '.group-error--images')).toBe('图片无效，请重新上传');
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
