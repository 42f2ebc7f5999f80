/** What the local cloud records about each invocation, for its log line, tests and the benchmark. */
export interface InvocationRecord {
  id: string;
  functionName: string;
  action: string;
  /** `OK`, the error code of a failed Result, `TIMEOUT`, or `CRASH` for a thrown error. */
  outcome: string;
  ms: number;
  dbRequests: number;
  /** Set when this invocation was started by another function through callFunction. */
  parentId: string | null;
  at: string;
}

export interface ActiveInvocation {
  id: string;
  identity: CallerIdentity;
  dbRequests: number;
  /** Transactions it started and has not ended; aborted when the invocation ends. */
  openTransactions: Set<string>;
}

/** The identity a local invocation runs as: what WeChat would put in the context. */
export interface CallerIdentity {
  openid?: string;
  appid?: string;
  unionid?: string;
  clientIp?: string;
  /** `wx_client` for a mini-program call, `wx_trigger` for a timer. */
  source: string;
}

/** The action an event names, or `timer:<name>` for a timer event, for the log. */
export function actionOf(event: unknown): string {
  if (typeof event !== 'object' || event === null) return '';
  const { action, TriggerName, Event } = event as { action?: unknown; TriggerName?: unknown; Event?: unknown };
  if (typeof action === 'string') return action;
  if (typeof TriggerName === 'string') return `timer:${TriggerName}`;
  // A message push, named as the router names it.
  return typeof Event === 'string' ? `message:${Event}` : '';
}

export function outcomeOf(value: unknown): string {
  if (typeof value === 'object' && value !== null && 'ok' in value) {
    const result = value as { ok: unknown; error?: { code?: unknown } };
    if (result.ok === true) return 'OK';
    if (typeof result.error?.code === 'string') return result.error.code;
  }
  return 'OK';
}

export function formatInvocation(record: InvocationRecord): string {
  return `${record.functionName}.${record.action || '-'} ${record.outcome} ${record.ms}ms db=${record.dbRequests}`;
}

/** A bounded ring of recent records, so a long-running local cloud does not grow without end. */
export class InvocationLog {
  private readonly records: InvocationRecord[] = [];

  constructor(private readonly capacity = 10_000) {}

  add(record: InvocationRecord): void {
    this.records.push(record);
    if (this.records.length > this.capacity) this.records.splice(0, this.records.length - this.capacity);
  }

  recent(limit = 100): InvocationRecord[] {
    return this.records.slice(-limit);
  }

  find(id: string): InvocationRecord | undefined {
    return this.records.find((record) => record.id === id);
  }

  clear(): void {
    this.records.length = 0;
  }
}
