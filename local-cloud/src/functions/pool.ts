import { Worker } from 'node:worker_threads';
import type { Readable } from 'node:stream';
import type { InvokeMessage, WorkerReply } from './protocol';

export type InvokeOutcome =
  | { kind: 'ok'; value: unknown }
  | { kind: 'error'; message: string }
  | { kind: 'timeout'; seconds: number }
  /** The pool is closed: the call never reached an instance. */
  | { kind: 'closed' };

export interface PoolOptions {
  name: string;
  entry: string;
  workerScript: string;
  env: Record<string, string>;
  timeoutSeconds: number;
  maxWorkers: number;
  /** Receives each line a function prints. */
  onOutput(name: string, line: string): void;
}

interface Instance {
  worker: Worker;
  ready: Promise<string | null>;
  current: { id: string; settle(outcome: InvokeOutcome): void } | null;
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

/** How long a new instance may take to load its function before the call fails. */
const STARTUP_LIMIT_MS = 10_000;

function parseValue(json: string): InvokeOutcome {
  try {
    return { kind: 'ok', value: JSON.parse(json) };
  } catch (error) {
    return { kind: 'error', message: `the function returned a value that is not JSON: ${(error as Error).message}` };
  }
}

/**
 * Warm instances of one function. Like the platform, an instance serves one invocation at a
 * time; more instances start on demand up to `maxWorkers`, and further calls wait in line.
 * A timed-out instance is terminated, as the platform kills it.
 */
export class FunctionPool {
  private readonly idle: Instance[] = [];
  private readonly alive = new Set<Instance>();
  /** Calls waiting for a free instance; handed `null` when the pool closes. */
  private readonly waiting: Array<(instance: Instance | null) => void> = [];
  private closed = false;

  constructor(private readonly options: PoolOptions) {}

  /**
   * Runs one invocation on a free instance. `nested` calls (callFunction from another
   * function) may start instances beyond the limit: their callers hold instances while they
   * wait, so queueing them could starve every caller, which the platform's far higher
   * concurrency never does.
   */
  async invoke(message: InvokeMessage, options: { nested?: boolean } = {}): Promise<InvokeOutcome> {
    const instance = await this.acquire(options.nested === true);
    if (!instance) return { kind: 'closed' };
    const seconds = this.options.timeoutSeconds;
    return new Promise<InvokeOutcome>((resolve) => {
      let done = false;
      let timer: NodeJS.Timeout | undefined;
      const finish = (outcome: InvokeOutcome, reusable: boolean): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        instance.current = null;
        if (reusable && this.alive.has(instance)) this.release(instance);
        else this.discard(instance);
        resolve(outcome);
      };
      instance.current = { id: message.id, settle: (outcome) => finish(outcome, true) };
      // Loading a bundle and the SDK in a fresh worker is slower here than a platform cold
      // start, so start-up has its own bound and the function's timeout covers main() alone.
      timer = setTimeout(() => finish({ kind: 'error', message: `instance start-up exceeded ${STARTUP_LIMIT_MS} ms` }, false), STARTUP_LIMIT_MS);
      void instance.ready.then((initError) => {
        if (done) return;
        clearTimeout(timer);
        if (initError !== null) return finish({ kind: 'error', message: initError }, false);
        timer = setTimeout(() => finish({ kind: 'timeout', seconds }, false), seconds * 1000);
        instance.worker.postMessage(message);
      });
    });
  }

  /** Starts one idle instance ahead of the first call, so it pays no cold start. */
  warm(): void {
    if (this.alive.size === 0 && !this.closed) this.idle.push(this.spawn());
  }

  /** Number of started instances, for the invocation log and tests. */
  get instances(): number {
    return this.alive.size;
  }

  /** Refuses new calls, fails the waiting ones, and stops every instance, busy or idle. */
  async close(): Promise<void> {
    this.closed = true;
    for (const waiter of this.waiting.splice(0)) waiter(null);
    this.idle.length = 0;
    const all = [...this.alive];
    await Promise.all(all.map((instance) => instance.worker.terminate()));
  }

  private acquire(nested: boolean): Promise<Instance | null> {
    if (this.closed) return Promise.resolve(null);
    const instance = this.idle.pop();
    if (instance) return Promise.resolve(instance);
    if (this.alive.size < this.options.maxWorkers || nested) return Promise.resolve(this.spawn());
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(instance: Instance): void {
    const next = this.waiting.shift();
    if (next) next(instance);
    else if (this.closed) this.discard(instance);
    else this.idle.push(instance);
  }

  private discard(instance: Instance): void {
    if (!this.alive.delete(instance)) return;
    const index = this.idle.indexOf(instance);
    if (index >= 0) this.idle.splice(index, 1);
    void instance.worker.terminate();
    // Someone may be waiting for the slot this instance held.
    const next = this.closed ? undefined : this.waiting.shift();
    if (next) next(this.spawn());
  }

  private spawn(): Instance {
    const { entry, workerScript, env, name, onOutput } = this.options;
    const worker = new Worker(workerScript, { workerData: { entry }, env, stdout: true, stderr: true });
    pipeLines(worker.stdout, (line) => onOutput(name, line));
    pipeLines(worker.stderr, (line) => onOutput(name, line));
    let markReady: (error: string | null) => void = () => undefined;
    const instance: Instance = {
      worker,
      ready: new Promise((resolve) => (markReady = resolve)),
      current: null,
    };
    worker.on('message', (reply: WorkerReply) => {
      if (reply.type === 'ready') markReady(null);
      else if (reply.type === 'init-error') markReady(reply.message);
      else if (instance.current && instance.current.id === reply.id) {
        instance.current.settle(reply.ok ? parseValue(reply.json) : { kind: 'error', message: reply.message });
      }
    });
    const onDeath = (reason: string): void => {
      markReady(reason);
      this.discard(instance);
      instance.current?.settle({ kind: 'error', message: reason });
    };
    worker.on('error', (error) => onDeath(error.stack ?? error.message));
    worker.on('exit', (code) => onDeath(`instance exited with code ${code}`));
    this.alive.add(instance);
    return instance;
  }
}
