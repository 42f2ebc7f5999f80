import { Worker } from 'node:worker_threads';
import type { Readable } from 'node:stream';
import { describeError, type InvokeMessage, type WorkerReply } from './protocol';
import type { StartGate } from './start-gate';

export type InvokeOutcome =
  | { kind: 'ok'; value: unknown }
  | { kind: 'error'; message: string }
  | { kind: 'timeout'; seconds: number }
  /** Handing the event to the instance failed: the function never saw it. */
  | { kind: 'undelivered'; message: string }
  /** No instance became free within the wait limit. */
  | { kind: 'busy'; waitedMs: number }
  /** The pool is closed: the call never reached an instance. */
  | { kind: 'closed' };

export interface PoolOptions {
  name: string;
  entry: string;
  workerScript: string;
  env: Record<string, string>;
  /** Node options of each instance (the local cloud passes --enable-source-maps). */
  execArgv?: string[];
  timeoutSeconds: number;
  maxWorkers: number;
  /** Shared by every pool of one local cloud, so loads are paced across functions. */
  gate: StartGate;
  /**
   * Loads of this function at once (default 1). Each load costs a few hundred ms of CPU that
   * the running calls also need; one at a time, a burst adds instances while they are still
   * needed and stops once the instances it has keep up.
   */
  maxStarts?: number;
  /** How long a call may wait for a free instance before it is refused; default 30 s. */
  queueLimitMs?: number;
  /** When a load still running counts as slow (see SLOW_START_MS); default 10 s. */
  slowStartMs?: number;
  /**
   * The local cloud's clock cell (see SharedClock), which every instance's `Date` reads: shared,
   * not copied, so moving it reaches instances already running.
   */
  clock?: SharedArrayBuffer;
  /** Receives each line a function prints, and the pool's notes about slow or failed starts. */
  onOutput(name: string, line: string): void;
}

type InstanceState = 'starting' | 'idle' | 'busy' | 'gone';

interface Instance {
  worker: Worker;
  state: InstanceState;
  current: { id: string; settle(outcome: InvokeOutcome, reusable: boolean): void } | null;
}

interface Waiter {
  message: InvokeMessage;
  nested: boolean;
  timer: NodeJS.Timeout;
  resolve(outcome: InvokeOutcome): void;
}

/** A start asked of the gate and not yet begun. */
interface StartRequest {
  cancel?: () => void;
}

function pipeLines(stream: Readable, sink: (line: string) => void): void {
  let buffered = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffered += chunk;
    let newline = buffered.indexOf('\n');
    while (newline >= 0) {
      sink(buffered.slice(0, newline));
      buffered = buffered.slice(newline + 1);
      newline = buffered.indexOf('\n');
    }
  });
  stream.on('end', () => {
    if (buffered) sink(buffered);
  });
}

/** The platform answers a burst beyond its concurrency with an error rather than waiting forever. */
export const DEFAULT_QUEUE_LIMIT_MS = 30_000;
/**
 * A load still running after this no longer holds its gate slot nor this function's start
 * turn, and no longer counts as serving a waiting call: one slow load paces nothing, and the
 * next start goes ahead (whichever finishes first serves the longest waiter).
 */
const SLOW_START_MS = 10_000;
/** A load that has not finished after this is taken for hung and its instance terminated. */
const STARTUP_LIMIT_MS = 60_000;

function parseValue(json: string): InvokeOutcome {
  try {
    return { kind: 'ok', value: JSON.parse(json) };
  } catch (error) {
    return { kind: 'error', message: `the function returned a value that is not JSON: ${(error as Error).message}` };
  }
}

/**
 * Warm instances of one function. Like the platform, an instance serves one invocation at a
 * time. A call takes a free instance or waits in line; instances start for waiting calls, up to
 * `maxWorkers`, through the shared gate that bounds how many load at once. Whichever instance
 * becomes free first (one that finished its call or its start) serves the call that has waited
 * longest, so an instance that loads slowly still serves someone instead of being thrown away.
 * A call that waits past the queue limit is refused; a timed-out instance is terminated, as
 * the platform kills it.
 */
