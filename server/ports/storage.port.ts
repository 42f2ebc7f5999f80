/** Cloud storage as the functions need it: files the mini-program uploaded, by file id. */
export interface FileStoragePort {
  /** Whether the file exists (a `cloud://` file id). */
  exists(fileId: string): Promise<boolean>;
  /** Removes files; a file that is already gone is not an error. */
  remove(fileIds: string[]): Promise<void>;
  /** The file's bytes, or null when there is no such file. */
  download(fileId: string): Promise<Uint8Array | null>;
}
