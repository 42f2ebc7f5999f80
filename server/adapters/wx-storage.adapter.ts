/** Cloud storage through wx-server-sdk (the local cloud answers the same storage actions). */
import type { FileStoragePort } from '../ports/storage.port';
import { wxCloud } from './wx-cloud.adapter';

interface FileStatus {
  fileID: string;
  status: number;
}

interface TempUrlItem extends FileStatus {
  tempFileURL: string;
}

/** getTempFileURL takes at most this many file ids per call (platform-facts section 8). */
const TEMP_URL_BATCH = 50;
const TEMP_URL_PARALLEL = 4;

/** wx-server-sdk's code for STORAGE_FILE_NONEXIST when it maps CloudBase codes to numbers. */
const FILE_NONEXIST_ERRCODE = -503003;

/**
 * downloadFile asks for a temporary URL first; @cloudbase/node-sdk throws that item's code
 * (`STORAGE_FILE_NONEXIST`) and wx-server-sdk rethrows it with errCode -1 and the code kept.
 * The numeric form covers the SDK's other path, where it maps the code itself.
 */
function isMissingFile(error: unknown): boolean {
  const e = error as { code?: unknown; errCode?: unknown } | null;
  return e?.code === 'STORAGE_FILE_NONEXIST' || e?.errCode === FILE_NONEXIST_ERRCODE;
}

export const wxFileStorage: FileStoragePort = {
  async exists(fileId) {
    const { fileList } = (await wxCloud().getTempFileURL({ fileList: [fileId] })) as { fileList: FileStatus[] };
    return fileList.some((file) => file.fileID === fileId && file.status === 0);
  },
  async remove(fileIds) {
    if (fileIds.length === 0) return;
    await wxCloud().deleteFile({ fileList: fileIds });
  },
  async download(fileId) {
    try {
      const { fileContent } = (await wxCloud().downloadFile({ fileID: fileId })) as { fileContent: Buffer };
      return fileContent;
    } catch (error) {
      if (isMissingFile(error)) return null;
      throw error;
    }
  },
  async upload(cloudPath, content) {
    const fileContent = Buffer.from(content.buffer, content.byteOffset, content.byteLength);
    const { fileID } = (await wxCloud().uploadFile({ cloudPath, fileContent })) as { fileID?: unknown };
    if (typeof fileID !== 'string' || fileID === '') throw new Error(`uploadFile returned no file id for ${cloudPath}`);
    return fileID;
  },
  async temporaryUrls(fileIds, maxAgeSeconds) {
    if (!Number.isInteger(maxAgeSeconds) || maxAgeSeconds < 1) throw new RangeError(`maxAgeSeconds must be a positive whole number: ${maxAgeSeconds}`);
    const unique = [...new Set(fileIds)];
    const batches: string[][] = [];
    for (let i = 0; i < unique.length; i += TEMP_URL_BATCH) batches.push(unique.slice(i, i + TEMP_URL_BATCH));
    const urls = new Map<string, string>();
    // A few calls at a time: a long list stays quick without flooding the storage API.
    for (let i = 0; i < batches.length; i += TEMP_URL_PARALLEL) {
      const replies = await Promise.all(
        batches.slice(i, i + TEMP_URL_PARALLEL).map(async (batch) => {
          const { fileList } = (await wxCloud().getTempFileURL({ fileList: batch.map((fileID) => ({ fileID, maxAge: maxAgeSeconds })) })) as { fileList: TempUrlItem[] };
          return fileList;
        }),
      );
      for (const file of replies.flat()) {
        // A missing file is a per-item status (-503003), not a failed call.
        if (file.status === 0 && file.tempFileURL) urls.set(file.fileID, file.tempFileURL);
      }
    }
    return urls;
  },
};
