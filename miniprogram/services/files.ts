/**
 * Files in cloud storage (or the local cloud's stand-in): avatar uploads and the address an
 * `<image>` shows, roster files for import, and notice attachments and room photos (with
 * upload progress). The backend stores only file ids
 * (`cloud://...`); which URL shows one is decided here, by transport.
 */
import type { AppError, Result } from '../../typings';
import { FIELD_LIMITS } from '../../typings/limits';
import { runtimeConfig } from '../config/launch';
import { randomId } from '../utils/proposal-view';
import type { LocalRuntime, RuntimeConfig } from '../config/runtime';
import { ensureSession } from './session';
import { cloudFor, localIdentityHeaders } from './transport';

export const UPLOAD_FAILED: AppError = { code: 'NETWORK_ERROR', message: '头像上传失败，请稍后重试' };
export const IMPORT_UPLOAD_FAILED: AppError = { code: 'NETWORK_ERROR', message: '文件上传失败，请稍后重试' };
export const NOTICE_UPLOAD_FAILED: AppError = { code: 'NETWORK_ERROR', message: '附件上传失败，请重试' };
export const PHOTO_UPLOAD_FAILED: AppError = { code: 'NETWORK_ERROR', message: '照片上传失败，请重试' };
export const PROPOSAL_UPLOAD_FAILED: AppError = { code: 'NETWORK_ERROR', message: '图片上传失败，请重试' };

/** What a page keeps of an upload under way: a removed image or a page left stops it. */
export interface UploadHandle {
  abort(): void;
}

/** Hands the task to `onTask` when the platform gave one that can be stopped. */
function offerTask(task: unknown, onTask: ((task: UploadHandle) => void) | undefined): void {
  const handle = task as Partial<UploadHandle> | null | undefined;
  if (onTask && handle && typeof handle.abort === 'function') onTask(handle as UploadHandle);
}

/** Upload progress of one file, 0–100, as the platform reports it. */
export type UploadProgress = (percent: number) => void;

/** Longest file name kept in an import's cloud path, in characters. */
const IMPORT_NAME_MAX = FIELD_LIMITS.importFileName;

/** Uploads wait this long on the local cloud before they count as failed. */
const LOCAL_UPLOAD_TIMEOUT_MS = 30000;

