/** `npm start`: the local cloud on 127.0.0.1, with demo data on first start. */
import { resolve } from 'node:path';
import { DEMO_APPID, DEMO_SUBSCRIBE_TEMPLATES } from './seed';
import { DEFAULT_RISKY_WORD } from './cloud';
import { parseInstant } from './clock';
import { DEMO_ROOM_SUBSCRIBE_TEMPLATES } from './seed-rooms';
import { DEMO_PROPOSAL_SUBSCRIBE_TEMPLATES } from './seed-proposals';
import { startLocalCloud } from './server';

interface CliOptions {
  port: number;
  host: string;
  dataDir: string;
  reset: boolean;
  timers: boolean;
  demo: boolean;
  clock: Date | null;
}

const USAGE = `usage: npm start -- [--port N] [--host ADDR] [--data-dir DIR] [--reset] [--no-timers] [--no-demo] [--clock ISO]
  --port      port to listen on (default 3900, or XINTONG_LOCAL_PORT)
  --host      address to bind (default 127.0.0.1; identity headers are honoured from loopback only)
  --data-dir  where the database lives (default .local-cloud-data, or XINTONG_LOCAL_DATA_DIR)
  --reset     start with an empty database (demo data is seeded again)
  --no-timers do not fire timer triggers
  --no-demo   do not seed demo data into an empty database (then make yourself admin
              with the bootstrap code printed at start)
  --clock     freeze the time functions and the cloud see at this ISO instant, for identical
              screenshots (or XINTONG_LOCAL_CLOCK); timers and timeouts keep real time`;

export function parseArgs(argv: string[], env: NodeJS.ProcessEnv, rootDir: string): CliOptions {
  const options: CliOptions = {
    port: Number(env.XINTONG_LOCAL_PORT ?? 3900),
    host: '127.0.0.1',
    dataDir: resolve(rootDir, env.XINTONG_LOCAL_DATA_DIR ?? '.local-cloud-data'),
    reset: false,
    timers: true,
    demo: true,
    clock: null,
  };
  const clockOf = (text: string): Date => {
    const instant = parseInstant(text);
    if (!instant) throw new Error(`--clock needs an ISO instant such as 2025-03-03T09:30:00+08:00, not ${text}\n${USAGE}`);
    return instant;
  };
  if (env.XINTONG_LOCAL_CLOCK) options.clock = clockOf(env.XINTONG_LOCAL_CLOCK);
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const value = (): string => {
      const next = argv[i + 1];
      if (next === undefined) throw new Error(`${arg} needs a value\n${USAGE}`);
      i += 1;
      return next;
    };
    if (arg === '--port') options.port = Number(value());
    else if (arg === '--host') options.host = value();
    else if (arg === '--data-dir') options.dataDir = resolve(rootDir, value());
    else if (arg === '--reset') options.reset = true;
    else if (arg === '--no-timers') options.timers = false;
    else if (arg === '--no-demo') options.demo = false;
    else if (arg === '--clock') options.clock = clockOf(value());
    else if (arg === '--help' || arg === '-h') throw new Error(USAGE);
    else throw new Error(`unknown option ${arg}\n${USAGE}`);
  }
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) throw new Error(`invalid port\n${USAGE}`);
  return options;
}

