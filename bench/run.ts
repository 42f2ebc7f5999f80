/**
 * `npm run bench`: starts an in-memory local cloud with the built functions, runs every
 * scenario, prints a table and writes bench/results.json.
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { startLocalCloud } from '../local-cloud/src/server';
import { formatTable, type Measurement } from './harness';
import { BENCH_COLLECTION, databaseScenario } from './scenarios/database';
import { functionScenario } from './scenarios/functions';
import { accountsScenario } from './scenarios/accounts';
import { orgScenario } from './scenarios/org';
import { formatBounds, NOTICE_BENCH_ENV, noticesScenario, type NoticeBench } from './scenarios/notices';
import { burstScenario } from './scenarios/burst';
import { bundleScenario, formatBundles } from './scenarios/bundles';
import { formatRoomBounds, roomsScenario, type RoomBench } from './scenarios/rooms';
import { formatProposalBounds, PROPOSAL_BENCH_ENV, proposalsScenario, type ProposalBench } from './scenarios/proposals';

async function main(): Promise<void> {
  // Like the platform and `npm start`, whatever this machine's zone.
  process.env.TZ = 'UTC';
  const root = resolve(__dirname, '..', '..');
  const cloud = await startLocalCloud({
    rootDir: root,
    dataDir: null,
    port: 0,
    timers: false,
    seed: true,
    // The rooms and proposals scenarios measure their own rooms and proposals: the demo ones would be in their lists.
    demoRooms: false,
    demoProposals: false,
    logInvocations: false,
    log: () => undefined,
    functionEnv: { ...NOTICE_BENCH_ENV, ...PROPOSAL_BENCH_ENV },
    extraCollections: [{ name: BENCH_COLLECTION, indexes: [{ name: 'group', keys: { group: 1 } }, { name: 'seq', keys: { seq: 1 } }] }],
  });
  const rows: Measurement[] = [];
  let notices: NoticeBench | null = null;
  let rooms: RoomBench | null = null;
  let proposals: ProposalBench | null = null;
  try {
    rows.push(...(await databaseScenario(cloud)));
    rows.push(...(await functionScenario(cloud)));
    rows.push(...(await accountsScenario(cloud)));
    rows.push(...(await orgScenario(cloud)));
    notices = await noticesScenario(cloud);
    rows.push(...notices.rows);
    rooms = await roomsScenario(cloud);
    rows.push(...rooms.rows);
    proposals = await proposalsScenario(cloud);
    rows.push(...proposals.rows);
  } finally {
    await cloud.close();
  }
  // Alone on the machine, after the big cloud is gone: these measure starting instances.
  rows.push(...(await burstScenario(root)));
  const bundles = await bundleScenario(root);
  console.log(formatTable(rows));
  if (notices) console.log(`\n${formatBounds(notices.bounds)}`);
  if (rooms) console.log(`\n${formatRoomBounds(rooms)}`);
  if (proposals) console.log(`\n${formatProposalBounds(proposals)}`);
  console.log(`\n${formatBundles(bundles)}`);
  const out = join(root, 'bench', 'results.json');
  const machine = { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown' };
  writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), machine, results: rows, noticeBounds: notices?.bounds ?? [], bundles }, null, 2)}\n`);
  console.log(`\nwritten to ${out}`);
  // Figures first, then the failure: a broken budget must not pass unnoticed.
  if (notices && notices.broken.length > 0) throw new Error(`notice budgets broken:\n${notices.broken.join('\n')}`);
  if (rooms && rooms.broken.length > 0) throw new Error(`room budgets broken:\n${rooms.broken.join('\n')}`);
  if (proposals && proposals.broken.length > 0) throw new Error(`proposal budgets broken:\n${proposals.broken.join('\n')}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
