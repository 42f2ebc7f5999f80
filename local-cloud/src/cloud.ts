import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { COLLECTIONS, type CollectionDecl } from '../../server/db/collections';
import { SharedClock } from './clock';
import { DbEngine } from './db/engine';
import { handleDatabaseRequest, isDatabaseAction } from './db/protocol';
import { eventProblem } from './functions/event-limits';
import { FunctionPool, type InvokeOutcome } from './functions/pool';
import { describeError } from './functions/protocol';
import { StartGate } from './functions/start-gate';
import { discoverFunctions, type FunctionSpec } from './functions/registry';
import { type ActiveInvocation, type CallerIdentity, type InvocationRecord, InvocationLog, actionOf, formatInvocation, outcomeOf } from './invocations';
import { OpenApiStandIn } from './stand-ins/openapi';
import { SmsStandIn } from './stand-ins/sms';
import { WecomStandIn } from './stand-ins/wecom';
import { miniprogramPages } from './stand-ins/wxacode';
import { DEFAULT_DOWNLOAD_MAX_AGE_SECONDS, StorageError, StorageStandIn, cloudPathOf, downloadMaxAge, fileIdOf, isPrivatePath } from './stand-ins/storage';
import { TriggerScheduler } from './triggers/scheduler';
import { seedDemoData, type SeedSummary } from './seed';
import { seedDemoRooms, type DemoRoomsSummary } from './seed-rooms';
import { seedDemoProposals, type DemoProposalsSummary } from './seed-proposals';
import { pushMessage } from './message-push';

export interface LocalCloudOptions {
  /** Repository root: holds cloudfunctions/ and the built local-cloud/dist/worker.js. */
  rootDir: string;
  /** Folder of built functions; default `<rootDir>/cloudfunctions`. */
  functionsDir?: string;
  /**
   * Create the collections of server/db/collections.ts at start, as the deploy's `setup` step
   * does in a cloud environment (default true; false starts like a fresh environment).
   */
  declareCollections?: boolean;
  /** Collections beyond the application's declared ones (tests). */
  extraCollections?: readonly CollectionDecl[];
  /** Folder for the database files; null keeps everything in memory. */
  dataDir: string | null;
  /** Wipe the data folder before starting. */
  reset?: boolean;
  /** Seed the demo data when the database is empty (default true). */
  seed?: boolean;
  /** With the demo data, demo notices with reads and confirmations (default true). */
  demoNotices?: boolean;
  /**
   * With the demo data, demo meeting rooms and bookings, made once through the room function
   * when the server starts (default true; see seed-rooms.ts).
   */
  demoRooms?: boolean;
  /**
   * With the demo data, demo proposal categories and proposals, made once through the proposal
   * function when the server starts (default true; see seed-proposals.ts).
   */
  demoProposals?: boolean;
  /** Start one instance of every function at start (default false; `npm start` does). */
  prewarm?: boolean;
  /** Fire timer triggers (default true). */
  timers?: boolean;
  /** Warm instances per function at most (default 16). */
  maxInstances?: number;
  /**
   * Instances loading at the same time, across all functions (default: the number of cores,
   * at most 2). Loading is CPU work: more at once only makes each later.
   */
  maxConcurrentStarts?: number;
  /** How long a call may wait for a free instance before it is refused (default 30 s). */
  queueLimitMs?: number;
  /** Text containing this word fails the content check. */
  riskyWord?: string;
  /** Subscribe-message templates to treat as long-term (no credit spent); default none. */
  subscribeLongTermTemplates?: string[];
  /** fsync every database write (default true). */
  fsync?: boolean;
  /** Extra environment variables for every function, as set in the cloud console. */
  functionEnv?: Record<string, string>;
  /** Where log lines go; default console.log. */
  log?: (line: string) => void;
  /** Log one line per invocation (default true). */
  logInvocations?: boolean;
  /**
   * Freezes the time that functions (their `Date`) and the cloud's own records (server dates,
   * demo data, the stand-ins' outboxes and codes) see, so two runs give identical pages.
   * Timers, timeouts and waits still run on the real clock. The initial value only: setClock
   * moves it.
   */
  clock?: Date;
}

export interface InvokeResult {
  /**
   * HTTP-like status: 200 when the function returned, 400 an event refused before any function
   * saw it, 404 unknown, 429 no instance free in time, 500 crash or undelivered, 503 closing,
   * 504 timeout.
   */
  status: number;
  body: unknown;
  record: InvocationRecord;
}

