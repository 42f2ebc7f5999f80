/**
 * The storage adapter's upload and temporary links (what the notice function uses for exports
 * and private attachments), run inside a function on the real wx-server-sdk against the local
 * cloud, and the links fetched over HTTP as the mini-program's downloadFile would.
 */
import type { RunningLocalCloud } from '../../local-cloud/src/server';
import { LOCAL_STORAGE_PREFIX } from '../../local-cloud/src/stand-ins/storage';
import { writeXlsx, type XlsxSheet } from '../../server/core/xlsx-writer';
import { readFirstSheet } from '../../server/org/roster-file/xlsx';
import { buildFixtureFunctions, call, startTestCloud } from '../helpers/local-cloud';

type Reply<T> = { ok: true; data: T } | { ok: false; error: { errCode: unknown; code: unknown; errMsg: string } };

let cloud: RunningLocalCloud;

beforeAll(async () => {
  cloud = await startTestCloud({ functionsDir: buildFixtureFunctions(), extraCollections: [{ name: 'probe', indexes: [] }] });
});

afterAll(async () => {
  await cloud.close();
});

async function probe<T>(event: Record<string, unknown>): Promise<Reply<T>> {
  const reply = await call<Reply<T>>(cloud, 'storage-probe', event, { openid: 'storage-upload-user' });
  expect(reply.status).toBe(200);
  return reply.body;
}

function data<T>(reply: Reply<T>): T {
  if (!reply.ok) throw new Error(`the function failed: ${JSON.stringify(reply.error)}`);
  return reply.data;
}

async function fetchBytes(url: string): Promise<{ status: number; bytes: Buffer }> {
  const response = await fetch(url);
  return { status: response.status, bytes: Buffer.from(await response.arrayBuffer()) };
}

const upload = (cloudPath: string, content: Buffer) => probe<{ fileID: string; size: number }>({ action: 'portUpload', cloudPath, base64: content.toString('base64') });
const temporaryUrls = (fileIds: string[], maxAgeSeconds = 600) => probe<Record<string, string>>({ action: 'portTempUrls', fileIds, maxAgeSeconds });

test('upload returns the file id; its temporary URL serves exactly the uploaded bytes', async () => {
  const content = Buffer.from(Array.from({ length: 1024 }, (_, i) => (i * 7) % 256));
  const cloudPath = 'notice-exports/probe/已读名单.xlsx';
  const uploaded = data(await upload(cloudPath, content));
  expect(uploaded).toEqual({ fileID: `${LOCAL_STORAGE_PREFIX}${cloudPath}`, size: content.length });
  expect(cloud.cloud.storage.has(cloudPath)).toBe(true);

  const urls = data(await temporaryUrls([uploaded.fileID]));
  expect(Object.keys(urls)).toEqual([uploaded.fileID]);
  const served = await fetchBytes(urls[uploaded.fileID]);
  expect(served.status).toBe(200);
  expect(served.bytes.equals(content)).toBe(true);

  // Uploading to the same path replaces the file under the same id.
  const replaced = data(await upload(cloudPath, Buffer.from('v2')));
  expect(replaced.fileID).toBe(uploaded.fileID);
  const again = data(await temporaryUrls([uploaded.fileID]));
  expect((await fetchBytes(again[uploaded.fileID])).bytes.toString()).toBe('v2');
});

test('each link lives as long as asked: the lifetime reaches getTempFileURL as maxAge', async () => {
  const { fileID } = data(await upload('notice-files/probe/lifetime.pdf', Buffer.from('%PDF-1.4')));
  for (const maxAgeSeconds of [60, 900]) {
    const before = Math.floor(Date.now() / 1000);
    const urls = data(await temporaryUrls([fileID], maxAgeSeconds));
    const after = Math.ceil(Date.now() / 1000);
    // The local cloud signs private links with their expiry `t` (Unix seconds), as COS does.
    const expiry = Number(new URL(urls[fileID]).searchParams.get('t'));
    expect(expiry).toBeGreaterThanOrEqual(before + maxAgeSeconds);
    expect(expiry).toBeLessThanOrEqual(after + maxAgeSeconds);
  }
});

test('a workbook built inside the function downloads byte-identical to one built here, and reads back', async () => {
  const sheets: XlsxSheet[] = [
    { name: '未读', rows: [['姓名', '学号', '单位'], ['张三', '2024000001', '计算机学院/1班'], ['李四', '2024000002', `<&>"'`]], columnWidths: [10, 14, 24] },
  ];
  const cloudPath = 'notice-exports/probe/未读名单.xlsx';
  const { fileID } = data(await probe<{ fileID: string }>({ action: 'portUpload', cloudPath, sheets }));
  const urls = data(await temporaryUrls([fileID]));
  const served = await fetchBytes(urls[fileID]);
  expect(served.status).toBe(200);
  // Deterministic across processes: the function's bundle and this process write the same bytes.
  expect(served.bytes.equals(Buffer.from(writeXlsx(sheets)))).toBe(true);
  expect(readFirstSheet(served.bytes)).toEqual(sheets[0].rows);
});

test('120 ids (three getTempFileURL calls of at most 50): every existing file gets its own link, missing ones are absent', async () => {
  const present: string[] = [];
  for (let i = 0; i < 100; i++) {
    const cloudPath = `notice-files/probe/many/${i}.txt`;
    present.push(cloud.cloud.storage.put(cloudPath, Buffer.from(`file ${i}`), 'text/plain').fileID);
  }
  const missing = Array.from({ length: 20 }, (_, i) => `${LOCAL_STORAGE_PREFIX}notice-files/probe/many/missing-${i}.txt`);
  // Missing ids interleaved, so that every batch has some of each; a repeated id is asked once.
  const asked = [...present.slice(0, 40), ...missing.slice(0, 10), ...present.slice(40), ...missing.slice(10), present[0]];
  expect(new Set(asked).size).toBe(120);

  const urls = data(await temporaryUrls(asked));
  expect(Object.keys(urls).sort()).toEqual([...present].sort());
  for (const id of missing) expect(urls[id]).toBeUndefined();
  const bodies = await Promise.all(present.map(async (id) => (await fetchBytes(urls[id])).bytes.toString()));
  expect(bodies).toEqual(present.map((_, i) => `file ${i}`));
});

test('no ids: an empty map; a lifetime that is not a positive whole number is refused', async () => {
  expect(data(await temporaryUrls([]))).toEqual({});
  for (const maxAgeSeconds of [0, -1, 1.5]) {
    expect(await temporaryUrls([`${LOCAL_STORAGE_PREFIX}notice-files/x.txt`], maxAgeSeconds)).toMatchObject({ ok: false, error: { errMsg: expect.stringContaining('maxAgeSeconds') } });
  }
});

test('a refused upload fails the call instead of returning an id, and stores nothing', async () => {
  const before = cloud.cloud.storage.list().map((f) => f.cloudPath);
  const reply = await upload('../escape.xlsx', Buffer.from('x'));
  expect(reply).toMatchObject({ ok: false, error: { code: 'INVALID_PARAM' } });
  expect(cloud.cloud.storage.list().map((f) => f.cloudPath)).toEqual(before);
});
