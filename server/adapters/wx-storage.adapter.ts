/** Cloud storage through wx-server-sdk (the local cloud answers the same storage actions). */
import type { FileStoragePort } from '../ports/storage.port';
import { wxCloud } from './wx-cloud.adapter';

interface FileStatus {
  fileID: string;
  status: number;
}

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
};
