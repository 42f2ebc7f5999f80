import { Worker } from 'node:worker_threads';
import type { Readable } from 'node:stream';
import type { InvokeMessage, WorkerReply } from './protocol';

export type InvokeOutcome =
  | { kind: 'ok'; value: unknown }
  | { kind: 'error'; message: string }
  | { kind: 'timeout'; seconds: number };

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

/**
 * Warm instances of one function. Like the platform, an instance serves one invocation at a
 * time; more instances start on demand up to `maxWorkers`, and further calls wait in line.
 * A timed-out instance is terminated, as the platform kills it.
 */
export class FunctionPool {
  private readonly idle: Instance[] = [];
  private readonly alive = new Set<Instance>();
  private readonly waiting: Array<(instance: Instance) => void> = [];
  private size = 0;
  private closed = false;

  constructor(private readonly options: PoolOptions) {}

  async invoke(message: InvokeMessage): Promise<InvokeOutcome> {
    const instance = await this.acquire();
    const initError = await instance.ready;
    if (initError !== null) {
      this.discard(instance);
      return { kind: 'error', message: initError };
    }
    const seconds = this.options.timeoutSeconds;
    const outcome = await new Promise<InvokeOutcome>((resolve) => {
      const timer = setTimeout(() => {
        instance.current = null;
        this.discard(instance);
        resolve({ kind: 'timeout', seconds });
      }, seconds * 1000);
      instance.current = {
        id: message.id,
        settle: (result) => {
          clearTimeout(timer);
          instance.current = null;
          resolve(result);
        },
      };
      instance.worker.postMessage(message);
    });
    if (outcome.kind !== 'timeout' && this.isAlive(instance)) this.release(instance);
    return outcome;
  }

  /** Starts one idle instance ahead of the first call, so it pays no cold start. */
  warm(): void {
    if (this.size === 0 && !this.closed) this.idle.push(this.spawn());
  }

  /** Number of started instances, for the invocation log and tests. */
  get instances(): number {
    return this.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = this.idle.splice(0);
    await Promise.all(all.map((instance) => instance.worker.terminate()));
  }

  private isAlive(instance: Instance): boolean {
    return this.alive.has(instance);
  }

  private acquire(): Promise<Instance> {
    const instance = this.idle.pop();
    if (instance) return Promise.resolve(instance);
    if (this.size < this.options.maxWorkers) return Promise.resolve(this.spawn());
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(instance: Instance): void {
    const next = this.waiting.shift();
    if (next) next(instance);
    else if (this.closed) void instance.worker.terminate();
    else this.idle.push(instance);
  }

  private discard(instance: Instance): void {
    if (!this.alive.delete(instance)) return;
    this.size -= 1;
    void instance.worker.terminate();
    // Someone may be waiting for a free slot that this instance held.
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
        instance.current.settle(reply.ok ? { kind: 'ok', value: JSON.parse(reply.json) } : { kind: 'error', message: reply.message });
      }
    });
    const onDeath = (reason: string): void => {
      markReady(reason);
      instance.current?.settle({ kind: 'error', message: reason });
      const index = this.idle.indexOf(instance);
      if (index >= 0) this.idle.splice(index, 1);
      this.discard(instance);
    };
    worker.on('error', (error) => onDeath(error.stack ?? error.message));
    worker.on('exit', (code) => onDeath(`instance exited with code ${code}`));
    this.alive.add(instance);
    this.size += 1;
    return instance;
  }
}
