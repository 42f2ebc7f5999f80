import * as fs from 'fs';
import * as path from 'path';
import type { DbEngine } from '../../local-cloud/src/db/engine';
import { failure, openEngine, startTestCloud, tempDir, TEST_COLLECTIONS, type TestCloud } from './helpers';

let t: TestCloud;
let dir: string;
const opened: DbEngine[] = [];

/** Opens an engine on `dir`; engines left open stand for a process killed without closing. */
async function open(options: Parameters<typeof openEngine>[0] = {}): Promise<DbEngine> {
  const engine = await openEngine({ dataDir: dir, ...options });
  opened.push(engine);
  t.engine = engine;
  return engine;
}

/** Reopens after damaging the log; the engine warns about the tail it cuts, which is expected here. */
async function openAfterDamage(): Promise<DbEngine> {
  const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  try {
    return await open();
  } finally {
    warn.mockRestore();
  }
}

function logFiles(): string[] {
  return fs.readdirSync(dir).filter((f) => f.startsWith('wal-'));
}

function logPath(): string {
  const logs = logFiles();
  expect(logs).toHaveLength(1);
  return path.join(dir, logs[0]);
}

function logLines(): string[] {
  return fs.readFileSync(logPath(), 'utf8').split('\n').filter(Boolean);
}

beforeAll(async () => {
  t = await startTestCloud(await openEngine());
});

afterAll(async () => {
  await t.close();
});

beforeEach(() => {
  dir = tempDir();
});

