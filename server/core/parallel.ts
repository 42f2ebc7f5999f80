/** Independent writes at a time: enough to hide latency, few enough not to flood the database. */
const PARALLEL = 8;

/** Runs `run` over `items`, at most PARALLEL at a time, in order of batches. */
export async function inParallel<T>(items: readonly T[], run: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += PARALLEL) await Promise.all(items.slice(i, i + PARALLEL).map(run));
}
