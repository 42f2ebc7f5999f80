/**
 * The stand-in for `security.mediaCheckAsync` (version 2): it answers at once with a trace id,
 * as the platform does, then checks on its own time: it downloads the link (a real HTTP GET,
 * so a private file's temporary link must be signed and unexpired), decides from the bytes and
 * pushes the verdict as the `wxa_media_check` message to the function the 消息推送 setting
 * routes it to (message-push.ts). Tests and people may hold checks and release them later,
 * with a verdict of their choosing.
 */
import { randomBytes } from 'node:crypto';
import type { PushOutcome, PushedMessage } from '../message-push';

export type MediaVerdict = 'pass' | 'review' | 'risky';

export const MEDIA_VERDICTS: readonly MediaVerdict[] = ['pass', 'review', 'risky'];

/**
 * Labels the verdicts carry (the msgSecCheck v2 label list): 100 normal, 20002 pornography (what
 * the risky word stands for), 21000 other (what a picture that could not be judged gets).
 */
export const MEDIA_LABELS: Readonly<Record<MediaVerdict, number>> = { pass: 100, risky: 20002, review: 21000 };

/**
 * `refused`: the call was answered with an error and nothing is checked. `checking`: being
 * downloaded, judged or pushed. `held`: waiting for a release. `delivered`: the routed function
 * answered the push. `undelivered`: no function took it (not deployed, failed).
 */
export type MediaCheckState = 'refused' | 'checking' | 'held' | 'delivered' | 'undelivered';

/** One `security.mediaCheckAsync` call and what became of it. */
export interface RecordedMediaCheck {
  /** Null for a refused call. */
  traceId: string | null;
  openid: string;
  scene: number | null;
  mediaType: number | null;
  mediaUrl: string;
  askedAt: string;
  errCode: number;
  errMsg: string;
  state: MediaCheckState;
  verdict: MediaVerdict | null;
  label: number | null;
  /** The verdict was chosen by a release rather than judged from the bytes. */
  forced: boolean;
  /** Where the verdict was pushed. */
  functionName: string | null;
  /** When the push was answered (or found no taker). */
  settledAt: string | null;
  /** The routed function's answer to the push. */
  response: unknown;
  /** Why the push was not delivered. */
  problem: string | null;
}

export interface MediaCheckOptions {
  /** Bytes holding this word's UTF-8 are risky; empty never. */
  riskyWord: () => string;
  /** The mini-program the pushes name. */
  appid: string;
  now: () => Date;
  push: (message: PushedMessage) => Promise<PushOutcome>;
  /** How long a download may take before the picture counts as undownloadable. */
  downloadTimeoutMs?: number;
}

export type MediaCheckReply = { errCode: number; errMsg: string; traceId?: string };

export interface ReleaseRequest {
  /** Only this check; every held one when absent. */
  traceId?: string;
  /** Delivered instead of judging the bytes. */
  verdict?: MediaVerdict;
}

const MEDIA_TYPES = [1, 2];
const SCENES = [1, 2, 3, 4];

/** As the platform spells them: three groups of eight hex digits. */
function newTraceId(): string {
  return randomBytes(12).toString('hex').replace(/^(.{8})(.{8})(.{8})$/, '$1-$2-$3');
}