afterEach(() => {
  opened.length = 0;
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('persistence', () => {
  it('keeps data across close and reopen', async () => {
    const first = await open();
    const when = new Date('2024-02-03T04:05:06.789Z');
    await t.db.collection('accounts').add({ data: { _id: 'a', n: 1, when, re: /x+/i, nested: { list: [1, 'two'] } } });
    await t.db.collection('accounts').doc('a').update({ data: { n: t.db.command.inc(41) } });
    await t.db.collection('items').add({ data: [{ sku: 'S1' }, { sku: 'S2' }] });
    await t.db.collection('items').where({ sku: 'S2' }).remove();
    await t.db.createCollection('extra');
    await t.db.collection('extra').add({ data: { _id: 'e' } });
    await first.close();

    await open();
    const doc = (await t.db.collection('accounts').doc('a').get()).data;
    // The SDK's bson decodes a stored regular expression as a BSONRegExp {pattern, options}.
    expect(doc).toEqual({ _id: 'a', n: 42, when, re: expect.objectContaining({ pattern: 'x+', options: 'i' }), nested: { list: [1, 'two'] } });
    expect(t.engine.dump('accounts')[0].re).toEqual(/x+/i);
    expect(doc.when).toBeInstanceOf(Date);
    expect((await t.db.collection('items').get()).data.map((d) => d.sku)).toEqual(['S1']);
    expect((await t.db.collection('extra').doc('e').get()).data).toEqual({ _id: 'e' });
    // The unique index is rebuilt from the stored data.
    expect((await failure(t.db.collection('items').add({ data: { sku: 'S1' } }))).message).toContain('E11000');
  });

  it('recovers from a kill: the log alone restores every committed write', async () => {
    await open();
    await t.db.collection('accounts').add({ data: { _id: 'k1' } });
    await t.db.collection('accounts').doc('k1').update({ data: { v: 2 } });
    // No close(): the process "dies" here.
    await open();
    expect((await t.db.collection('accounts').doc('k1').get()).data).toEqual({ _id: 'k1', v: 2 });
  });

  it('drops a torn last line and keeps everything before it', async () => {
    await open();
    for (const id of ['t1', 't2', 't3']) await t.db.collection('accounts').add({ data: { _id: id } });
    const lines = logLines();
    expect(lines).toHaveLength(3);
    const sizeBefore = fs.statSync(logPath()).size;
    const half = lines[2].slice(0, Math.floor(lines[2].length / 2));
    fs.appendFileSync(logPath(), half);
    await openAfterDamage();
    expect(t.engine.dump('accounts').map((d) => d._id)).toEqual(['t1', 't2', 't3']);
    expect(fs.statSync(logPath()).size).toBe(sizeBefore);
    // Appending continues cleanly after the cut.
    await t.db.collection('accounts').add({ data: { _id: 't4' } });
    await open();
    expect(t.engine.dump('accounts').map((d) => d._id)).toEqual(['t1', 't2', 't3', 't4']);
  });

  it('drops a complete last line whose checksum does not match', async () => {
    await open();
    await t.db.collection('accounts').add({ data: { _id: 'ok' } });
    await t.db.collection('accounts').add({ data: { _id: 'damaged' } });
    const lines = logLines();
    const damaged = lines[1].replace('damaged', 'DAMAGED');
    fs.writeFileSync(logPath(), `${lines[0]}\n${damaged}\n`);
    await openAfterDamage();
    expect(t.engine.dump('accounts').map((d) => d._id)).toEqual(['ok']);
  });

  it('drops garbage appended after the last line', async () => {
    await open();
    await t.db.collection('accounts').add({ data: { _id: 'g1' } });
    fs.appendFileSync(logPath(), Buffer.from([0, 0, 0, 0x7b, 0x22]));
    await openAfterDamage();
    expect(t.engine.dump('accounts').map((d) => d._id)).toEqual(['g1']);
  });

  it('refuses to open a log damaged in the middle', async () => {
    await open();
    for (const id of ['m1', 'm2', 'm3']) await t.db.collection('accounts').add({ data: { _id: id } });
    const lines = logLines();
    lines[1] = lines[1].replace('m2', 'M2');
    fs.writeFileSync(logPath(), lines.join('\n') + '\n');
    await expect(openEngine({ dataDir: dir })).rejects.toThrow(/corrupt at line 2/);
  });

  it('logs a transaction commit and a batch add as one line each', async () => {
    await open();
    await t.db.collection('accounts').add({ data: [{ _id: 'a', n: 0 }, { _id: 'b', n: 0 }, { _id: 'c' }] });
    expect(logLines()).toHaveLength(1);
    await t.db.runTransaction(async (txn) => {
      await txn.collection('accounts').doc('a').update({ data: { n: 1 } });
      await txn.collection('accounts').doc('b').update({ data: { n: 2 } });
      await txn.collection('accounts').doc('c').remove();
    });
    expect(logLines()).toHaveLength(2);
    await open();
    expect(t.engine.dump('accounts')).toEqual([
      { _id: 'a', n: 1 },
      { _id: 'b', n: 2 },
    ]);
  });

  it('leaves no trace of a rolled-back transaction on disk', async () => {
    await open();
    await t.db.collection('accounts').add({ data: { _id: 'r', n: 1 } });
    await failure(
      t.db.runTransaction(async (txn) => {
        await txn.collection('accounts').doc('r').update({ data: { n: 99 } });
        throw new Error('abort');
      }),
    );
    expect(logLines()).toHaveLength(1);
    await open();
    expect(t.engine.dump('accounts')).toEqual([{ _id: 'r', n: 1 }]);
  });

  it('compacts past the size threshold and reopens from snapshot plus log', async () => {
    const engine = await open({ compactBytes: 4000 });
    for (let i = 0; i < 60; i++) {
      await t.db.collection('accounts').add({ data: { _id: `c${i}`, payload: 'x'.repeat(100) } });
      if (i % 3 === 0) await t.db.collection('accounts').doc(`c${i}`).remove();
    }
    expect(fs.existsSync(path.join(dir, 'snapshot.jsonl'))).toBe(true);
    expect(logFiles()).toHaveLength(1);
    expect(logFiles()[0]).not.toBe('wal-000001.log');
    expect(engine.logSize).toBeLessThan(4000);
    const expected = Array.from({ length: 60 }, (_, i) => i)
      .filter((i) => i % 3 !== 0)
      .map((i) => `c${i}`);
    expect(engine.dump('accounts').map((d) => d._id)).toEqual(expected);
    await open();
    expect(t.engine.dump('accounts').map((d) => d._id)).toEqual(expected);
    await t.engine.close();
    expect(fs.readFileSync(logPath(), 'utf8')).toBe('');
    await open();
    expect(t.engine.dump('accounts').map((d) => d._id)).toEqual(expected);
  });

  it('survives a crash in the middle of compaction', async () => {
    const engine = await open();
    await t.db.collection('accounts').add({ data: { _id: 'before' } });
    engine.compact();
    await t.db.collection('accounts').add({ data: { _id: 'after' } });
    // A crash while writing the next snapshot leaves a partial temp file behind.
    fs.writeFileSync(path.join(dir, 'snapshot.jsonl.tmp'), '{"format":"xintong-db-snapshot/1","gen');
    await open();
    expect(t.engine.dump('accounts').map((d) => d._id)).toEqual(['before', 'after']);
    expect(fs.existsSync(path.join(dir, 'snapshot.jsonl.tmp'))).toBe(false);
  });

  it('survives a crash after the snapshot rename but before the old log is deleted', async () => {
    const engine = await open();
    await t.db.collection('accounts').add({ data: { _id: 'x', n: 1 } });
    await t.db.collection('accounts').doc('x').remove();
    await t.db.collection('accounts').add({ data: { _id: 'y', n: 2 } });
    const oldLog = logPath();
    const oldContent = fs.readFileSync(oldLog);
    engine.compact();
    fs.writeFileSync(oldLog, oldContent);
    await open();
    expect(t.engine.dump('accounts')).toEqual([{ _id: 'y', n: 2 }]);
    expect(logFiles()).toHaveLength(1);
  });

  it('refuses to start when stored data violates a newly declared unique index', async () => {
    const first = await open();
    await t.db.collection('accounts').add({ data: [{ email: 'same' }, { email: 'same' }] });
    await first.close();
    const stricter = TEST_COLLECTIONS.map((c) =>
      c.name === 'accounts' ? { ...c, indexes: [{ name: 'email_unique', keys: { email: 1 as const }, unique: true }] } : c,
    );
    await expect(openEngine({ dataDir: dir, collections: stricter })).rejects.toThrow(/violates a unique index of collection accounts/);
  });

  it('reset empties the database on disk too', async () => {
    const engine = await open();
    await t.db.createCollection('temp');
    await t.db.collection('accounts').add({ data: { _id: 'gone' } });
    await engine.reset();
    expect(engine.hasCollection('temp')).toBe(false);
    await open();
    expect(t.engine.countDocuments('accounts')).toBe(0);
    expect(t.engine.hasCollection('temp')).toBe(false);
    expect(t.engine.listCollections().map((c) => c.name)).toEqual(['accounts', 'items', 'people', 'slots']);
  });

  it('refuses a data directory locked by another live process', async () => {
    fs.writeFileSync(path.join(dir, 'LOCK'), String(process.ppid));
    await expect(openEngine({ dataDir: dir })).rejects.toThrow(/in use by process/);
  });
});