export class FunctionPool {
  private readonly idle: Instance[] = [];
  private readonly alive = new Set<Instance>();
  private readonly waiting: Waiter[] = [];
  private readonly requests = new Set<StartRequest>();
  private starting = 0;
  /** Loads among `starting` past SLOW_START_MS. */
  private slowStarts = 0;
  private closed = false;

  constructor(private readonly options: PoolOptions) {}

  /**
   * Runs one invocation on a free instance. `nested` calls (callFunction from another
   * function) are served first and may start instances beyond the limit: their callers hold
   * instances while they wait, so queueing them behind the limit could starve every caller,
   * which the platform's far higher concurrency never does.
   */
  invoke(message: InvokeMessage, options: { nested?: boolean } = {}): Promise<InvokeOutcome> {
    if (this.closed) return Promise.resolve({ kind: 'closed' });
    return new Promise<InvokeOutcome>((resolve) => {
      const idle = this.waiting.length === 0 ? this.idle.pop() : undefined;
      if (idle) return this.dispatch(idle, message, resolve);
      const since = Date.now();
      const waiter: Waiter = {
        message,
        nested: options.nested === true,
        timer: setTimeout(() => {
          const index = this.waiting.indexOf(waiter);
          if (index < 0) return;
          this.waiting.splice(index, 1);
          resolve({ kind: 'busy', waitedMs: Date.now() - since });
        }, this.options.queueLimitMs ?? DEFAULT_QUEUE_LIMIT_MS),
        resolve,
      };
      this.waiting.push(waiter);
      this.pump();
    });
  }

  /** Starts one idle instance ahead of the first call, so it pays no cold start. */
  warm(): void {
    if (this.alive.size === 0 && this.requests.size === 0 && !this.closed) this.requestStart(true);
  }

  /** Number of started instances (loading included), for the invocation log and tests. */
  get instances(): number {
    return this.alive.size;
  }

  /** Refuses new calls, fails the waiting ones, and stops every instance, busy, idle or loading. */
  async close(): Promise<void> {
    this.closed = true;
    for (const request of this.requests) request.cancel?.();
    this.requests.clear();
    for (const waiter of this.waiting.splice(0)) {
      clearTimeout(waiter.timer);
      waiter.resolve({ kind: 'closed' });
    }
    this.idle.length = 0;
    await Promise.all([...this.alive].map((instance) => instance.worker.terminate()));
  }

  /** Nested calls first (see invoke), then the one that has waited longest. */
  private nextWaiter(): Waiter | undefined {
    const nested = this.waiting.findIndex((waiter) => waiter.nested);
    const [waiter] = this.waiting.splice(nested >= 0 ? nested : 0, 1);
    if (waiter) clearTimeout(waiter.timer);
    return waiter;
  }

  /** A free instance serves the next waiting call, or waits for one. */
  private offer(instance: Instance): void {
    const waiter = this.nextWaiter();
    if (waiter) return this.dispatch(instance, waiter.message, waiter.resolve);
    // Instances started beyond the limit for nested calls are not kept once free.
    if (this.closed || this.alive.size > this.options.maxWorkers) return this.discard(instance);
    instance.state = 'idle';
    this.idle.push(instance);
  }

  private dispatch(instance: Instance, message: InvokeMessage, resolve: (outcome: InvokeOutcome) => void): void {
    instance.state = 'busy';
    const seconds = this.options.timeoutSeconds;
    let done = false;
    const finish = (outcome: InvokeOutcome, reusable: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      instance.current = null;
      if (reusable && this.alive.has(instance)) this.offer(instance);
      else this.discard(instance);
      resolve(outcome);
    };
    instance.current = { id: message.id, settle: finish };
    // The function's timeout covers main() alone; loading has its own bounds (see spawn).
    const timer = setTimeout(() => finish({ kind: 'timeout', seconds }, false), seconds * 1000);
    try {
      instance.worker.postMessage(message);
    } catch (error) {
      // Serialising the message failed before anything reached the worker, so the instance is
      // as clean as it was: it stays, and only this call fails.
      finish({ kind: 'undelivered', message: describeError(error) }, true);
    }
  }

  private discard(instance: Instance): void {
    instance.state = 'gone';
    if (!this.alive.delete(instance)) return;
    const index = this.idle.indexOf(instance);
    if (index >= 0) this.idle.splice(index, 1);
    void instance.worker.terminate();
    // Someone may be waiting for the slot this instance held.
    this.pump();
  }

