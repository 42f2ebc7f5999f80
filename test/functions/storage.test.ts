/**
 * Cloud storage in the local cloud: the mini-program's multipart upload, the download route,
 * and what a function sees through the real wx-server-sdk (uploadFile, getTempFileURL,
 * downloadFile, deleteFile), including the platform's per-file code for a missing file.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningLocalCloud } from '../../local-cloud/src/server';
import { LOCAL_STORAGE_PREFIX, MAX_FILE_BYTES, cloudPathOf } from '../../local-cloud/src/stand-ins/storage';
import { wxFileStorage } from '../../server/adapters/wx-storage.adapter';
import { buildFixtureFunctions, call, startTestCloud } from '../helpers/local-cloud';

type Reply<T> = { ok: true; data: T } | { ok: false; error: { errCode: number; code: string | null; errMsg: string } };
interface TempUrlItem {
  fileID: string;
  tempFileURL: string;
  status: number;
  errMsg: string;
}
interface DeleteItem {
  fileID: string;
  status: number;
  errMsg: string;
}
interface UploadReply {
  fileID?: string;
  errCode?: number;
  errMsg?: string;
}

let functionsDir: string;
let cloud: RunningLocalCloud;

beforeAll(async () => {
  functionsDir = buildFixtureFunctions();
  cloud = await startTestCloud({ functionsDir, extraCollections: [{ name: 'probe', indexes: [] }] });
});

afterAll(async () => {
  await cloud.close();
});

/** Every byte value, CRLFs, a blank line and a fake delimiter: what a naive parser gets wrong. */
function trickyBytes(boundary: string): Buffer {
  const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  return Buffer.concat([
    Buffer.from('\r\n'),
    all,
    Buffer.from(`\r\n\r\n--${boundary.slice(0, -1)}\r\n--\r\n`, 'latin1'),
    Buffer.from(all).reverse(),
    Buffer.from('\r\n'),
  ]);
}

async function uploadForm(target: RunningLocalCloud, cloudPath: string, content: Buffer, type = 'application/octet-stream', filename = 'upload.bin'): Promise<{ status: number; body: UploadReply }> {
  const form = new FormData();
  form.append('cloudPath', cloudPath);
  form.append('file', new Blob([new Uint8Array(content)], { type }), filename);
  const response = await fetch(`${target.url}/storage/upload`, { method: 'POST', body: form });
  return { status: response.status, body: (await response.json()) as UploadReply };
}

async function uploadRaw(target: RunningLocalCloud, contentType: string, body: Buffer): Promise<{ status: number; body: UploadReply }> {
  const response = await fetch(`${target.url}/storage/upload`, { method: 'POST', headers: { 'Content-Type': contentType }, body: new Uint8Array(body) });
  return { status: response.status, body: (await response.json()) as UploadReply };
}

async function fetchFile(target: RunningLocalCloud, cloudPath: string): Promise<{ status: number; type: string | null; bytes: Buffer }> {
  // Encoded per segment, as the mini-program's displayUrl() builds an <image src>.
  const encoded = cloudPath.split('/').map(encodeURIComponent).join('/');
  const response = await fetch(`${target.url}/storage/files/${encoded}`);
  return { status: response.status, type: response.headers.get('content-type'), bytes: Buffer.from(await response.arrayBuffer()) };
}

async function probe<T>(target: RunningLocalCloud, event: Record<string, unknown>): Promise<Reply<T>> {
  const reply = await call<Reply<T>>(target, 'storage-probe', event, { openid: 'storage-user' });
  expect(reply.status).toBe(200);
  return reply.body;
}

function data<T>(reply: Reply<T>): T {
  if (!reply.ok) throw new Error(`the function failed: ${JSON.stringify(reply.error)}`);
  return reply.data;
}

function allPaths(target: RunningLocalCloud): string[] {
  return target.cloud.storage.list().map((f) => f.cloudPath);
}