interface Reply {
  status: number;
  body: unknown;
  outcome: string;
}

/** What the platform answers for each way an invocation can end. */
function replyFor(functionName: string, result: InvokeOutcome): Reply {
  switch (result.kind) {
    case 'ok':
      return { status: 200, body: result.value, outcome: outcomeOf(result.value) };
    case 'closed':
      return { status: 503, body: { errCode: -501000, errMsg: 'the local cloud is shutting down' }, outcome: 'UNAVAILABLE' };
    case 'timeout':
      return { status: 504, body: { errCode: -504003, errMsg: `Invoking task timed out after ${result.seconds} seconds` }, outcome: 'TIMEOUT' };
    case 'error':
      return { status: 500, body: { errCode: -504002, errMsg: 'functions execute fail' }, outcome: 'CRASH' };
    case 'undelivered':
      return { status: 500, body: { errCode: -504001, errMsg: 'functions invoke fail: the event could not be handed to the function' }, outcome: 'UNDELIVERED' };
    case 'busy':
      // The platform's code for a request over the environment's concurrency (-501004), with
      // SCF's "ResourceLimitReached" status: the caller may retry shortly.
      return {
        status: 429,
        body: { errCode: -501004, errMsg: `ResourceLimitReached: no instance of ${functionName} became free within ${Math.round(result.waitedMs / 1000)} s` },
        outcome: 'BUSY',
      };
  }
}

function trackTransaction(active: ActiveInvocation, action: string, body: Record<string, unknown>, reply: unknown): void {
  if (action === 'database.startTransaction') {
    const txnId = (reply as { transactionId?: unknown }).transactionId;
    if (typeof txnId === 'string') active.openTransactions.add(txnId);
  } else if (action === 'database.commitTransaction' || action === 'database.abortTransaction') {
    if (typeof body.transactionId === 'string') active.openTransactions.delete(body.transactionId);
  }
}

/** Where a stored file is served (GET/HEAD), as the download URL and the `<image src>` locally. */
export const STORAGE_FILES_ROUTE = '/storage/files/';
/** Where the SDK PUTs the bytes after getUploadMetadata, in place of the COS bucket. */
export const STORAGE_PUT_ROUTE = '/storage/cos/';
/** getTempFileURL and deleteFile take at most this many file ids per call (documented limit). */
const STORAGE_BATCH_LIMIT = 50;
/**
 * Not known from the platform, which documents only the code; without some message the SDK's
 * downloadFile of a missing file fails with the text "downloadFile:fail undefined".
 */
const FILE_NONEXIST_MESSAGE = 'storage file not exists';

function encodeCloudPath(cloudPath: string): string {
  return cloudPath.split('/').map(encodeURIComponent).join('/');
}

/** A database-protocol reply refusing a parameter, as CloudBase answers it. */
function paramError(message: string): { code: string; message: string; requestId: string } {
  return { code: 'INVALID_PARAM', message, requestId: randomUUID() };
}

export const DEFAULT_RISKY_WORD = '违禁测试词';

/** The platform's errCode for a parameter it refuses (CloudBase INVALID_PARAM). */
export const INVALID_PARAM = -501007;

/** The WeCom organisation the local WeCom stand-in plays; its app secret is random per start. */
export const LOCAL_WECOM_CORP_ID = 'ww-local-corp';

/** Where the functions reach the WeCom stand-in (its routes mirror qyapi.weixin.qq.com). */
export const WECOM_ROUTE = '/wecom';

const WX_CONTEXT_KEYS = 'WX_OPENID,WX_APPID,WX_UNIONID,WX_CLIENTIP';

/**
 * The embedded local cloud: a CloudBase-compatible database, the built cloud functions running
 * on the real wx-server-sdk in worker threads, timer triggers, and stand-ins for SMS and the
 * WeChat open APIs. The HTTP face is in server.ts; tests and the benchmark may use this directly.
 */
