/** Cloud storage through wx-server-sdk (the local cloud answers the same storage actions). */
import type { FileStoragePort } from '../ports/storage.port';
import { wxCloud } from './wx-cloud.adapter';

interface FileStatus {
  fileID: string;
  status: number;
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
};
