import type { Result } from '../../typings';
import type { RuntimeConfig } from '../../miniprogram/config/runtime';
import { requireBuilt } from '../helpers/simulate';
import { account, cloudMore, installStorage, storedSession, wxMore, type UploadOptions } from './fake-backend';
import { UPLOAD_RUNTIMES } from './page-helpers';

interface FilesModule {
  createFileService(config: RuntimeConfig): {
    uploadImportFile(accountId: string, tempFilePath: string, fileName: string): Promise<Result<string>>;
  };
  uploadImportFile(tempFilePath: string, fileName: string): Promise<Result<string>>;
  safeFileName(fileName: string): string;
  importCloudPath(accountId: string, fileName: string, now?: number): string;
}

const { local, cloud } = UPLOAD_RUNTIMES;
const NOW = 1_700_000_000_000;

const load = () => requireBuilt<FilesModule>('services/files');

beforeEach(() => jest.spyOn(Date, 'now').mockReturnValue(NOW));
afterEach(() => jest.restoreAllMocks());

describe('import file names', () => {
  it.each([
    ['花名册.xlsx', '花名册.xlsx'],
    ['2024 计算机学院 (终版).csv', '2024_计算机学院_终版_.csv'],
    ['../../etc/passwd', 'passwd'],
    ['名单#1%?.xlsx', '名单_1_.xlsx'],
    ['.xlsx', 'xlsx'],
    ['   ', 'roster'],
  ])('keeps %s safe in a cloud path as %s', (name, safe) => {
    expect(load().safeFileName(name)).toBe(safe);
  });

  it('shortens a long name but keeps its extension', () => {
    const safe = load().safeFileName(`${'名'.repeat(100)}.xlsx`);
    expect(Array.from(safe)).toHaveLength(60);
    expect(safe.endsWith('.xlsx')).toBe(true);
  });

  it('puts the file under imports/<account>/ with a timestamp', () => {
    expect(load().importCloudPath('u-admin', '花名册.xlsx')).toBe('imports/u-admin/1700000000000-花名册.xlsx');
  });
});

describe('uploadImportFile', () => {
  it('posts the file to the local cloud under imports/<account>/ and returns the file id', async () => {
    const upload = jest.spyOn(wxMore, 'uploadFile').mockImplementation((options: UploadOptions) => {
      setTimeout(() => options.success?.({ statusCode: 200, data: JSON.stringify({ fileID: 'cloud://x/imports/u1/f.xlsx' }) }), 0);
      return {};
    });

    const result = await load().createFileService(local).uploadImportFile('u1', 'wxfile://tmp/a', '花名册.xlsx');

    expect(result).toEqual({ ok: true, data: 'cloud://x/imports/u1/f.xlsx' });
    expect(upload.mock.calls[0][0]).toMatchObject({
      url: 'http://127.0.0.1:3900/storage/upload',
      filePath: 'wxfile://tmp/a',
      formData: { cloudPath: 'imports/u1/1700000000000-花名册.xlsx' },
    });
  });

  it('uses wx.cloud.uploadFile in cloud mode', async () => {
    const upload = jest.spyOn(cloudMore, 'uploadFile').mockResolvedValue({ fileID: 'cloud://env/imports/u1/f.csv' });

    const result = await load().createFileService(cloud).uploadImportFile('u1', 'wxfile://tmp/b', 'r.csv');

    expect(result).toEqual({ ok: true, data: 'cloud://env/imports/u1/f.csv' });
    expect(upload).toHaveBeenCalledWith({ cloudPath: 'imports/u1/1700000000000-r.csv', filePath: 'wxfile://tmp/b' });
  });

  it('says the file upload failed, never rejecting', async () => {
    jest.spyOn(cloudMore, 'uploadFile').mockRejectedValue(new Error('boom'));

    const result = await load().createFileService(cloud).uploadImportFile('u1', 'wxfile://tmp/b', 'r.csv');

    expect(result).toEqual({ ok: false, error: { code: 'NETWORK_ERROR', message: '文件上传失败，请稍后重试' } });
  });

  it("uploads under the signed-in account's folder by default", async () => {
    installStorage(storedSession(account({ id: 'u-admin' }), NOW));
    const upload = jest.spyOn(wxMore, 'uploadFile').mockImplementation((options: UploadOptions) => {
      setTimeout(() => options.success?.({ statusCode: 200, data: JSON.stringify({ fileID: 'cloud://x/f' }) }), 0);
      return {};
    });

    await expect(load().uploadImportFile('wxfile://tmp/c', 'r.xlsx')).resolves.toEqual({ ok: true, data: 'cloud://x/f' });
    expect(upload.mock.calls[0][0].formData?.cloudPath).toBe('imports/u-admin/1700000000000-r.xlsx');
  });
});