export class LocalCloud {
  readonly invocations = new InvocationLog();
  readonly sms: SmsStandIn;
  readonly openapi: OpenApiStandIn;
  readonly storage: StorageStandIn;
  private readonly wecomSecret = randomBytes(16).toString('hex');
  readonly wecom: WecomStandIn;
  /**
   * The one-time code that makes its first user admin while the database has no admin, as
   * `XINTONG_BOOTSTRAP_CODE` does in a deployment; random per start unless configured.
   */
  readonly bootstrapCode: string;
  private readonly pools = new Map<string, FunctionPool>();
  private readonly startGate: StartGate;
  /** The cloud's clock (see `clock` and setClock). */
  private readonly now: () => Date;
  private readonly active = new Map<string, ActiveInvocation>();
  private readonly scheduler: TriggerScheduler;
  private baseUrl = '';
  private functions: FunctionSpec[] = [];
  seeded: SeedSummary | null = null;
  /** What the demo rooms seeding made at this start (null: nothing to do, or it failed). */
  demoRooms: DemoRoomsSummary | null = null;
  /** What the demo proposals seeding made at this start (null: nothing to do, or it failed). */
  demoProposals: DemoProposalsSummary | null = null;
  private closing = false;
  /** Database requests served since start, attributed to an invocation or not. */
  dbRequestsTotal = 0;

  private constructor(
    readonly options: LocalCloudOptions,
    readonly engine: DbEngine,
    storage: StorageStandIn,
    private readonly clock: SharedClock,
  ) {
    this.storage = storage;
    this.bootstrapCode = options.functionEnv?.XINTONG_BOOTSTRAP_CODE ?? randomBytes(12).toString('base64url');
    const now = (): Date => clock.now();
    this.now = now;
    this.sms = new SmsStandIn({ now });
    this.wecom = new WecomStandIn({ corpId: LOCAL_WECOM_CORP_ID, secret: this.wecomSecret, now: () => now().getTime() });
    let pages: string[] | null = null;
    this.openapi = new OpenApiStandIn({
      riskyWord: options.riskyWord ?? DEFAULT_RISKY_WORD,
      longTermTemplates: options.subscribeLongTermTemplates,
      // Read at the first code asked for: the published version's pages are fixed while it runs.
      pages: () => (pages ??= miniprogramPages(join(options.rootDir, 'miniprogram', 'app.json'))),
      // Verdicts of image checks reach the functions as the console's 消息推送 routes them.
      pushMessage: (message) => pushMessage(this, message),
      now,
    });
    this.startGate = new StartGate(options.maxConcurrentStarts ?? Math.min(2, availableParallelism()));
    this.scheduler = new TriggerScheduler(async ({ functionName, triggerName, time }) => {
      const event = { Type: 'Timer', TriggerName: triggerName, Time: time.toISOString(), Message: '' };
      await this.invoke(functionName, event, { source: 'wx_trigger' });
    });
  }

  static async open(options: LocalCloudOptions): Promise<LocalCloud> {
    if (options.reset && options.dataDir && existsSync(options.dataDir)) {
      rmSync(options.dataDir, { recursive: true, force: true });
    }
    const declared = (options.declareCollections ?? true) ? COLLECTIONS : [];
    const collections = [...declared, ...(options.extraCollections ?? [])];
    const clock = new SharedClock(options.clock ?? null);
    const now = (): Date => clock.now();
    const engine = await DbEngine.open({ dataDir: options.dataDir, collections, fsync: options.fsync ?? true, now });
    // After the engine, whose lock on the data folder keeps a second process from also
    // opening (and cleaning up temp files in) the same storage folder.
    let storage: StorageStandIn;
    try {
      storage = new StorageStandIn({ dir: options.dataDir ? join(options.dataDir, 'storage') : null, fsync: options.fsync ?? true, now });
    } catch (error) {
      await engine.close();
      throw error;
    }
    const cloud = new LocalCloud(options, engine, storage, clock);
    if (options.seed ?? true) {
      const organisationName = (options.functionEnv?.XINTONG_ORG_NAME ?? process.env.XINTONG_ORG_NAME ?? '').trim();
      cloud.seeded = await seedDemoData(engine, now(), { organisationName, notices: options.demoNotices ?? true, fileIdOf });
      for (const file of cloud.seeded.files) storage.put(file.cloudPath, file.content, file.contentType);
    }
    return cloud;
  }

  /**
   * Stops the time at `instant` for the cloud's own records and every function instance, those
   * running included, at once; null lets the real time run again. Timers, timeouts and waits
   * keep the real clock, as with `clock`.
   */
  setClock(instant: Date | null): void {
    this.clock.set(instant);
  }

  /** The instant time stands still at, or null while the real time runs. */
  get frozenAt(): Date | null {
    return this.clock.frozenAt;
  }

