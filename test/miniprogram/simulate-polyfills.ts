/**
 * Platform APIs the simulator lacks but the Vant components used here call. Import this
 * before rendering a page that uses them.
 *
 * `groupSetData(cb)` (base library 2.4.0+) batches the setData calls made inside `cb`; van-tabs
 * calls it on every tab change. Running `cb` at once is what it amounts to for a test.
 */
const globals = globalThis as unknown as Record<string, unknown>;

type Definition = { methods?: Record<string, unknown> } & Record<string, unknown>;
type ComponentFn = ((definition: Definition) => unknown) & { __withGroupSetData?: boolean };

const original = globals.Component as ComponentFn;
if (!original.__withGroupSetData) {
  const patched: ComponentFn = (definition) =>
    original({
      ...definition,
      methods: {
        groupSetData(this: unknown, callback: () => void) {
          callback();
        },
        ...definition.methods,
      },
    });
  patched.__withGroupSetData = true;
  globals.Component = patched;
}

export {};
