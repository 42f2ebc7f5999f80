/**
 * Cloud storage as the functions need it: files the mini-program uploaded, by file id, and
 * files the functions hand out (exports they generate, private notice attachments).
 */
export interface FileStoragePort {
  /** Whether the file exists (a `cloud://` file id). */
  exists(fileId: string): Promise<boolean>;
  /** Removes files; a file that is already gone is not an error. */
  remove(fileIds: string[]): Promise<void>;
  /** The file's bytes, or null when there is no such file. */
  download(fileId: string): Promise<Uint8Array | null>;
  /** Stores the bytes at `cloudPath` (replacing a file there) and returns the file id. */
  upload(cloudPath: string, content: Uint8Array): Promise<string>;
  /**
   * Temporary download links by file id, valid `maxAgeSeconds` (a positive whole number); a file
   * that does not exist is absent from the map. Links expire: hand them out, never store them.
   */
  temporaryUrls(fileIds: readonly string[], maxAgeSeconds: number): Promise<Map<string, string>>;
}