  /** The time the functions and the cloud's records see now. */
  currentTime(): Date {
    return this.now();
  }

  /**
   * Makes the demo rooms and bookings through the room function, once per database (needs the
   * functions, so after attach); nothing without demo data or with `demoRooms: false`.
   */
  async seedDemoRooms(): Promise<void> {
    if (!(this.options.seed ?? true) || !(this.options.demoRooms ?? true)) return;
    this.demoRooms = await seedDemoRooms(this, (line) => this.log(line));
  }

  /**
   * Makes the demo proposal categories and proposals through the proposal function, once per
   * database (after attach); nothing without demo data or with `demoProposals: false`.
   */
  async seedDemoProposals(): Promise<void> {
    if (!(this.options.seed ?? true) || !(this.options.demoProposals ?? true)) return;
    this.demoProposals = await seedDemoProposals(this, (line) => this.log(line));
  }

  /** Whether any account holds the admin role (the bootstrap code is useful only before). */
  hasAdmin(): boolean {
    return this.engine.hasCollection('users') && this.engine.count('users', { roles: 'admin' }) > 0;
  }

  /** Called once the HTTP server knows its address; functions reach the cloud through it. */
  attach(baseUrl: string): void {
    this.baseUrl = baseUrl;
    this.functions = discoverFunctions(this.options.functionsDir ?? join(this.options.rootDir, 'cloudfunctions'));
    if (this.options.timers ?? true) this.scheduler.start(this.functions);
    if (this.options.prewarm) for (const fn of this.functions) this.pool(fn.name)?.warm();
  }

  get url(): string {
    return this.baseUrl;
  }

  listFunctions(): FunctionSpec[] {
    return this.functions;
  }

  log(line: string): void {
    (this.options.log ?? console.log)(line);
  }

  /** Runs one invocation as the platform would, with the given WeChat identity. */
  async invoke(functionName: string, event: unknown, identity: CallerIdentity, parentId: string | null = null): Promise<InvokeResult> {
    const id = randomUUID();
    const started = process.hrtime.bigint();
    const pool = this.pool(functionName);
    const active: ActiveInvocation = { id, identity, dbRequests: 0, openTransactions: new Set() };
    let reply: Reply;
    const problem = pool ? eventProblem(event) : null;
    if (!pool) {
      reply = { status: 404, body: { errCode: -501000, errMsg: `FunctionName parameter could not be found: ${functionName}` }, outcome: 'NOT_FOUND' };
    } else if (problem !== null) {
      reply = { status: 400, body: { errCode: INVALID_PARAM, errMsg: problem }, outcome: 'INVALID_EVENT' };
    } else {
      this.active.set(id, active);
      try {
        const result = await pool.invoke(
          { id, event, context: { request_id: id, function_name: functionName }, env: this.invocationEnv(id, identity) },
          { nested: parentId !== null },
        );
        if (result.kind === 'error' || result.kind === 'undelivered') this.log(`[${functionName}] ${result.message}`);
        reply = replyFor(functionName, result);
      } catch (error) {
        // Whatever goes wrong on the way to an instance fails this call, never the others.
        this.log(`[${functionName}] ${describeError(error)}`);
        reply = replyFor(functionName, { kind: 'undelivered', message: String(error) });
      } finally {
        this.active.delete(id);
        // A function that timed out, crashed or returned mid-transaction must not hold the
        // transaction queue; the platform ends such a transaction with the instance too.
        for (const txnId of active.openTransactions) this.engine.abortTransaction(txnId);
      }
    }
    const { status, body, outcome } = reply;
    const action = actionOf(event);
    const ms = Number((process.hrtime.bigint() - started) / 1000n) / 1000;
    const record: InvocationRecord = {
      id,
      functionName,
      action,
      outcome,
      ms: Math.round(ms * 10) / 10,
      dbRequests: active.dbRequests,
      parentId,
      at: this.now().toISOString(),
    };
    this.invocations.add(record);
    if (this.options.logInvocations ?? true) this.log(formatInvocation(record));
    return { status, body, record };
  }

