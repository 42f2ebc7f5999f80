import type { Result } from '../../typings';
import type { RuntimeConfig } from '../../miniprogram/config/runtime';
import { requireBuilt } from '../helpers/simulate';
import { cloudMore, wxMore, type UploadOptions } from './fake-backend';
import { UPLOAD_RUNTIMES } from './page-helpers';

type Listener = (res: { progress: number }) => void;

interface FilesModule {
  createFileService(config: RuntimeConfig): {
    uploadNoticeFile(accountId: string, tempFilePath: string, fileName: string, onProgress?: (percent: number) => void): Promise<Result<string>>;
  };
  noticeCloudPath(accountId: string, fileName: string, now?: number, random?: () => number): string;
}

const { local, cloud } = UPLOAD_RUNTIMES;
const NOW = 1_700_000_000_000;

const load = () => requireBuilt<FilesModule>('services/files');

/** The callback form of `wx.cloud.uploadFile`, which alone hands back a task to follow. */
interface CloudCallbacks {
  cloudPath: string;
  filePath: string;
  success?(res: { fileID: string }): void;
  fail?(err: unknown): void;
}

beforeEach(() => jest.spyOn(Date, 'now').mockReturnValue(NOW));
afterEach(() => jest.restoreAllMocks());

describe('notice attachments', () => {
  it("go under notice-files/<account>/ with a timestamp, a random tag and a safe name", () => {
    expect(load().noticeCloudPath('u-admin', '2024 报名表 (终版).xlsx', NOW, () => 0.5)).toBe('notice-files/u-admin/1700000000000-b8jk-2024_报名表_终版_.xlsx');
    expect(load().noticeCloudPath('u-admin', '???', NOW, () => 0)).toBe('notice-files/u-admin/1700000000000-0-file');
    // Two files of one name picked together land on different paths.
    expect(load().noticeCloudPath('u-admin', '作业.docx')).not.toBe(load().noticeCloudPath('u-admin', '作业.docx'));
  });

  it('report upload progress from the local cloud in steps of ten percent, each once, and resolve with the file id', async () => {
    let listener: Listener = () => undefined;
    const upload = jest.spyOn(wxMore, 'uploadFile').mockImplementation((options: UploadOptions) => {
      setTimeout(() => {
        [10.2, 10.9, 15, 55, 59, 100].forEach((progress) => listener({ progress }));
        options.success?.({ statusCode: 200, data: JSON.stringify({ fileID: 'cloud://x/notice-files/u1/f.pdf' }) });
      }, 0);
      return { onProgressUpdate: (next: Listener) => (listener = next) };
    });
    const seen: number[] = [];

    const result = await load().createFileService(local).uploadNoticeFile('u1', 'wxfile://tmp/a', '通知.pdf', (percent) => seen.push(percent));

    expect(result).toEqual({ ok: true, data: 'cloud://x/notice-files/u1/f.pdf' });
    expect(seen).toEqual([10, 50, 100]);
    expect(upload.mock.calls[0][0]).toMatchObject({ url: 'http://127.0.0.1:3900/storage/upload', formData: { cloudPath: expect.stringMatching(/^notice-files\/u1\/1700000000000-[0-9a-z]+-通知\.pdf$/) } });
  });

  it('use the callback form of wx.cloud.uploadFile in cloud mode, whose task reports progress', async () => {
    let listener: Listener = () => undefined;
    const calls: CloudCallbacks[] = [];
    jest.spyOn(cloudMore, 'uploadFile').mockImplementation(((params: CloudCallbacks) => {
      calls.push(params);
      setTimeout(() => {
        listener({ progress: 70 });
        params.success?.({ fileID: 'cloud://env/notice-files/u1/f.png' });
      }, 0);
      return { onProgressUpdate: (next: Listener) => (listener = next) };
    }) as unknown as typeof cloudMore.uploadFile);
    const seen: number[] = [];

    const result = await load().createFileService(cloud).uploadNoticeFile('u1', 'wxfile://tmp/p', '图片1.png', (percent) => seen.push(percent));

    expect(result).toEqual({ ok: true, data: 'cloud://env/notice-files/u1/f.png' });
    expect(seen).toEqual([70]);
    expect(calls[0]).toMatchObject({ cloudPath: expect.stringMatching(/^notice-files\/u1\/1700000000000-[0-9a-z]+-图片1\.png$/), filePath: 'wxfile://tmp/p' });
  });

  it('say the attachment failed to upload, never rejecting', async () => {
    jest.spyOn(cloudMore, 'uploadFile').mockImplementation(((params: CloudCallbacks) => {
      setTimeout(() => params.fail?.({ errMsg: 'uploadFile:fail' }), 0);
      return {};
    }) as unknown as typeof cloudMore.uploadFile);

    const result = await load().createFileService(cloud).uploadNoticeFile('u1', 'wxfile://tmp/p', 'a.pdf');

    expect(result).toEqual({ ok: false, error: { code: 'NETWORK_ERROR', message: '附件上传失败，请重试' } });
  });
});
