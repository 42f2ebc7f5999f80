/**
 * The component counterpart of `definePage`: `this.data` is typed from `data` plus the
 * declared `properties` (their types read from the constructors), and `setData` accepts only
 * the component's own data keys.
 */
import type { DataPatch } from './page';

type PropertyConstructor = StringConstructor | BooleanConstructor | NumberConstructor | ObjectConstructor;

type ValueOf<C> = C extends BooleanConstructor
  ? boolean
  : C extends NumberConstructor
    ? number
    : C extends StringConstructor
      ? string
      : C extends ObjectConstructor
        ? object | null
        : never;

type PropertySpec = PropertyConstructor | { type: PropertyConstructor; value?: unknown };

export type PropsOf<P> = {
  [K in keyof P]: P[K] extends { type: infer C } ? ValueOf<C> : ValueOf<P[K]>;
};

export interface ComponentContext<TData, TProps> {
  readonly data: Readonly<TData & TProps>;
  setData(patch: DataPatch<TData>, callback?: () => void): void;
  triggerEvent(name: string, detail?: unknown): void;
}

type Handler = (...args: never[]) => unknown;

export type ComponentDefinition<TProps, TData, TMethods> = {
  properties: TProps;
  data: TData;
  observers?: Record<string, Handler>;
  lifetimes?: { attached?(): void; detached?(): void };
  methods: TMethods;
} & ThisType<ComponentContext<TData, PropsOf<TProps>> & TMethods>;

export function defineComponent<
  TProps extends Record<string, PropertySpec>,
  TData extends object,
  TMethods extends Record<string, Handler>,
>(definition: ComponentDefinition<TProps, TData, TMethods>): void {
  Component(definition as unknown as WechatMiniprogram.Component.TrivialOption);
}