test('a multipart upload round-trips every byte exactly, and the function reads it through the SDK', async () => {
  const content = trickyBytes('formdata-undici-0');
  const cloudPath = 'avatars/u1/bytes.bin';
  const uploaded = await uploadForm(cloud, cloudPath, content, 'application/x-probe');
  expect(uploaded).toEqual({ status: 200, body: { fileID: `${LOCAL_STORAGE_PREFIX}${cloudPath}` } });
  expect(uploaded.body.fileID).toBe('cloud://local.xintong-local-1300000000/avatars/u1/bytes.bin');

  const served = await fetchFile(cloud, cloudPath);
  expect(served.status).toBe(200);
  expect(served.type).toBe('application/x-probe');
  expect(served.bytes.equals(content)).toBe(true);

  const urls = data(await probe<TempUrlItem[]>(cloud, { action: 'tempUrl', fileList: [uploaded.body.fileID] }));
  expect(urls).toHaveLength(1);
  expect(urls[0]).toMatchObject({ fileID: uploaded.body.fileID, status: 0, errMsg: 'ok' });
  // What the SDK's getFileInfo asks: size and type, without the bytes.
  const head = await fetch(urls[0].tempFileURL, { method: 'HEAD' });
  expect([head.status, head.headers.get('content-length'), head.headers.get('content-type')]).toEqual([200, String(content.length), 'application/x-probe']);
  const viaUrl = await fetch(urls[0].tempFileURL);
  expect(viaUrl.status).toBe(200);
  expect(Buffer.from(await viaUrl.arrayBuffer()).equals(content)).toBe(true);

  const downloaded = data(await probe<{ base64: string; statusCode: number }>(cloud, { action: 'download', fileID: uploaded.body.fileID }));
  expect(downloaded.statusCode).toBe(200);
  expect(Buffer.from(downloaded.base64, 'base64').equals(content)).toBe(true);

  const listing = (await (await fetch(`${cloud.url}/_local/storage?prefix=avatars/u1/`)).json()) as { files: Array<Record<string, unknown>> };
  expect(listing.files).toEqual([expect.objectContaining({ cloudPath, fileID: uploaded.body.fileID, size: content.length, contentType: 'application/x-probe' })]);
});

test('a hand-written body: preamble, quoted boundary, field after the file, Chinese names', async () => {
  const boundary = 'x:y=z "q"';
  const content = trickyBytes(boundary);
  const cloudPath = 'rosters/部门 一/名单.csv';
  const body = Buffer.concat([
    Buffer.from(`preamble to ignore\r\n--${boundary}\r\n`, 'latin1'),
    Buffer.from('Content-Disposition: form-data; name="file"; filename="名单.csv"\r\nContent-Type: text/csv\r\n\r\n', 'utf8'),
    content,
    Buffer.from(`\r\n--${boundary}\r\n`, 'latin1'),
    Buffer.from(`Content-Disposition: form-data; name="cloudPath"\r\n\r\n${cloudPath}\r\n--${boundary}--\r\nepilogue`, 'utf8'),
  ]);
  const uploaded = await uploadRaw(cloud, `multipart/form-data; boundary="x:y=z \\"q\\""`, body);
  expect(uploaded).toEqual({ status: 200, body: { fileID: `${LOCAL_STORAGE_PREFIX}${cloudPath}` } });

  const served = await fetchFile(cloud, cloudPath);
  expect(served.type).toBe('text/csv');
  expect(served.bytes.equals(content)).toBe(true);
  // The SDK runs the temporary URL through encodeURI before fetching it: non-ASCII must survive.
  const downloaded = data(await probe<{ base64: string }>(cloud, { action: 'download', fileID: uploaded.body.fileID }));
  expect(Buffer.from(downloaded.base64, 'base64').equals(content)).toBe(true);
});

test('deleteFile removes a file; a missing one gets the platform\'s per-file code, not a failed call', async () => {
  const cloudPath = 'avatars/u2/gone.png';
  const { body } = await uploadForm(cloud, cloudPath, Buffer.from('png bytes'), 'image/png', 'gone.png');
  const fileID = body.fileID as string;
  const missing = `${LOCAL_STORAGE_PREFIX}avatars/u2/never.png`;

  const deleted = data(await probe<DeleteItem[]>(cloud, { action: 'delete', fileList: [fileID, missing] }));
  expect(deleted).toEqual([
    { fileID, status: 0, errMsg: 'ok' },
    { fileID: missing, status: -503003, errMsg: 'storage file not exists' },
  ]);
  expect(cloud.cloud.storage.has(cloudPath)).toBe(false);
  expect((await fetchFile(cloud, cloudPath)).status).toBe(404);

  // Deleting again is no longer a success.
  const again = data(await probe<DeleteItem[]>(cloud, { action: 'delete', fileList: [fileID] }));
  expect(again).toEqual([{ fileID, status: -503003, errMsg: 'storage file not exists' }]);

  const urls = data(await probe<TempUrlItem[]>(cloud, { action: 'tempUrl', fileList: [fileID] }));
  expect(urls).toEqual([expect.objectContaining({ fileID, status: -503003, tempFileURL: '' })]);

  // downloadFile asks for a temporary URL first; the SDK rethrows the item's code.
  const download = await probe(cloud, { action: 'download', fileID });
  expect(download).toMatchObject({ ok: false, error: { code: 'STORAGE_FILE_NONEXIST', errMsg: 'downloadFile:fail storage file not exists' } });
});

