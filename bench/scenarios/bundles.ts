/**
 * What each deployed function costs before its first call: the size of its bundle (index.js,
 * minified, which every cold start parses) and how long a fresh instance takes to load it with
 * the SDK, as the local cloud starts one (the real worker script, one load at a time).
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { discoverFunctions } from '../../local-cloud/src/functions/registry';
import type { WorkerReply } from '../../local-cloud/src/functions/protocol';

export interface BundleMeasurement {
  name: string;
  /** Bytes of index.js. */
  bytes: number;
  /** Median time from a new worker to its `ready`, over `loads` loads one after another. */
  coldStartMedianMs: number;
  loads: number;
}

const LOADS = 5;

function loadOnce(workerScript: string, entry: string): Promise<number> {
  const started = process.hrtime.bigint();
  const env = { ...process.env, TENCENTCLOUD: 'true', TCB_ENV: 'local', SCF_NAMESPACE: 'local' } as Record<string, string>;
  const worker = new Worker(workerScript, { workerData: { entry }, env, execArgv: ['--enable-source-maps'] });
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', (reply: WorkerReply) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      void worker.terminate();
      if (reply.type === 'ready') resolve(ms);
      else if (reply.type === 'init-error') reject(new Error(reply.message));
    });
  });
}

export async function bundleScenario(root: string): Promise<BundleMeasurement[]> {
  const workerScript = join(root, 'local-cloud', 'dist', 'worker.js');
  const rows: BundleMeasurement[] = [];
  for (const fn of discoverFunctions(join(root, 'cloudfunctions'))) {
    const times: number[] = [];
    for (let i = 0; i < LOADS; i += 1) times.push(await loadOnce(workerScript, fn.entry));
    times.sort((a, b) => a - b);
    rows.push({ name: fn.name, bytes: statSync(fn.entry).size, coldStartMedianMs: Math.round(times[Math.floor(LOADS / 2)]), loads: LOADS });
  }
  return rows;
}

export function formatBundles(rows: BundleMeasurement[]): string {
  const header = ['function', 'index.js bytes', `cold start ms (median of ${LOADS})`];
  const body = rows.map((r) => [r.name, r.bytes.toLocaleString('en-US'), String(r.coldStartMedianMs)]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i > 0 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
