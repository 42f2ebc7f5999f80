/** Messages between the local cloud and a function's worker thread. */

/** An error as the local cloud logs and relays it: its stack where it has one. */
export function describeError(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

export interface InvokeMessage {
  id: string;
  event: unknown;
  context: Record<string, unknown>;
  /** Variables to set (string) or delete (null) before this invocation. */
  env: Record<string, string | null>;
}

export type WorkerReply =
  | { type: 'ready' }
  | { type: 'init-error'; message: string }
  | { type: 'result'; id: string; ok: true; json: string }
  | { type: 'result'; id: string; ok: false; message: string };
