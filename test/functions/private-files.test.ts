/**
 * Private files in the local cloud's storage (notice attachments, exports): a plain download
 * URL is refused whatever the path, and only a temporary URL a function got from
 * getTempFileURL (signed, expiring) serves the bytes. Public files (avatars) stay plain.
 */
import { request } from 'node:http';
import type { RunningLocalCloud } from '../../local-cloud/src/server';
import { LOCAL_STORAGE_PREFIX, MAX_DOWNLOAD_MAX_AGE_SECONDS } from '../../local-cloud/src/stand-ins/storage';
import { buildFixtureFunctions, call, startTestCloud } from '../helpers/local-cloud';

type Reply<T> = { ok: true; data: T } | { ok: false; error: { code: string | null; errMsg: string } };
interface TempUrlItem {
  fileID: string;
  tempFileURL: string;
  maxAge: number;
  status: number;
}

let cloud: RunningLocalCloud;

beforeAll(async () => {
  cloud = await startTestCloud({ functionsDir: buildFixtureFunctions(), extraCollections: [{ name: 'probe', indexes: [] }] });
});

afterAll(async () => {
  await cloud.close();
});

/** As the mini-program's wx.uploadFile sends it in local mode. */
async function upload(cloudPath: string, content: Buffer, type: string): Promise<string> {
  const form = new FormData();
  form.append('cloudPath', cloudPath);
  form.append('file', new Blob([new Uint8Array(content)], { type }), cloudPath.split('/').pop());
  const response = await fetch(`${cloud.url}/storage/upload`, { method: 'POST', body: form });
  expect(response.status).toBe(200);
  return ((await response.json()) as { fileID: string }).fileID;
}

async function probe<T>(event: Record<string, unknown>): Promise<T> {
  const reply = await call<Reply<T>>(cloud, 'private-probe', event, { openid: 'notice-reader' });
  expect(reply.status).toBe(200);
  if (!reply.body.ok) throw new Error(`the function failed: ${JSON.stringify(reply.body.error)}`);
  return reply.body.data;
}

async function tempUrl(fileID: string, maxAge?: number): Promise<TempUrlItem> {
  const [item] = await probe<TempUrlItem[]>({ action: 'tempUrl', fileList: [maxAge === undefined ? fileID : { fileID, maxAge }] });
  expect(item.status).toBe(0);
  return item;
}

/** Encoded per segment, as the mini-program builds an `<image src>` from a file id. */
function plainUrl(cloudPath: string): string {
  return `${cloud.url}/storage/files/${cloudPath.split('/').map(encodeURIComponent).join('/')}`;
}

async function get(url: string, method = 'GET'): Promise<{ status: number; text: string; bytes: Buffer }> {
  const response = await fetch(url, { method });
  const bytes = Buffer.from(await response.arrayBuffer());
  return { status: response.status, text: bytes.toString('utf8'), bytes };
}

/** A GET whose path goes out exactly as written (fetch would resolve dot segments itself). */
function rawStatus(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: new URL(cloud.url).hostname, port: cloud.port, path }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

function withQuery(url: string, change: (query: URLSearchParams) => void): string {
  const parsed = new URL(url);
  change(parsed.searchParams);
  return parsed.toString();
}

const PDF = Buffer.from('%PDF-1.4 notice attachment\n%%EOF\n');

test('a private file is refused to a plain URL and served to the temporary URL of getTempFileURL', async () => {
  const fileID = await upload('notice-files/u1/a.pdf', PDF, 'application/pdf');
  expect(fileID).toBe(`${LOCAL_STORAGE_PREFIX}notice-files/u1/a.pdf`);

  const plain = await get(plainUrl('notice-files/u1/a.pdf'));
  expect(plain.status).toBe(403);
  expect(plain.text).toContain('<Code>AccessDenied</Code>');
  expect(plain.text).not.toContain('notice attachment');
  expect((await get(plainUrl('notice-files/u1/a.pdf'), 'HEAD')).status).toBe(403);

  const item = await tempUrl(fileID);
  expect(item.tempFileURL).toMatch(new RegExp(`^${cloud.url}/storage/files/notice-files/u1/a\\.pdf\\?sign=[0-9a-f]{64}&t=\\d+$`));
  const served = await get(item.tempFileURL);
  expect(served.status).toBe(200);
  expect(served.bytes.equals(PDF)).toBe(true);
  const head = await fetch(item.tempFileURL, { method: 'HEAD' });
  expect([head.status, head.headers.get('content-type'), head.headers.get('content-length')]).toEqual([200, 'application/pdf', String(PDF.length)]);
});