  /**
   * Handles a request the SDK sent to the TCB endpoint on behalf of invocation `invocationId`:
   * database requests go to the engine and are counted; callFunction starts a nested invocation
   * that keeps the caller's identity; storage requests go to the storage stand-in.
   */
  async handleTcbRequest(invocationId: string, body: Record<string, unknown>, signal?: AbortSignal): Promise<unknown> {
    const action = typeof body.action === 'string' ? body.action : '';
    const active = this.active.get(invocationId);
    if (isDatabaseAction(action)) {
      this.dbRequestsTotal += 1;
      if (active) active.dbRequests += 1;
      const reply = await handleDatabaseRequest(this.engine, body, { signal });
      if (active) trackTransaction(active, action, body, reply);
      return reply;
    }
    if (action === 'functions.invokeFunction') {
      const name = typeof body.function_name === 'string' ? body.function_name : '';
      const raw = typeof body.request_data === 'string' && body.request_data ? body.request_data : '{}';
      let event: unknown;
      try {
        event = JSON.parse(raw);
      } catch {
        return paramError('request_data is not JSON');
      }
      // The callee sees the caller's user; SOURCE records the chain ("wx_client,scf"), as documented.
      const identity = active ? { ...active.identity, source: `${active.identity.source},scf` } : { source: 'scf' };
      const result = await this.invoke(name, event, identity, active ? invocationId : null);
      if (result.status !== 200) {
        const error = result.body as { errCode: number; errMsg: string };
        return { code: String(error.errCode), message: error.errMsg, requestId: result.record.id };
      }
      return { data: { response_data: JSON.stringify(result.body) }, requestId: result.record.id };
    }
    if (action === 'storage.batchGetDownloadUrl' || action === 'storage.batchDeleteFile' || action === 'storage.getUploadMetadata') {
      return this.handleStorageRequest(action, body);
    }
    return { code: 'LOCAL_UNSUPPORTED_ACTION', message: `the local cloud does not implement ${action || '(no action)'}` };
  }

  /**
   * The download URL of a stored file: plain for a public one; for a private one (notice
   * attachments, exports) signed and valid `maxAgeSeconds`, as the platform's temporary URLs of
   * private files are. Not percent-encoded: the SDK passes it through encodeURI before fetching,
   * as it does with the platform's URLs, which would double-encode.
   */
  storageDownloadUrl(cloudPath: string, maxAgeSeconds: number = DEFAULT_DOWNLOAD_MAX_AGE_SECONDS): string {
    const url = `${this.baseUrl}${STORAGE_FILES_ROUTE}${cloudPath}`;
    if (!isPrivatePath(cloudPath)) return url;
    const { sign, t } = this.storage.signDownload(cloudPath, maxAgeSeconds);
    return `${url}?sign=${sign}&t=${t}`;
  }

  /** The SDK PUTs to this URL unchanged, so here the path is encoded. */
  storageUploadUrl(cloudPath: string): string {
    return `${this.baseUrl}${STORAGE_PUT_ROUTE}${encodeCloudPath(cloudPath)}`;
  }

  /**
   * The storage actions of the TCB endpoint in the platform's reply shapes. A missing file is
   * not an error of the call but of its item: per-item `code: 'STORAGE_FILE_NONEXIST'`, which
   * wx-server-sdk turns into `status: -503003` for that item.
   */
  private handleStorageRequest(action: string, body: Record<string, unknown>): unknown {
    const requestId = randomUUID();
    if (action === 'storage.batchGetDownloadUrl') {
      const list = body.file_list;
      if (!Array.isArray(list)) return paramError('file_list must be an array');
      if (list.length > STORAGE_BATCH_LIMIT) return paramError(`at most ${STORAGE_BATCH_LIMIT} files per call`);
      const downloadList = list.map((item: unknown) => {
        const entry = (typeof item === 'object' && item !== null ? item : {}) as { fileid?: unknown; max_age?: unknown };
        const fileID = typeof entry.fileid === 'string' ? entry.fileid : '';
        const maxAge = downloadMaxAge(entry.max_age);
        const cloudPath = cloudPathOf(fileID);
        if (cloudPath === null || !this.storage.has(cloudPath)) return { code: 'STORAGE_FILE_NONEXIST', message: FILE_NONEXIST_MESSAGE, fileID, tempFileURL: '', maxAge };
        return { code: 'SUCCESS', fileID, tempFileURL: this.storageDownloadUrl(cloudPath, maxAge), maxAge };
      });
      return { data: { download_list: downloadList }, requestId };
    }
    if (action === 'storage.batchDeleteFile') {
      const list = body.fileid_list;
      if (!Array.isArray(list)) return paramError('fileid_list must be an array');
      if (list.length > STORAGE_BATCH_LIMIT) return paramError(`at most ${STORAGE_BATCH_LIMIT} files per call`);
      const deleteList = list.map((item: unknown) => {
        const fileID = typeof item === 'string' ? item : '';
        const cloudPath = cloudPathOf(fileID);
        const removed = cloudPath !== null && this.storage.remove(cloudPath);
        return removed ? { code: 'SUCCESS', fileID } : { code: 'STORAGE_FILE_NONEXIST', message: FILE_NONEXIST_MESSAGE, fileID };
      });
      return { data: { delete_list: deleteList }, requestId };
    }
    // storage.getUploadMetadata: permission to PUT one path, then the SDK sends the bytes there.
    const cloudPath = typeof body.path === 'string' ? body.path : '';
    try {
      const signature = this.storage.signUpload(cloudPath);
      return {
        data: {
          url: this.storageUploadUrl(cloudPath),
          token: signature.token,
          authorization: signature.authorization,
          fileId: fileIdOf(cloudPath),
          cosFileId: signature.cosFileId,
          download_url: this.storageDownloadUrl(cloudPath),
        },
        requestId,
      };
    } catch (error) {
      if (error instanceof StorageError) return paramError(error.message);
      throw error;
    }
  }

