/**
 * Whether a cloud file id names a file inside a person's own upload folder. Pages upload under
 * `<folder>/<account id>/`, so a request naming any other file (someone else's, or a path that
 * climbs out with `..`) is refused wherever a file id arrives from a client.
 */
export interface UploadRule {
  /** Whether files may sit in sub-folders of the person's folder (notice attachments do). */
  subfolders: boolean;
}

/** The path inside the environment's storage of a `cloud://<env>.<bucket>/<path>` id; null otherwise. */
export function cloudPathOf(fileId: string): string | null {
  const match = /^cloud:\/\/[^/]+\/(.+)$/.exec(fileId);
  return match ? match[1] : null;
}

export function isUploadUnder(fileId: string, folder: string, accountId: string, rule: UploadRule): boolean {
  if (fileId.length > 1024) return false;
  const path = cloudPathOf(fileId);
  const prefix = `${folder}/${accountId}/`;
  if (!path || !path.startsWith(prefix)) return false;
  const segments = path.slice(prefix.length).split('/');
  if (!rule.subfolders && segments.length > 1) return false;
  return !segments.some((segment) => segment === '' || segment === '.' || segment === '..');
}
