/**
 * Uploads a room's photo under `room-photos/<account id>/`, the only folder the room function
 * accepts a photo from, with progress in steps of ten percent, by either transport.
 *
 * It belongs in services/files.ts beside the notice attachments (a FileService method
 * `uploadRoomPhoto`); it lives here until that file takes it, so nothing else calls it.
 */
import type { AppError, Result } from '../../../../../typings';
import { runtimeConfig } from '../../../../config/launch';
import { extensionOf, type UploadProgress } from '../../../../services/files';
import { cloudFor, localIdentityHeaders } from '../../../../services/transport';

export const PHOTO_UPLOAD_FAILED: AppError = { code: 'NETWORK_ERROR', message: '照片上传失败，请重试' };

/** Local uploads wait this long before they count as failed, as the other uploads do. */
const LOCAL_UPLOAD_TIMEOUT_MS = 30000;

/** A new path per upload (time and a random tag): a replaced photo never overwrites the one a saved room still shows. */
export function roomPhotoCloudPath(accountId: string, tempFilePath: string, now: number = Date.now(), random: () => number = Math.random): string {
  const tag = Math.floor(random() * 0x100000).toString(36);
  return `room-photos/${accountId}/${now}-${tag}.${extensionOf(tempFilePath)}`;
}

function progressIn10s(onProgress: UploadProgress | undefined): (res: { progress: number }) => void {
  let last = -1;
  return (res) => {
    const exact = Math.max(0, Math.min(100, Math.floor(Number(res?.progress) || 0)));
    const percent = exact === 100 ? 100 : exact - (exact % 10);
    if (percent === last || !onProgress) return;
    last = percent;
    onProgress(percent);
  };
}

function follow(task: unknown, onProgress: UploadProgress | undefined): void {
  const watchable = task as { onProgressUpdate?: (listener: (res: { progress: number }) => void) => void } | null | undefined;
  if (onProgress && typeof watchable?.onProgressUpdate === 'function') watchable.onProgressUpdate(progressIn10s(onProgress));
}

function fileIdOf(reply: unknown): string | null {
  let parsed = reply;
  if (typeof reply === 'string') {
    try {
      parsed = JSON.parse(reply);
    } catch {
      return null;
    }
  }
  const fileID = (parsed as { fileID?: unknown } | null)?.fileID;
  return typeof fileID === 'string' && fileID ? fileID : null;
}

/** Uploads the chosen image of `accountId` (the signed-in admin); resolves with its file id. Never rejects. */
export function uploadRoomPhoto(accountId: string, tempFilePath: string, onProgress?: UploadProgress): Promise<Result<string>> {
  const config = runtimeConfig();
  const cloudPath = roomPhotoCloudPath(accountId, tempFilePath);
  const failed: Result<string> = { ok: false, error: { ...PHOTO_UPLOAD_FAILED } };
  return new Promise((resolve) => {
    const settle = (fileId: string | null) => resolve(fileId ? { ok: true, data: fileId } : failed);
    try {
      const task =
        config.transport === 'cloud'
          ? cloudFor(config).uploadFile({ cloudPath, filePath: tempFilePath, success: (res) => settle(fileIdOf(res)), fail: () => resolve(failed) })
          : wx.uploadFile({
              url: `${config.localBaseUrl}/storage/upload`,
              filePath: tempFilePath,
              name: 'file',
              formData: { cloudPath },
              header: localIdentityHeaders(config),
              timeout: LOCAL_UPLOAD_TIMEOUT_MS,
              success: (res) => settle(res.statusCode === 200 ? fileIdOf(res.data) : null),
              fail: () => resolve(failed),
            });
      follow(task, onProgress);
    } catch {
      resolve(failed);
    }
  });
}