test('getTempFileURL answers per file: existing ones succeed, missing and foreign ids get -503003', async () => {
  const { body } = await uploadForm(cloud, 'avatars/u3/here.jpg', Buffer.from([0xff, 0xd8, 0xff]), 'image/jpeg', 'here.jpg');
  const here = body.fileID as string;
  const foreign = 'cloud://prod-1a2b.7072-prod-1a2b-1300000001/avatars/u3/here.jpg';
  const urls = data(await probe<TempUrlItem[]>(cloud, { action: 'tempUrl', fileList: [here, `${LOCAL_STORAGE_PREFIX}nope.jpg`, foreign] }));
  expect(urls.map((u) => [u.fileID, u.status])).toEqual([
    [here, 0],
    [`${LOCAL_STORAGE_PREFIX}nope.jpg`, -503003],
    [foreign, -503003],
  ]);
  expect(urls[0].tempFileURL).toBe(`${cloud.url}/storage/files/avatars/u3/here.jpg`);
});

test('more than 50 file ids in one call are refused, as documented', async () => {
  const ids = Array.from({ length: 51 }, (_, i) => `${LOCAL_STORAGE_PREFIX}many/${i}.png`);
  expect(await probe(cloud, { action: 'tempUrl', fileList: ids })).toMatchObject({ ok: false, error: { code: 'INVALID_PARAM', errMsg: 'getTempFileURL:fail at most 50 files per call' } });
  expect(await probe(cloud, { action: 'delete', fileList: ids })).toMatchObject({ ok: false, error: { code: 'INVALID_PARAM', errMsg: 'deleteFile:fail at most 50 files per call' } });
  expect(data(await probe<TempUrlItem[]>(cloud, { action: 'tempUrl', fileList: ids.slice(0, 50) }))).toHaveLength(50);
});

test('bad cloud paths are rejected with 400 and store nothing', async () => {
  const before = allPaths(cloud);
  for (const cloudPath of ['../x', '/abs', '', 'a/../b', 'a/./b', 'a//b', 'a\\b', 'dir/', 'a?b', 'a#b', 'a%41', 'tab\there', 'x'.repeat(1025)]) {
    const reply = await uploadForm(cloud, cloudPath, Buffer.from('data'));
    expect([cloudPath, reply.status, reply.body.errCode]).toEqual([cloudPath, 400, -501007]);
  }
  expect(allPaths(cloud)).toEqual(before);
  // The longest allowed path is accepted.
  const longest = `${'y'.repeat(1020)}.txt`;
  expect((await uploadForm(cloud, longest, Buffer.from('ok'))).status).toBe(200);
  expect(cloud.cloud.storage.remove(longest)).toBe(true);
});

test('malformed uploads are rejected with 400', async () => {
  const before = allPaths(cloud);
  const noFile = new FormData();
  noFile.append('cloudPath', 'avatars/u4/a.png');
  expect((await fetch(`${cloud.url}/storage/upload`, { method: 'POST', body: noFile })).status).toBe(400);
  const noPath = new FormData();
  noPath.append('file', new Blob([new Uint8Array([1, 2, 3])]), 'a.png');
  expect((await fetch(`${cloud.url}/storage/upload`, { method: 'POST', body: noPath })).status).toBe(400);
  expect((await uploadRaw(cloud, 'application/json', Buffer.from('{"cloudPath":"a.png"}'))).status).toBe(400);
  // No closing delimiter: the body was cut off.
  const truncated = Buffer.from('--b\r\nContent-Disposition: form-data; name="cloudPath"\r\n\r\na.png\r\n--b\r\nContent-Disposition: form-data; name="file"; filename="a"\r\n\r\nabc', 'latin1');
  const reply = await uploadRaw(cloud, 'multipart/form-data; boundary=b', truncated);
  expect(reply).toMatchObject({ status: 400, body: { errCode: -501007 } });
  expect(allPaths(cloud)).toEqual(before);
});

