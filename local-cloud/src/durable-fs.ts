/** File writes the local cloud's data folder relies on to survive a crash. */
import * as fs from 'node:fs';

/** Writes all of `data`: `writeSync` may write less than asked. */
export function writeAll(fd: number, data: Buffer): void {
  let off = 0;
  while (off < data.length) off += fs.writeSync(fd, data, off, data.length - off);
}

/**
 * Makes renames and new files in `dir` durable. Some platforms cannot open a directory,
 * which only weakens durability there, never consistency.
 */
export function fsyncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    /* best effort */
  }
}