test('a guessed private path answers 403 whether or not the file exists', async () => {
  await upload('notice-exports/n1/readers.xlsx', Buffer.from('xlsx'), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  const existing = await get(plainUrl('notice-exports/n1/readers.xlsx'));
  const missing = await get(plainUrl('notice-exports/n1/nobody.xlsx'));
  expect([existing.status, missing.status]).toEqual([403, 403]);
  expect(existing.text.replace(/<(Resource|RequestId|TraceId)>.*<\/\1>/g, '')).toBe(missing.text.replace(/<(Resource|RequestId|TraceId)>.*<\/\1>/g, ''));
  // Spelled through a public folder: resolved as a URL before the check, or refused as a path.
  expect(await rawStatus('/storage/files/avatars/%2E%2E/notice-exports/n1/readers.xlsx')).toBe(403);
  expect(await rawStatus('/storage/files/avatars/../notice-exports/n1/readers.xlsx')).toBe(403);
  expect(await rawStatus('/storage/files/avatars/..%2Fnotice-exports%2Fn1%2Freaders.xlsx')).toBe(404);
});

test('a changed signature, expiry or path is refused', async () => {
  const fileID = await upload('notice-files/u1/b.pdf', PDF, 'application/pdf');
  await upload('notice-files/u2/secret.pdf', Buffer.from('another audience'), 'application/pdf');
  const { tempFileURL } = await tempUrl(fileID);
  const sign = new URL(tempFileURL).searchParams.get('sign') as string;
  const t = Number(new URL(tempFileURL).searchParams.get('t'));

  const tampered = withQuery(tempFileURL, (q) => q.set('sign', `${sign.slice(0, -1)}${sign.endsWith('0') ? '1' : '0'}`));
  const later = withQuery(tempFileURL, (q) => q.set('t', String(t + 3600)));
  const signOnly = withQuery(tempFileURL, (q) => q.delete('t'));
  const otherFile = tempFileURL.replace('notice-files/u1/b.pdf', 'notice-files/u2/secret.pdf');
  for (const url of [tampered, later, signOnly, otherFile]) {
    const refused = await get(url);
    expect([url, refused.status]).toEqual([url, 403]);
    expect(refused.text).toContain('<Code>SignatureDoesNotMatch</Code>');
  }
  expect((await get(tempFileURL)).status).toBe(200);
});

test('an expired temporary URL is refused', async () => {
  await upload('notice-files/u1/c.pdf', PDF, 'application/pdf');
  // A correct signature whose expiry is a minute ago.
  const { sign, t } = cloud.cloud.storage.signDownload('notice-files/u1/c.pdf', -60);
  const expired = await get(`${plainUrl('notice-files/u1/c.pdf')}?sign=${sign}&t=${t}`);
  expect(expired.status).toBe(403);
  expect(expired.text).toContain('<Message>Request has expired</Message>');
});

test('getTempFileURL honours maxAge, up to a day', async () => {
  const fileID = await upload('notice-files/u1/d.pdf', PDF, 'application/pdf');
  const before = Math.floor(Date.now() / 1000);
  const short = await tempUrl(fileID, 120);
  const long = await tempUrl(fileID, 30 * 86_400);
  const after = Math.floor(Date.now() / 1000);
  const expiry = (url: string): number => Number(new URL(url).searchParams.get('t'));
  expect(short.maxAge).toBe(120);
  expect(expiry(short.tempFileURL)).toBeGreaterThanOrEqual(before + 120);
  expect(expiry(short.tempFileURL)).toBeLessThanOrEqual(after + 120);
  expect(long.maxAge).toBe(MAX_DOWNLOAD_MAX_AGE_SECONDS);
  expect(expiry(long.tempFileURL)).toBeLessThanOrEqual(after + MAX_DOWNLOAD_MAX_AGE_SECONDS);
});

test('functions read and write private files through the SDK (downloadFile fetches the signed URL)', async () => {
  const content = Buffer.from('姓名,学号\n张三,2026001\n', 'utf8');
  const fileID = await upload('notice-files/u1/报名表.csv', content, 'text/csv');
  const downloaded = await probe<{ base64: string }>({ action: 'download', fileID });
  expect(Buffer.from(downloaded.base64, 'base64').equals(content)).toBe(true);

  const exported = await probe<{ fileID: string }>({ action: 'upload', cloudPath: 'notice-exports/n2/已读名单.xlsx', base64: Buffer.from('xlsx bytes').toString('base64') });
  expect((await get(plainUrl('notice-exports/n2/已读名单.xlsx'))).status).toBe(403);
  const { tempFileURL } = await tempUrl(exported.fileID);
  // What wx.downloadFile does with the link the function hands out.
  const served = await get(encodeURI(tempFileURL));
  expect([served.status, served.text]).toEqual([200, 'xlsx bytes']);
});

test('avatars stay readable by a plain URL, and their temporary URL stays plain', async () => {
  const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0]);
  const fileID = await upload('avatars/u1/1.jpg', jpeg, 'image/jpeg');
  const plain = await get(plainUrl('avatars/u1/1.jpg'));
  expect(plain.status).toBe(200);
  expect(plain.bytes.equals(jpeg)).toBe(true);
  const item = await tempUrl(fileID);
  expect(item.tempFileURL).toBe(`${cloud.url}/storage/files/avatars/u1/1.jpg`);
  // A query on a public file changes nothing.
  expect((await get(`${plainUrl('avatars/u1/1.jpg')}?sign=nonsense&t=1`)).status).toBe(200);
});
