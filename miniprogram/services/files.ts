/**
 * Avatar files: upload to cloud storage (or the local cloud's stand-in) and the address an
 * `<image>` shows. The backend stores only file ids (`cloud://...`); which URL shows one is
 * decided here, by transport.
 */
import type { AppError, Result } from '../../typings';
import { runtimeConfig, type RuntimeConfig } from '../config/runtime';
import { cloudFor, localIdentityHeaders } from './transport';

export const UPLOAD_FAILED: AppError = { code: 'NETWORK_ERROR', message: '头像上传失败，请稍后重试' };

/** Uploads wait this long on the local cloud before they count as failed. */
const LOCAL_UPLOAD_TIMEOUT_MS = 30000;

export interface FileService {
  /** Uploads a chosen avatar under `avatars/<account id>/`; resolves with its file id. Never rejects. */
  uploadAvatar(accountId: string, tempFilePath: string): Promise<Result<string>>;
  /** What an `<image src>` shows for a stored file id; null when there is none. */
  displayUrl(fileId: string | null | undefined): string | null;
}

/** The extension of a temp file path (`wxfile://tmp_ab.PNG?x` -> `png`); `jpg` when it has none. */
export function extensionOf(filePath: string): string {
  const name = filePath.split(/[?#]/)[0].split('/').pop() ?? '';
  const match = /\.([A-Za-z0-9]{1,8})$/.exec(name);
  return match ? match[1].toLowerCase() : 'jpg';
}

export function avatarCloudPath(accountId: string, tempFilePath: string, now: number = Date.now()): string {
  return `avatars/${accountId}/${now}.${extensionOf(tempFilePath)}`;
}

/** `cloud://<env>.<bucket>/avatars/u1/1.jpg` -> `avatars/u1/1.jpg`; null for anything else. */
export function cloudPathOf(fileId: string): string | null {
  const match = /^cloud:\/\/[^/]+\/(.+)$/.exec(fileId);
  return match ? match[1] : null;
}

function failed<T>(): Result<T> {
  return { ok: false, error: { ...UPLOAD_FAILED } };
}

function parseUploadReply(statusCode: number, body: unknown): Result<string> {
  if (statusCode !== 200) return failed();
  let reply: unknown = body;
  if (typeof body === 'string') {
    try {
      reply = JSON.parse(body);
    } catch {
      return failed();
    }
  }
  const fileID = (reply as { fileID?: unknown } | null)?.fileID;
  return typeof fileID === 'string' && fileID ? { ok: true, data: fileID } : failed();
}

export function createFileService(config: RuntimeConfig): FileService {
  function uploadLocal(cloudPath: string, filePath: string): Promise<Result<string>> {
    return new Promise((resolve) => {
      try {
        wx.uploadFile({
          url: `${config.localBaseUrl}/storage/upload`,
          filePath,
          name: 'file',
          formData: { cloudPath },
          header: localIdentityHeaders(config),
          timeout: LOCAL_UPLOAD_TIMEOUT_MS,
          success: (res) => resolve(parseUploadReply(res.statusCode, res.data)),
          fail: () => resolve(failed()),
        });
      } catch {
        resolve(failed());
      }
    });
  }

  function uploadCloud(cloudPath: string, filePath: string): Promise<Result<string>> {
    try {
      return cloudFor(config)
        .uploadFile({ cloudPath, filePath })
        .then(
          (res) => (typeof res?.fileID === 'string' && res.fileID ? { ok: true as const, data: res.fileID } : failed<string>()),
          () => failed<string>(),
        );
    } catch {
      return Promise.resolve(failed());
    }
  }

  return {
    uploadAvatar(accountId, tempFilePath) {
      const cloudPath = avatarCloudPath(accountId, tempFilePath);
      return config.transport === 'cloud' ? uploadCloud(cloudPath, tempFilePath) : uploadLocal(cloudPath, tempFilePath);
    },

    displayUrl(fileId) {
      if (!fileId) return null;
      // The <image> component loads cloud:// ids itself.
      if (config.transport === 'cloud') return fileId;
      const cloudPath = cloudPathOf(fileId);
      if (!cloudPath) return fileId;
      const encoded = cloudPath.split('/').map(encodeURIComponent).join('/');
      return `${config.localBaseUrl}/storage/files/${encoded}`;
    },
  };
}

const defaultFiles = createFileService(runtimeConfig);

export const uploadAvatar: FileService['uploadAvatar'] = (accountId, tempFilePath) =>
  defaultFiles.uploadAvatar(accountId, tempFilePath);

export const displayUrl: FileService['displayUrl'] = (fileId) => defaultFiles.displayUrl(fileId);