export interface FileService {
  /** Uploads a chosen avatar under `avatars/<account id>/`; resolves with its file id. Never rejects. */
  uploadAvatar(accountId: string, tempFilePath: string): Promise<Result<string>>;
  /** Uploads a roster file under `imports/<account id>/`; resolves with its file id. Never rejects. */
  uploadImportFile(accountId: string, tempFilePath: string, fileName: string): Promise<Result<string>>;
  /**
   * Uploads a notice attachment under `notice-files/<account id>/`, reporting progress as it
   * goes; resolves with its file id. Never rejects.
   */
  uploadNoticeFile(accountId: string, tempFilePath: string, fileName: string, onProgress?: UploadProgress): Promise<Result<string>>;
  /**
   * Uploads a room's photo under `room-photos/<account id>/` (the only folder the room function
   * takes a photo from), reporting progress as it goes; resolves with its file id. Never rejects.
   */
  uploadRoomPhoto(accountId: string, tempFilePath: string, onProgress?: UploadProgress): Promise<Result<string>>;
  /**
   * Uploads a proposal's image under `proposal-images/<request id>/` (the submission's own
   * folder: an anonymous proposal's files name no account), reporting progress; resolves with
   * its file id. Never rejects.
   */
  uploadProposalImage(requestId: string, tempFilePath: string, onProgress?: UploadProgress, onTask?: (task: UploadHandle) => void): Promise<Result<string>>;
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

/**
 * A file name that is safe in a cloud path: letters, digits, Chinese, `.`, `-` and `_` are
 * kept, anything else becomes `_`; names longer than `max` keep their extension. `fallback`
 * when nothing is left.
 */
export function safeFileName(fileName: string, max: number = IMPORT_NAME_MAX, fallback = 'roster'): string {
  const base = fileName.split(/[\\/]/).pop() ?? '';
  const cleaned = base
    .replace(/[^0-9A-Za-z\u4e00-\u9fff._-]+/g, '_')
    .replace(/^[._]+/, '')
    .replace(/\.{2,}/g, '.');
  const chars = Array.from(cleaned);
  if (chars.length <= max) return cleaned || fallback;
  const dot = cleaned.lastIndexOf('.');
  const extension = dot > 0 ? Array.from(cleaned.slice(dot)).slice(0, 9).join('') : '';
  return chars.slice(0, max - Array.from(extension).length).join('') + extension;
}

export function importCloudPath(accountId: string, fileName: string, now: number = Date.now()): string {
  return `imports/${accountId}/${now}-${safeFileName(fileName)}`;
}

/**
 * Where a notice attachment is uploaded: the backend accepts only files under the author's own
 * folder. The random part keeps two files of one name picked together
 * (the same millisecond) from landing on one path and replacing each other.
 */
export function noticeCloudPath(accountId: string, fileName: string, now: number = Date.now(), random: () => number = Math.random): string {
  const tag = Math.floor(random() * 0x100000).toString(36);
  return `notice-files/${accountId}/${now}-${tag}-${safeFileName(fileName, FIELD_LIMITS.attachmentName, 'file')}`;
}

/** A new path per upload (time and a random tag): a replaced photo never overwrites the one a saved room still shows. */
export function roomPhotoCloudPath(accountId: string, tempFilePath: string, now: number = Date.now(), random: () => number = Math.random): string {
  const tag = Math.floor(random() * 0x100000).toString(36);
  return `room-photos/${accountId}/${now}-${tag}.${extensionOf(tempFilePath)}`;
}

/**
 * In the submission's folder, under a random name and nothing else: the request id, not the
 * account, keeps an anonymous proposal's images from naming their proposer, and no time in the
 * name says when they were picked.
 */
export function proposalImageCloudPath(requestId: string, tempFilePath: string, random: () => number = Math.random): string {
  return `proposal-images/${requestId}/${randomId(random)}.${extensionOf(tempFilePath)}`;
}

/** Steps of the progress a page hears of: nine files at once stay far under 20 setData a second. */
const PROGRESS_STEP = 10;

/**
 * Passes a task's progress on in steps of PROGRESS_STEP percent (and 100), each once, so a
 * page's setData follows the bar and no more.
 */
function progressListener(onProgress: UploadProgress | undefined): ((res: { progress: number }) => void) | null {
  if (!onProgress) return null;
  let last = -1;
  return (res) => {
    const exact = Math.max(0, Math.min(100, Math.floor(Number(res?.progress) || 0)));
    const percent = exact === 100 ? 100 : exact - (exact % PROGRESS_STEP);
    if (percent === last) return;
    last = percent;
    onProgress(percent);
  };
}

/** Follows an upload task's progress; a platform (or a stand-in) without one simply reports none. */
function watchProgress(task: unknown, onProgress: UploadProgress | undefined): void {
  const listener = progressListener(onProgress);
  const watchable = task as { onProgressUpdate?: (listener: (res: { progress: number }) => void) => void } | null | undefined;
  if (listener && watchable && typeof watchable.onProgressUpdate === 'function') watchable.onProgressUpdate(listener);
}

/** `cloud://<env>.<bucket>/avatars/u1/1.jpg` -> `avatars/u1/1.jpg`; null for anything else. */
export function cloudPathOf(fileId: string): string | null {
  const match = /^cloud:\/\/[^/]+\/(.+)$/.exec(fileId);
  return match ? match[1] : null;
}

function failure<T>(error: AppError): Result<T> {
  return { ok: false, error: { ...error } };
}

function parseUploadReply(statusCode: number, body: unknown, error: AppError): Result<string> {
  if (statusCode !== 200) return failure(error);
  let reply: unknown = body;
  if (typeof body === 'string') {
    try {
      reply = JSON.parse(body);
    } catch {
      return failure(error);
    }
  }
  const fileID = (reply as { fileID?: unknown } | null)?.fileID;
  return typeof fileID === 'string' && fileID ? { ok: true, data: fileID } : failure(error);
}

export function createFileService(config: RuntimeConfig): FileService {
  function uploadLocal(local: LocalRuntime, cloudPath: string, filePath: string, error: AppError, onProgress?: UploadProgress, onTask?: (task: UploadHandle) => void): Promise<Result<string>> {
    return new Promise((resolve) => {
      try {
        const task = wx.uploadFile({
          url: `${local.localBaseUrl}/storage/upload`,
          filePath,
          name: 'file',
          formData: { cloudPath },
          header: localIdentityHeaders(local),
          timeout: LOCAL_UPLOAD_TIMEOUT_MS,
          success: (res) => resolve(parseUploadReply(res.statusCode, res.data, error)),
          fail: () => resolve(failure(error)),
        });
        watchProgress(task, onProgress);
        offerTask(task, onTask);
      } catch {
        resolve(failure(error));
      }
    });
  }

  function uploadCloud(cloudPath: string, filePath: string, error: AppError): Promise<Result<string>> {
    try {
      return cloudFor(config)
        .uploadFile({ cloudPath, filePath })
        .then(
          (res) => (typeof res?.fileID === 'string' && res.fileID ? { ok: true as const, data: res.fileID } : failure<string>(error)),
          () => failure<string>(error),
        );
    } catch {
      return Promise.resolve(failure(error));
    }
  }

  function upload(cloudPath: string, filePath: string, error: AppError): Promise<Result<string>> {
    return config.transport === 'cloud' ? uploadCloud(cloudPath, filePath, error) : uploadLocal(config, cloudPath, filePath, error);
  }

  /**
   * An upload whose progress is followed. `wx.cloud.uploadFile` hands back its UploadTask only
   * when called with callbacks (its promise form has none).
   */
  function uploadWatched(cloudPath: string, filePath: string, error: AppError, onProgress?: UploadProgress, onTask?: (task: UploadHandle) => void): Promise<Result<string>> {
    if (config.transport !== 'cloud') return uploadLocal(config, cloudPath, filePath, error, onProgress, onTask);
    return new Promise((resolve) => {
      try {
        const task = cloudFor(config).uploadFile({
          cloudPath,
          filePath,
          success: (res) => resolve(typeof res?.fileID === 'string' && res.fileID ? { ok: true, data: res.fileID } : failure(error)),
          fail: () => resolve(failure(error)),
        });
        watchProgress(task, onProgress);
        offerTask(task, onTask);
      } catch {
        resolve(failure(error));
      }
    });
  }

  return {
    uploadAvatar(accountId, tempFilePath) {
      return upload(avatarCloudPath(accountId, tempFilePath), tempFilePath, UPLOAD_FAILED);
    },

    uploadImportFile(accountId, tempFilePath, fileName) {
      return upload(importCloudPath(accountId, fileName), tempFilePath, IMPORT_UPLOAD_FAILED);
    },

    uploadNoticeFile(accountId, tempFilePath, fileName, onProgress) {
      return uploadWatched(noticeCloudPath(accountId, fileName), tempFilePath, NOTICE_UPLOAD_FAILED, onProgress);
    },

    uploadRoomPhoto(accountId, tempFilePath, onProgress) {
      return uploadWatched(roomPhotoCloudPath(accountId, tempFilePath), tempFilePath, PHOTO_UPLOAD_FAILED, onProgress);
    },

    uploadProposalImage(requestId, tempFilePath, onProgress, onTask) {
      return uploadWatched(proposalImageCloudPath(requestId, tempFilePath), tempFilePath, PROPOSAL_UPLOAD_FAILED, onProgress, onTask);
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

let chosenFiles: FileService | null = null;

function defaultFiles(): FileService {
  if (!chosenFiles) chosenFiles = createFileService(runtimeConfig());
  return chosenFiles;
}

export const uploadAvatar: FileService['uploadAvatar'] = (accountId, tempFilePath) =>
  defaultFiles().uploadAvatar(accountId, tempFilePath);

export const displayUrl: FileService['displayUrl'] = (fileId) => defaultFiles().displayUrl(fileId);

/** Uploads a chosen roster file (CSV or XLSX) for import by the signed-in admin; resolves with its file id. */
export function uploadImportFile(tempFilePath: string, fileName: string): Promise<Result<string>> {
  return ensureSession().then((session) =>
    session.ok ? defaultFiles().uploadImportFile(session.data.id, tempFilePath, fileName) : { ok: false as const, error: session.error },
  );
}

/** Uploads a notice attachment of the signed-in author (`accountId`), reporting progress; resolves with its file id. */
export const uploadNoticeFile: FileService['uploadNoticeFile'] = (accountId, tempFilePath, fileName, onProgress) =>
  defaultFiles().uploadNoticeFile(accountId, tempFilePath, fileName, onProgress);

/** Uploads a room photo of the signed-in admin (`accountId`), reporting progress; resolves with its file id. */
export const uploadRoomPhoto: FileService['uploadRoomPhoto'] = (accountId, tempFilePath, onProgress) =>
  defaultFiles().uploadRoomPhoto(accountId, tempFilePath, onProgress);

/** Uploads an image of the proposal being written (`requestId` names its folder), reporting progress; resolves with its file id. */
export const uploadProposalImage: FileService['uploadProposalImage'] = (requestId, tempFilePath, onProgress, onTask) =>
  defaultFiles().uploadProposalImage(requestId, tempFilePath, onProgress, onTask);

/**
 * Where a downloaded document is kept under its own name, so 打开方式 and 转发 from
 * wx.openDocument's menu show `报名表.xlsx`, not a temporary name. Undefined where the runtime
 * has no user data folder (the download then keeps WeChat's temporary name).
 */
export function namedDownloadPath(fileName: string, now: number = Date.now()): string | undefined {
  const folder = typeof wx !== 'undefined' ? (wx as { env?: { USER_DATA_PATH?: string } }).env?.USER_DATA_PATH : undefined;
  if (!folder) return undefined;
  // A folder per download: two files of one name never overwrite each other.
  return `${folder}/${now.toString(36)}-${safeFileName(fileName, FIELD_LIMITS.attachmentName, 'file')}`;
}