test('files over 10 MB are rejected with 413 and store nothing; exactly 10 MB is accepted', async () => {
  const before = allPaths(cloud);
  const justOver = await uploadForm(cloud, 'big/over.bin', Buffer.alloc(MAX_FILE_BYTES + 1, 1));
  expect(justOver).toMatchObject({ status: 413, body: { errCode: -501001 } });
  // Far over: the body is drained, not parsed, and the client still gets the 413.
  const farOver = await uploadForm(cloud, 'big/far.bin', Buffer.alloc(MAX_FILE_BYTES + 2 * 1024 * 1024, 2));
  expect(farOver.status).toBe(413);
  expect(allPaths(cloud)).toEqual(before);

  const exact = Buffer.alloc(MAX_FILE_BYTES, 3);
  exact[exact.length - 1] = 4;
  expect((await uploadForm(cloud, 'big/exact.bin', exact)).status).toBe(200);
  const served = await fetchFile(cloud, 'big/exact.bin');
  expect(served.bytes.equals(exact)).toBe(true);
  expect(cloud.cloud.storage.remove('big/exact.bin')).toBe(true);
});

test('server-side uploadFile stores the file through getUploadMetadata and the signed PUT', async () => {
  const content = trickyBytes('server');
  const uploaded = data(await probe<{ fileID: string; statusCode: number }>(cloud, { action: 'upload', cloudPath: 'reports/2024/r.csv', base64: content.toString('base64') }));
  // statusCode is not asserted: wx-server-sdk 4.0.2 waits for a hook node-sdk never calls (-1).
  expect(uploaded.fileID).toBe(`${LOCAL_STORAGE_PREFIX}reports/2024/r.csv`);
  const served = await fetchFile(cloud, 'reports/2024/r.csv');
  // The SDK sends no content type: it comes from the extension, as on the platform.
  expect(served.type).toBe('text/csv');
  expect(served.bytes.equals(content)).toBe(true);
  // Uploading to the same path replaces the file.
  data(await probe(cloud, { action: 'upload', cloudPath: 'reports/2024/r.csv', base64: Buffer.from('v2').toString('base64') }));
  expect((await fetchFile(cloud, 'reports/2024/r.csv')).bytes.toString()).toBe('v2');
});

test('server-side uploads of a bad path or over 10 MB fail in the function and store nothing', async () => {
  const before = allPaths(cloud);
  const bad = await probe(cloud, { action: 'upload', cloudPath: '../escape.txt', base64: 'aGk=' });
  expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_PARAM', errMsg: 'uploadFile:fail cloudPath contains a . or .. segment' } });
  const big = await probe(cloud, { action: 'upload', cloudPath: 'big/server.bin', size: MAX_FILE_BYTES + 1 });
  expect(big).toMatchObject({ ok: false, error: { code: 'STORAGE_REQUEST_FAIL' } });
  expect((big as { error: { errMsg: string } }).error.errMsg).toContain('[EntityTooLarge]');
  expect(allPaths(cloud)).toEqual(before);
});

