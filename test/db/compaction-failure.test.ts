/**
 * Compaction that cannot open its next log must not strand later writes in a log the next
 * start would discard; and two processes may not share a data folder.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DbEngine } from '../../local-cloud/src/db/engine';

const collections = [{ name: 'c', indexes: [] }];

test('an acknowledged write survives a compaction whose new log could not be opened', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xintong-compact-'));
  const engine = await DbEngine.open({ dataDir: dir, collections, compactBytes: 300, fsync: false });
  engine.insert('c', [{ _id: 'a', pad: 'x'.repeat(100) }]);
  // The module object itself: the engine calls fs.openSync through it at call time.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const nodeFs = require('fs') as { openSync: (...args: unknown[]) => number };
  const realOpen = nodeFs.openSync;
  // Out of file descriptors: the next log cannot be opened, and from then on neither can a
  // new snapshot, so every later compaction fails too.
  let exhausted = false;
  nodeFs.openSync = (file: unknown, ...rest: unknown[]) => {
    const name = String(file);
    if (name.endsWith('wal-000002.log') || (exhausted && name.endsWith('.tmp'))) {
      exhausted = true;
      throw Object.assign(new Error('EMFILE: too many open files'), { code: 'EMFILE' });
    }
    return realOpen(file, ...rest);
  };
  try {
    // Past 300 bytes: compaction runs and fails to open its next log.
    try {
      engine.insert('c', [{ _id: 'b', pad: 'x'.repeat(300) }]);
    } catch {
      // Whether the triggering write reports the failed compaction is the engine's choice.
    }
    engine.insert('c', [{ _id: 'acknowledged' }]);
  } finally {
    nodeFs.openSync = realOpen;
  }
  // A kill: the engine is never closed; only its lock is left behind by a dead process.
  fs.writeFileSync(path.join(dir, 'LOCK'), '999999999');
  const reopened = await DbEngine.open({ dataDir: dir, collections, fsync: false });
  try {
    expect(reopened.dump('c').map((d) => d._id)).toEqual(expect.arrayContaining(['a', 'acknowledged']));
  } finally {
    await reopened.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a data folder held by a live process is refused; a stale lock is taken over', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xintong-lock-'));
  try {
    // The parent process (the Jest runner) is alive and is not us.
    fs.writeFileSync(path.join(dir, 'LOCK'), String(process.ppid));
    await expect(DbEngine.open({ dataDir: dir, collections, fsync: false })).rejects.toThrow(/in use by process/);
    fs.writeFileSync(path.join(dir, 'LOCK'), '999999999');
    const engine = await DbEngine.open({ dataDir: dir, collections, fsync: false });
    expect(fs.readFileSync(path.join(dir, 'LOCK'), 'utf8')).toBe(String(process.pid));
    await engine.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