  /** Hands free instances to waiting calls, then asks for starts for calls no load will serve. */
  private pump(): void {
    if (this.closed) return;
    while (this.waiting.length > 0 && this.idle.length > 0) {
      const instance = this.idle.pop();
      if (instance) this.offer(instance);
    }
    while (this.waiting.length > this.timelyStarts + this.requests.size && this.mayStart(this.requests.size)) this.requestStart(false);
  }

  /** Loads in progress that are not yet slow: the ones expected to serve a waiting call soon. */
  private get timelyStarts(): number {
    return this.starting - this.slowStarts;
  }

  /** Whether one more instance may start, with `pending` starts already asked for. */
  private mayStart(pending: number): boolean {
    const nested = this.waiting.filter((waiter) => waiter.nested).length;
    if (nested > this.timelyStarts + pending) return true;
    return this.timelyStarts + pending < (this.options.maxStarts ?? 1) && this.alive.size + pending < this.options.maxWorkers;
  }

  private requestStart(warming: boolean): void {
    const request: StartRequest = {};
    this.requests.add(request);
    request.cancel = this.options.gate.request((release) => {
      this.requests.delete(request);
      // Calls may have been served meanwhile by instances that became free: start only for
      // calls that no load in progress will serve.
      const needed = warming || (this.waiting.length > this.timelyStarts && this.mayStart(this.requests.size));
      if (this.closed || !needed) return release();
      this.spawn(release);
    });
  }

  private spawn(release: () => void): void {
    const { entry, workerScript, env, execArgv, clock, name, onOutput } = this.options;
    let worker: Worker;
    try {
      worker = new Worker(workerScript, { workerData: { entry, clock }, env, execArgv, stdout: true, stderr: true });
    } catch (error) {
      release();
      return this.startFailed(describeError(error));
    }
    pipeLines(worker.stdout, (line) => onOutput(name, line));
    pipeLines(worker.stderr, (line) => onOutput(name, line));
    const instance: Instance = { worker, state: 'starting', current: null };
    this.alive.add(instance);
    this.starting += 1;
    let isSlow = false;
    const slow = setTimeout(() => {
      onOutput(name, `an instance is still loading after ${this.options.slowStartMs ?? SLOW_START_MS} ms; the next start goes ahead`);
      isSlow = true;
      this.slowStarts += 1;
      release();
      this.pump();
    }, this.options.slowStartMs ?? SLOW_START_MS);
    const hung = setTimeout(() => started(`instance start-up exceeded ${STARTUP_LIMIT_MS} ms`), STARTUP_LIMIT_MS);
    const started = (error: string | null): void => {
      if (instance.state !== 'starting') return;
      clearTimeout(slow);
      clearTimeout(hung);
      release();
      this.starting -= 1;
      if (isSlow) this.slowStarts -= 1;
      if (error === null) {
        this.offer(instance);
        // This function may start its next instance now, if calls still wait.
        return this.pump();
      }
      instance.state = 'gone';
      this.alive.delete(instance);
      void worker.terminate();
      this.startFailed(error);
    };
    worker.on('message', (reply: WorkerReply) => {
      if (reply.type === 'ready') started(null);
      else if (reply.type === 'init-error') started(reply.message);
      else if (instance.current && instance.current.id === reply.id) {
        instance.current.settle(reply.ok ? parseValue(reply.json) : { kind: 'error', message: reply.message }, true);
      }
    });
    const onDeath = (reason: string): void => {
      if (instance.state === 'starting') return started(reason);
      const current = instance.current;
      this.discard(instance);
      current?.settle({ kind: 'error', message: reason }, false);
    };
    worker.on('error', (error) => onDeath(describeError(error)));
    worker.on('exit', (code) => onDeath(`instance exited with code ${code}`));
  }

  /**
   * A load that failed fails the call that has waited longest, as a failed cold start fails
   * the call that caused it on the platform; the others ask for another start.
   */
  private startFailed(reason: string): void {
    if (this.closed) return;
    const waiter = this.nextWaiter();
    if (waiter) waiter.resolve({ kind: 'error', message: reason });
    else this.options.onOutput(this.options.name, `an instance failed to start: ${reason}`);
    this.pump();
  }
}
