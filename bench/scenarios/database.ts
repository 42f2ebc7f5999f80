/**
 * The database endpoint itself, through the real wx-server-sdk as a function uses it:
 * 10,000 documents, an indexed-style equality query, a range query with sort and limit,
 * a count, an update of every document in one request, and a batch insert of 1,000.
 */
import type { RunningLocalCloud } from '../../local-cloud/src/server';
import { measure, type Measurement } from '../harness';

export const BENCH_COLLECTION = 'bench_docs';
const DOCS = 10_000;
const GROUPS = 100;

type Db = ReturnType<typeof import('wx-server-sdk').database>;

/** Points the SDK in this process at the local cloud, as the local cloud does for functions. */
export function sdkFor(cloud: RunningLocalCloud): Db {
  process.env.TCB_CONTEXT_CNFG = JSON.stringify({ URL: `${cloud.url}/tcb/bench` });
  process.env.TENCENTCLOUD = 'true';
  process.env.TENCENTCLOUD_SECRETID = 'local-placeholder-secret-id';
  process.env.TENCENTCLOUD_SECRETKEY = 'local-placeholder-secret-key';
  process.env.TCB_ENV = 'local';
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const cloudSdk = require('wx-server-sdk') as typeof import('wx-server-sdk');
  cloudSdk.init({ env: 'local' });
  return cloudSdk.database();
}

export async function databaseScenario(cloud: RunningLocalCloud): Promise<Measurement[]> {
  const db = sdkFor(cloud);
  const docs = db.collection(BENCH_COLLECTION);
  const base = Date.UTC(2026, 0, 1);
  for (let start = 0; start < DOCS; start += 1000) {
    const batch = Array.from({ length: 1000 }, (_, k) => {
      const i = start + k;
      return { _id: `doc-${i}`, group: `g-${i % GROUPS}`, seq: i, at: new Date(base + i * 60_000), title: `通知 ${i}` };
    });
    await docs.add({ data: batch });
  }
  const counter = () => cloud.cloud.dbRequestsTotal;
  const size = `${DOCS.toLocaleString('en')} docs`;
  const rows: Measurement[] = [];
  rows.push(
    await measure('database', {
      operation: 'where(group ==).limit(100).get',
      size,
      calls: 200,
      run: async (i) => {
        await docs.where({ group: `g-${i % GROUPS}` }).limit(100).get();
      },
    }, counter),
  );
  const _ = db.command;
  rows.push(
    await measure('database', {
      operation: 'where(seq range).orderBy(at desc).limit(20).get',
      size,
      calls: 200,
      run: async (i) => {
        const from = (i * 37) % (DOCS - 500);
        await docs.where({ seq: _.gte(from).and(_.lt(from + 500)) }).orderBy('at', 'desc').limit(20).get();
      },
    }, counter),
  );
  rows.push(
    await measure('database', {
      operation: 'where(group ==).count',
      size,
      calls: 200,
      run: async (i) => {
        await docs.where({ group: `g-${i % GROUPS}` }).count();
      },
    }, counter),
  );
  rows.push(
    await measure('database', {
      operation: 'where(all 10,000).update(inc)',
      size,
      calls: 10,
      warmup: 1,
      run: async () => {
        await docs.where({ seq: _.lt(DOCS) }).update({ data: { touched: _.inc(1) } });
      },
    }, counter),
  );
  let batchNo = 0;
  rows.push(
    await measure('database', {
      operation: 'add 1,000 docs in one request',
      size: `${size} + batches`,
      calls: 20,
      warmup: 2,
      run: async () => {
        batchNo += 1;
        const data = Array.from({ length: 1000 }, (_, k) => ({ group: `batch-${batchNo}`, seq: DOCS + batchNo * 1000 + k, at: new Date() }));
        await docs.add({ data });
      },
    }, counter),
  );
  return rows;
}
