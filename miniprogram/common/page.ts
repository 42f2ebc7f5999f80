/**
 * A thin typed wrapper around `Page`, in the spirit of Vant's `VantComponent`: view state in
 * `data`, event handlers in `methods`, lifecycle hooks beside them. `this.data` is typed and
 * `setData` only accepts known keys (or path keys such as `'list[3].read'`), so a typo in a
 * key is a compile error instead of a silently unused field.
 */

export type PathKey = `${string}.${string}` | `${string}[${number}]${string}`;

export type DataPatch<TData> = Partial<TData> & { [key: PathKey]: unknown };

export interface PageContext<TData> {
  readonly data: Readonly<TData>;
  setData(patch: DataPatch<TData>, callback?: () => void): void;
  /** A custom component of the page (`#id` or `.class`), to call its methods (a Vant dialog's `stopLoading`). */
  selectComponent(selector: string): WechatMiniprogram.Component.TrivialInstance | null;
  /** The channel to the page that opened this one with `events` (absent in some test hosts). */
  getOpenerEventChannel?(): WechatMiniprogram.EventChannel;
}

type Handler = (...args: never[]) => unknown;

interface PageHooks {
  onLoad?(query: Record<string, string | undefined>): void;
  onShow?(): void;
  onReady?(): void;
  onHide?(): void;
  onUnload?(): void;
  onPullDownRefresh?(): void;
  onReachBottom?(): void;
}

export type PageDefinition<TData, TMethods> = PageHooks & {
  data: TData;
  methods?: TMethods;
} & ThisType<PageContext<TData> & TMethods>;

export function definePage<TData extends object, TMethods extends Record<string, Handler> = Record<never, never>>(
  definition: PageDefinition<TData, TMethods>,
): void {
  const { methods, ...rest } = definition;
  Page({ ...rest, ...methods } as unknown as WechatMiniprogram.Page.Options<TData, WechatMiniprogram.IAnyObject>);
}

/**
 * Stops the spinner of a Vant dialog that closes asynchronously (`async-close`) but must stay
 * open (its input was refused): Vant starts spinning only after the confirm handler returns,
 * hence the deferred call.
 */
export function stopDialogLoading(page: Pick<PageContext<unknown>, 'selectComponent'>, selector: string): void {
  setTimeout(() => {
    const dialog = page.selectComponent(selector) as { stopLoading?(): void } | null;
    dialog?.stopLoading?.();
  }, 0);
}