function isHttpLink(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * The platform's checks, in its order: the openid (40003), then the request's fields (47001
 * "data format error"). The platform documents version 1 too, whose push has another shape;
 * this stand-in plays version 2 only.
 */
function requestProblem(body: Record<string, unknown>): { errCode: number; errMsg: string } | null {
  const { openid, version, scene, mediaType, mediaUrl } = body;
  if (typeof openid !== 'string' || !openid) return { errCode: 40003, errMsg: 'invalid openid' };
  if (version !== 2) return { errCode: 47001, errMsg: 'data format error: version must be 2 (the local stand-in plays version 2)' };
  if (!MEDIA_TYPES.includes(mediaType as number)) return { errCode: 47001, errMsg: 'data format error: media_type must be 1 (audio) or 2 (image)' };
  if (!SCENES.includes(scene as number)) return { errCode: 47001, errMsg: 'data format error: scene must be 1, 2, 3 or 4' };
  if (!isHttpLink(mediaUrl)) return { errCode: 47001, errMsg: 'data format error: media_url must be an http(s) link the checker can download, not a cloud:// file id' };
  return null;
}

export class MediaCheckStandIn {
  /** Every call, in the order asked. */
  readonly calls: RecordedMediaCheck[] = [];
  private holding = false;
  private readonly held = new Set<RecordedMediaCheck>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly options: MediaCheckOptions) {}

  /** Whether checks asked now wait for a release. */
  get isHolding(): boolean {
    return this.holding;
  }

  /** Checks being downloaded, judged or pushed (held ones are not). */
  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /** Makes the checks asked from now on wait for a release (false: they run at once again). */
  hold(on = true): void {
    this.holding = on;
  }

  /**
   * Runs the held checks (one, with `traceId`), with `verdict` or judged from the bytes;
   * resolves with their records once the routed function answered each push.
   */
  async release(request: ReleaseRequest = {}): Promise<RecordedMediaCheck[]> {
    const chosen = [...this.held].filter((record) => request.traceId === undefined || record.traceId === request.traceId);
    for (const record of chosen) this.held.delete(record);
    await Promise.all(chosen.map((record) => this.start(record, request.verdict)));
    return chosen;
  }

  /** Resolves once nothing is being checked or pushed, those started meanwhile included. */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  /** Forgets every record and held check (a held one is never delivered) and stops holding. */
  clear(): void {
    this.calls.length = 0;
    this.held.clear();
    this.holding = false;
  }

  /** The call as `cloud.openapi.security.mediaCheckAsync` answers it: at once, the verdict later. */
  ask(body: Record<string, unknown>): MediaCheckReply {
    const problem = requestProblem(body);
    const record: RecordedMediaCheck = {
      traceId: problem ? null : newTraceId(),
      openid: typeof body.openid === 'string' ? body.openid : '',
      scene: typeof body.scene === 'number' ? body.scene : null,
      mediaType: typeof body.mediaType === 'number' ? body.mediaType : null,
      mediaUrl: typeof body.mediaUrl === 'string' ? body.mediaUrl : '',
      askedAt: this.options.now().toISOString(),
      errCode: problem ? problem.errCode : 0,
      errMsg: problem ? problem.errMsg : 'openapi.security.mediaCheckAsync:ok',
      state: problem ? 'refused' : 'checking',
      verdict: null,
      label: null,
      forced: false,
      functionName: null,
      settledAt: null,
      response: null,
      problem: null,
    };
    this.calls.push(record);
    if (problem) return problem;
    if (this.holding) {
      record.state = 'held';
      this.held.add(record);
    } else {
      void this.start(record);
    }
    return { errCode: 0, errMsg: record.errMsg, traceId: record.traceId as string };
  }

  private start(record: RecordedMediaCheck, verdict?: MediaVerdict): Promise<void> {
    record.state = 'checking';
    const work = this.run(record, verdict).finally(() => this.inFlight.delete(work));
    this.inFlight.add(work);
    return work;
  }

  /** Never rejects: whatever goes wrong leaves the check undelivered with the reason. */
  private async run(record: RecordedMediaCheck, forced?: MediaVerdict): Promise<void> {
    try {
      const verdict = forced ?? (await this.judge(record.mediaUrl));
      record.verdict = verdict;
      record.label = MEDIA_LABELS[verdict];
      record.forced = forced !== undefined;
      const outcome = await this.options.push(this.messageOf(record, verdict));
      record.state = outcome.delivered ? 'delivered' : 'undelivered';
      record.functionName = outcome.functionName;
      record.response = outcome.response;
      record.problem = outcome.problem;
    } catch (error) {
      record.state = 'undelivered';
      record.problem = String(error);
    }
    record.settledAt = this.options.now().toISOString();
  }

  /** What the checker makes of the link's bytes; a link it cannot download needs a person's review. */
  private async judge(url: string): Promise<MediaVerdict> {
    let bytes: Buffer;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(this.options.downloadTimeoutMs ?? 10_000) });
      if (response.status !== 200) {
        await response.body?.cancel();
        return 'review';
      }
      bytes = Buffer.from(await response.arrayBuffer());
    } catch {
      return 'review';
    }
    const word = this.options.riskyWord();
    return word.length > 0 && bytes.includes(Buffer.from(word, 'utf8')) ? 'risky' : 'pass';
  }

  /**
   * The push as the platform sends it (JSON). Its labels arrive as strings there (community
   * reports of real pushes), so they do here, for the receiving function to cope with.
   */
  private messageOf(record: RecordedMediaCheck, verdict: MediaVerdict): PushedMessage {
    const label = String(MEDIA_LABELS[verdict]);
    return {
      ToUserName: 'gh_local',
      FromUserName: record.openid,
      CreateTime: Math.floor(this.options.now().getTime() / 1000),
      MsgType: 'event',
      Event: 'wxa_media_check',
      appid: this.options.appid,
      trace_id: record.traceId as string,
      version: 2,
      result: { suggest: verdict, label },
      detail: [{ strategy: 'content_model', errcode: 0, suggest: verdict, label, prob: 90 }],
    };
  }
}