test('a PUT without a signature from getUploadMetadata is refused', async () => {
  const response = await fetch(`${cloud.url}/storage/cos/avatars/forged.png`, { method: 'PUT', headers: { Authorization: 'forged' }, body: 'x' });
  expect(response.status).toBe(403);
  expect(await response.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
  expect(cloud.cloud.storage.has('avatars/forged.png')).toBe(false);
});

test('cloudPathOf reads local file ids only', () => {
  expect(cloudPathOf(`${LOCAL_STORAGE_PREFIX}avatars/u1/1.jpg`)).toBe('avatars/u1/1.jpg');
  expect(cloudPathOf('cloud://other.bucket-1/avatars/u1/1.jpg')).toBeNull();
  expect(cloudPathOf(`${LOCAL_STORAGE_PREFIX}../x`)).toBeNull();
  expect(cloudPathOf(42)).toBeNull();
});

describe('the storage port\'s adapter on the real SDK', () => {
  // The SDK in this process, pointed at the local cloud as the cloud points a function's SDK
  // (test/db does the same); restored after, so instances started later do not inherit it.
  const sdkEnv = (url: string): Record<string, string> => ({
    TCB_CONTEXT_CNFG: JSON.stringify({ URL: `${url}/tcb/in-process` }),
    TCB_ENV: 'local',
    SCF_NAMESPACE: 'local',
    TENCENTCLOUD: 'true',
    TENCENTCLOUD_SECRETID: 'local-placeholder-secret-id',
    TENCENTCLOUD_SECRETKEY: 'local-placeholder-secret-key',
  });
  const saved: Record<string, string | undefined> = {};

  beforeAll(() => {
    for (const [key, value] of Object.entries(sdkEnv(cloud.url))) {
      saved[key] = process.env[key];
      process.env[key] = value;
    }
  });

  afterAll(() => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  test('download gives the exact bytes of an uploaded file, and null for a missing one', async () => {
    const content = trickyBytes('adapter');
    const { body } = await uploadForm(cloud, 'rosters/adapter/名单.bin', content);
    const fileID = body.fileID as string;
    const downloaded = await wxFileStorage.download(fileID);
    expect(downloaded).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(downloaded as Uint8Array).equals(content)).toBe(true);

    await expect(wxFileStorage.download(`${LOCAL_STORAGE_PREFIX}rosters/adapter/never.bin`)).resolves.toBeNull();
    // Gone after a delete through the same adapter.
    await wxFileStorage.remove([fileID]);
    await expect(wxFileStorage.download(fileID)).resolves.toBeNull();
  });

  test('other failures are rethrown, not taken for a missing file', async () => {
    const { body } = await uploadForm(cloud, 'rosters/adapter/kept.bin', Buffer.from('kept'));
    const endpoint = process.env.TCB_CONTEXT_CNFG;
    // A wrong endpoint: the call itself fails (HTTP 404), which says nothing about the file.
    process.env.TCB_CONTEXT_CNFG = JSON.stringify({ URL: `${cloud.url}/no-such-endpoint` });
    try {
      await expect(wxFileStorage.download(body.fileID as string)).rejects.toMatchObject({ errCode: -1, errMsg: expect.stringContaining('404 Not Found') });
    } finally {
      process.env.TCB_CONTEXT_CNFG = endpoint;
    }
    expect(Buffer.from((await wxFileStorage.download(body.fileID as string)) as Uint8Array).toString()).toBe('kept');
  });
});

describe('with a data folder', () => {
  let dataDir: string;

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'xintong-storage-'));
  });

  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  const open = () => startTestCloud({ functionsDir, dataDir, extraCollections: [{ name: 'probe', indexes: [] }] });

  test('files survive a restart with their content type; deletions do too; interrupted writes vanish', async () => {
    const content = trickyBytes('persist');
    const first = await open();
    let kept: string;
    try {
      kept = (await uploadForm(first, 'avatars/p1/kept.webp', content, 'image/webp', 'kept.webp')).body.fileID as string;
      await uploadForm(first, 'avatars/p1/dropped.png', Buffer.from('bye'), 'image/png', 'dropped.png');
      data(await probe(first, { action: 'upload', cloudPath: 'reports/p1.xlsx', base64: content.toString('base64') }));
      data(await probe(first, { action: 'delete', fileList: [`${LOCAL_STORAGE_PREFIX}avatars/p1/dropped.png`] }));
    } finally {
      await first.close();
    }
    // What a crash in the middle of a write leaves behind: a temp file that was never renamed.
    const objects = join(dataDir, 'storage', 'objects');
    writeFileSync(join(objects, `${'0'.repeat(64)}.abc123.tmp`), 'half a file');

    const second = await open();
    try {
      expect(allPaths(second)).toEqual(['avatars/p1/kept.webp', 'reports/p1.xlsx']);
      const served = await fetchFile(second, 'avatars/p1/kept.webp');
      expect(served.type).toBe('image/webp');
      expect(served.bytes.equals(content)).toBe(true);
      expect((await fetchFile(second, 'reports/p1.xlsx')).type).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
      expect((await fetchFile(second, 'avatars/p1/dropped.png')).status).toBe(404);
      const downloaded = data(await probe<{ base64: string }>(second, { action: 'download', fileID: kept }));
      expect(Buffer.from(downloaded.base64, 'base64').equals(content)).toBe(true);
      expect(readdirSync(objects).some((name) => name.endsWith('.tmp'))).toBe(false);
    } finally {
      await second.close();
    }
  });
});
