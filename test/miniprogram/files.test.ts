import type { Result } from '../../typings';
import type { RuntimeConfig } from '../../miniprogram/config/runtime';
import { requireBuilt, wx } from '../helpers/simulate';
import { cloudMore, wxMore, type UploadOptions } from './fake-backend';

interface FilesModule {
  createFileService(config: RuntimeConfig): {
    uploadAvatar(accountId: string, tempFilePath: string): Promise<Result<string>>;
    displayUrl(fileId: string | null): string | null;
  };
  displayUrl(fileId: string | null): string | null;
  avatarCloudPath(accountId: string, tempFilePath: string, now?: number): string;
}

const local: RuntimeConfig = {
  transport: 'local',
  cloudEnv: 'test-env',
  localBaseUrl: 'http://127.0.0.1:3900',
  devIdentity: { openid: 'demo-member-1-openid', appid: 'wx-demo-appid', unionid: 'demo-member-1-unionid' },
};
const cloud: RuntimeConfig = { ...local, transport: 'cloud' };

const NOW = 1_700_000_000_000;
const UPLOAD_FAILED = { ok: false, error: { code: 'NETWORK_ERROR', message: '头像上传失败，请稍后重试' } };

function load(): FilesModule {
  return requireBuilt<FilesModule>('services/files');
}

function answerUpload(answer: (options: UploadOptions) => void) {
  return jest.spyOn(wxMore, 'uploadFile').mockImplementation((options: UploadOptions) => {
    setTimeout(() => answer(options), 0);
    return {};
  });
}

beforeEach(() => jest.spyOn(Date, 'now').mockReturnValue(NOW));
afterEach(() => jest.restoreAllMocks());

describe('avatarCloudPath', () => {
  it.each([
    ['http://tmp/avatar.PNG', 'avatars/u1/1700000000000.png'],
    ['wxfile://tmp_1a2b.jpeg', 'avatars/u1/1700000000000.jpeg'],
    ['http://tmp/avatar.webp?size=1', 'avatars/u1/1700000000000.webp'],
    ['http://tmp/no-extension', 'avatars/u1/1700000000000.jpg'],
    ['http://tmp.dir/file', 'avatars/u1/1700000000000.jpg'],
  ])('names %s as %s', (tempPath, expected) => {
    expect(load().avatarCloudPath('u1', tempPath)).toBe(expected);
  });
});

describe('displayUrl', () => {
  it('maps a cloud file id to the local cloud storage URL, each path segment encoded', () => {
    const { displayUrl } = load().createFileService(local);
    expect(displayUrl('cloud://local-env.bucket-1/avatars/u1/1700000000000.png')).toBe(
      'http://127.0.0.1:3900/storage/files/avatars/u1/1700000000000.png',
    );
    expect(displayUrl('cloud://x/avatars/u 1/头像#1.png')).toBe(
      'http://127.0.0.1:3900/storage/files/avatars/u%201/%E5%A4%B4%E5%83%8F%231.png',
    );
  });

  it('shows the cloud file id itself in cloud mode, where <image> loads it', () => {
    expect(load().createFileService(cloud).displayUrl('cloud://env.bucket/avatars/u1/1.png')).toBe('cloud://env.bucket/avatars/u1/1.png');
  });

  it('gives null for no file, so the page shows the default avatar', () => {
    expect(load().createFileService(local).displayUrl(null)).toBeNull();
    expect(load().createFileService(cloud).displayUrl(null)).toBeNull();
  });

  it('is what the default export uses (local by default)', () => {
    expect(load().displayUrl('cloud://e/avatars/u2/2.jpg')).toBe('http://127.0.0.1:3900/storage/files/avatars/u2/2.jpg');
  });
});

describe('uploadAvatar in local mode', () => {
  it('posts the file to /storage/upload with the cloud path and returns the fileID of the reply', async () => {
    const upload = answerUpload((options) =>
      options.success?.({ statusCode: 200, data: JSON.stringify({ fileID: 'cloud://local.bucket/avatars/u1/1700000000000.png' }) }),
    );
    const cloudUpload = jest.spyOn(cloudMore, 'uploadFile');

    const result = await load().createFileService(local).uploadAvatar('u1', 'http://tmp/chosen.png');

    expect(result).toEqual({ ok: true, data: 'cloud://local.bucket/avatars/u1/1700000000000.png' });
    expect(upload).toHaveBeenCalledTimes(1);
    expect(upload.mock.calls[0][0]).toMatchObject({
      url: 'http://127.0.0.1:3900/storage/upload',
      filePath: 'http://tmp/chosen.png',
      name: 'file',
      formData: { cloudPath: 'avatars/u1/1700000000000.png' },
      header: { 'X-WX-OPENID': 'demo-member-1-openid' },
    });
    expect(cloudUpload).not.toHaveBeenCalled();
  });

  it.each([
    ['a refusal with {errCode, errMsg}', { statusCode: 403, data: JSON.stringify({ errCode: 'FORBIDDEN', errMsg: 'not your folder' }) }],
    ['a 200 reply that is not JSON', { statusCode: 200, data: '<html>oops</html>' }],
    ['a 200 reply without fileID', { statusCode: 200, data: '{}' }],
  ])('turns %s into a failure Result', async (_label, reply) => {
    answerUpload((options) => options.success?.(reply));
    await expect(load().createFileService(local).uploadAvatar('u1', 'http://tmp/a.jpg')).resolves.toEqual(UPLOAD_FAILED);
  });

  it('turns a failed upload into a failure Result instead of rejecting', async () => {
    answerUpload((options) => options.fail?.({ errMsg: 'uploadFile:fail ECONNREFUSED' }));
    await expect(load().createFileService(local).uploadAvatar('u1', 'http://tmp/a.jpg')).resolves.toEqual(UPLOAD_FAILED);
  });
});

describe('uploadAvatar in cloud mode', () => {
  it('uploads with wx.cloud.uploadFile under avatars/<account id>/ and returns its fileID', async () => {
    const init = jest.spyOn(wx.cloud, 'init').mockImplementation(() => undefined);
    const cloudUpload = jest.spyOn(cloudMore, 'uploadFile').mockResolvedValue({ fileID: 'cloud://test-env.b/avatars/u9/1700000000000.jpg' });
    const localUpload = jest.spyOn(wxMore, 'uploadFile');

    const result = await load().createFileService(cloud).uploadAvatar('u9', 'wxfile://tmp_abc');

    expect(result).toEqual({ ok: true, data: 'cloud://test-env.b/avatars/u9/1700000000000.jpg' });
    expect(cloudUpload).toHaveBeenCalledWith({ cloudPath: 'avatars/u9/1700000000000.jpg', filePath: 'wxfile://tmp_abc' });
    expect(init.mock.calls[0][0]).toMatchObject({ env: 'test-env' });
    expect(localUpload).not.toHaveBeenCalled();
  });

  it('turns a rejected cloud upload into a failure Result', async () => {
    jest.spyOn(wx.cloud, 'init').mockImplementation(() => undefined);
    jest.spyOn(cloudMore, 'uploadFile').mockRejectedValue(new Error('cloud.uploadFile:fail'));
    await expect(load().createFileService(cloud).uploadAvatar('u9', 'wxfile://tmp_abc.png')).resolves.toEqual(UPLOAD_FAILED);
  });
});
