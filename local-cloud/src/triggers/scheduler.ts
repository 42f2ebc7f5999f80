import type { FunctionSpec } from '../functions/registry';
import { nextFiring, parseCron } from './cron';

export interface TimerFiring {
  functionName: string;
  triggerName: string;
  time: Date;
}

/**
 * Fires the timer triggers declared in each function's config.json on their schedule.
 * Each firing is computed from the schedule, never from the previous run's end.
 */
export class TriggerScheduler {
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(
    private readonly fire: (firing: TimerFiring) => Promise<void>,
    private readonly now: () => Date = () => new Date(),
  ) {}

  start(functions: FunctionSpec[]): void {
    for (const fn of functions) {
      for (const trigger of fn.config.triggers) {
        this.arm(fn.name, trigger.name, parseCron(trigger.config));
      }
    }
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private arm(functionName: string, triggerName: string, schedule: ReturnType<typeof parseCron>, after?: Date): void {
    if (this.stopped) return;
    // Timers may wake a little early: counting from the last firing keeps it from repeating.
    const from = after && after.getTime() > this.now().getTime() ? after : this.now();
    const at = nextFiring(schedule, from);
    if (!at) return;
    // setTimeout holds at most about 24.8 days; re-arm in steps for rare far-away firings.
    const delay = Math.min(Math.max(at.getTime() - this.now().getTime(), 0), 2 ** 31 - 1);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (this.now().getTime() + 5 < at.getTime()) {
        this.arm(functionName, triggerName, schedule);
        return;
      }
      // Arm the next firing first: like the platform, a slow run does not delay the next one.
      this.arm(functionName, triggerName, schedule, at);
      void this.fire({ functionName, triggerName, time: at });
    }, delay);
    timer.unref();
    this.timers.add(timer);
  }
}