  /** Stops timers and every instance (calls in flight fail), then closes the database. */
  async close(): Promise<void> {
    this.closing = true;
    this.scheduler.stop();
    await Promise.all([...this.pools.values()].map((pool) => pool.close()));
    await this.engine.close();
  }

  private pool(functionName: string): FunctionPool | undefined {
    const existing = this.pools.get(functionName);
    if (existing || this.closing) return existing;
    const spec = this.functions.find((fn) => fn.name === functionName);
    if (!spec) return undefined;
    const pool = new FunctionPool({
      name: spec.name,
      entry: spec.entry,
      workerScript: join(this.options.rootDir, 'local-cloud', 'dist', 'worker.js'),
      env: this.functionEnv(),
      // Stack traces of the minified bundles point into the TypeScript sources (index.js.map).
      execArgv: ['--enable-source-maps'],
      timeoutSeconds: spec.config.timeout,
      maxWorkers: this.options.maxInstances ?? 16,
      gate: this.startGate,
      queueLimitMs: this.options.queueLimitMs,
      clock: this.clock.buffer,
      onOutput: (name, line) => this.log(`[${name}] ${line}`),
    });
    this.pools.set(functionName, pool);
    return pool;
  }

  private functionEnv(): Record<string, string> {
    const inherited: Record<string, string> = {};
    for (const [key, value] of Object.entries(process.env)) if (value !== undefined) inherited[key] = value;
    return {
      ...inherited,
      // Local stand-ins first, so a test or an operator can point a function elsewhere.
      XINTONG_BOOTSTRAP_CODE: this.bootstrapCode,
      XINTONG_WECOM_CORP_ID: LOCAL_WECOM_CORP_ID,
      XINTONG_WECOM_SECRET: this.wecomSecret,
      XINTONG_WECOM_BASE_URL: `${this.baseUrl}${WECOM_ROUTE}`,
      ...this.options.functionEnv,
      TCB_ENV: 'local',
      SCF_NAMESPACE: 'local',
      // Skips the metadata-server lookup that would stall every request off Tencent Cloud.
      TENCENTCLOUD: 'true',
      // The SDK refuses to send unsigned requests; the local endpoint ignores the signature.
      TENCENTCLOUD_SECRETID: 'local-placeholder-secret-id',
      TENCENTCLOUD_SECRETKEY: 'local-placeholder-secret-key',
      WX_CONTEXT_KEYS,
      XINTONG_RUNTIME: 'local',
      XINTONG_LOCAL_CLOUD_URL: this.baseUrl,
    };
  }

  private invocationEnv(id: string, identity: CallerIdentity): Record<string, string | null> {
    return {
      WX_OPENID: identity.openid ?? null,
      WX_APPID: identity.appid ?? null,
      WX_UNIONID: identity.unionid ?? null,
      WX_CLIENTIP: identity.clientIp ?? null,
      TCB_SOURCE: identity.source,
      TCB_CONTEXT_CNFG: JSON.stringify({ URL: `${this.baseUrl}/tcb/${id}` }),
    };
  }
}