export async function run(argv: string[], rootDir: string): Promise<void> {
  let options: CliOptions;
  try {
    options = parseArgs(argv, process.env, rootDir);
  } catch (error) {
    console.error((error as Error).message);
    process.exitCode = 2;
    return;
  }
  const running = await startLocalCloud({
    rootDir,
    dataDir: options.dataDir,
    reset: options.reset,
    timers: options.timers,
    seed: options.demo,
    host: options.host,
    port: options.port,
    riskyWord: process.env.XINTONG_LOCAL_RISKY_WORD ?? DEFAULT_RISKY_WORD,
    prewarm: true,
    clock: options.clock ?? undefined,
    functionEnv: {
      NOTICE_SUBSCRIBE_TEMPLATES: process.env.NOTICE_SUBSCRIBE_TEMPLATES ?? DEMO_SUBSCRIBE_TEMPLATES,
      ROOM_SUBSCRIBE_TEMPLATES: process.env.ROOM_SUBSCRIBE_TEMPLATES ?? DEMO_ROOM_SUBSCRIBE_TEMPLATES,
      PROPOSAL_SUBSCRIBE_TEMPLATES: process.env.PROPOSAL_SUBSCRIBE_TEMPLATES ?? DEMO_PROPOSAL_SUBSCRIBE_TEMPLATES,
    },
  });
  const { cloud, url } = running;
  const functions = cloud.listFunctions();
  const people = cloud.seeded?.people ?? [];
  const lines = [
    '',
    `信通 local cloud listening on ${url}`,
    `  data folder: ${options.dataDir}${cloud.seeded?.seeded ? ' (demo data seeded)' : ''}`,
    ...(cloud.demoRooms ? [`  demo rooms:  ${cloud.demoRooms.rooms} rooms and ${cloud.demoRooms.bookings} bookings made through the room function`] : []),
    ...(cloud.demoProposals ? [`  demo proposals: ${cloud.demoProposals.categories} categories and ${cloud.demoProposals.proposals} proposals made through the proposal function`] : []),
    `  functions:   ${functions.map((f) => f.name).join(', ') || '(none built: run npm run build)'}`,
    ...(options.clock ? [`  clock:       frozen at ${options.clock.toISOString()}`] : []),
    '',
    'Demo identities (send them as X-WX-OPENID / X-WX-APPID / X-WX-UNIONID headers):',
    ...people.map((p) => `  ${p.nickname.padEnd(6)} openid=${p.openid} unionid=${p.unionid} roles=${['member', ...p.roles].join(',')}`),
    `  appid for all: ${DEMO_APPID}`,
    '',
    'Call a function:',
    `  curl -s ${url}/functions/login -H 'Content-Type: application/json' \\`,
    `    -H 'X-WX-OPENID: ${people[0]?.openid ?? 'demo-admin-openid'}' -H 'X-WX-APPID: ${DEMO_APPID}' -d '{"action":"whoami"}'`,
    '',
    ...(cloud.hasAdmin()
      ? []
      : [
          'No admin yet. Sign in from the mini-program, open 我的 > 首位管理员初始化 and enter',
          `  the one-time bootstrap code: ${cloud.bootstrapCode}`,
          '',
        ]),
    `WeCom stand-in for organisation ${cloud.wecom.corpId}: get the code wx.qy.login() would give a member with`,
    `  curl -s -X POST ${url}/_local/wecom/code -H 'Content-Type: application/json' -d '{"userId":"zhangsan"}'`,
    '  then call login with {"action":"wecomLogin","code":"<code>"}.',
    '',
    'Inspect:',
    `  ${url}/_local/invocations   recent invocations (function, action, outcome, ms, db requests)`,
    `  ${url}/_local/sms           SMS outbox (nothing is sent)`,
    `  ${url}/_local/openapi       recorded subscribe messages, mini-program codes and image checks (content checks reject "${cloud.openapi.riskyWord}")`,
    `  ${url}/_local/openapi/media-checks   image checks; POST .../hold {"hold":true} holds new ones, .../release {"traceId"?,"verdict"?} delivers`,
    `  ${url}/_local/db/<name>     documents of a collection`,
    `  ${url}/_local/storage       uploaded files (avatars, imports)`,
    `  ${url}/_local/clock         the time functions see; POST {"at":"<ISO instant>"} moves it, {"at":null} real time`,
    '',
    'WeChat DevTools: pick the compile mode "本地云（npm start）" (launch query backend=local, add',
    'user=demo-member-1 to be another demo person), tick "不校验合法域名…" in 详情 > 本地设置, and',
    'compile; calls go to this server. Uploaded trial and release versions always use the cloud.',
    '',
  ];
  console.log(lines.join('\n'));
  const stop = (): void => {
    console.log('stopping the local cloud…');
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
