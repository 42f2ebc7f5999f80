/**
 * What page tests need beyond the shared harness: firing the events WeChat itself raises on
 * native components (chooseavatar, blur) or Vant components (change, search), and reading an
 * attribute as rendered (simulate keeps native attributes on the virtual node, not the DOM).
 */
import type { RenderedPage } from '../helpers/simulate';
import type { RuntimeConfig } from '../../miniprogram/config/runtime';

interface Dispatchable {
  dispatchEvent(eventName: string, options?: { detail?: unknown }): void;
}

interface WithVirtualNode {
  _exparserNode?: { _vt?: { attrs?: { name: string; value: unknown }[] } };
}

function find(page: RenderedPage, selector: string): unknown {
  const found = page.root.querySelector(selector);
  if (!found) throw new Error(`nothing matches ${selector} in: ${page.text()}`);
  return found;
}

/** Fires `eventName` with `detail` on the element matching `selector`, then lets handlers run. */
export async function trigger(page: RenderedPage, selector: string, eventName: string, detail: unknown): Promise<void> {
  (find(page, selector) as Dispatchable).dispatchEvent(eventName, { detail });
  await new Promise((resolve) => setTimeout(resolve, 0));
}

/**
 * An attribute of a native element as the template rendered it (`src` of an <image>), or a
 * property given to a component (`maxlength` of a van-field). Dashed names are kept in camel
 * case: `aria-label` is `ariaLabel`.
 */
export function attributeOf(page: RenderedPage, selector: string, name: string): unknown {
  const attrs = (find(page, selector) as WithVirtualNode)._exparserNode?._vt?.attrs ?? [];
  return attrs.find((attr) => attr.name === name)?.value;
}

/** That attribute of every element matching `selector`, in order (undefined where it is not set). */
export function attributesOf(page: RenderedPage, selector: string, name: string): unknown[] {
  return page.root
    .querySelectorAll(selector)
    .map((found) => ((found as unknown as WithVirtualNode)._exparserNode?._vt?.attrs ?? []).find((attr) => attr.name === name)?.value);
}

/** Whether anything matches `selector` right now. */
export function exists(page: RenderedPage, selector: string): boolean {
  return !!page.root.querySelector(selector);
}

interface TextNode {
  readonly textContent: string | null;
  readonly children: ArrayLike<TextNode>;
}

function collapse(text: string | null): string {
  return (text ?? '').replace(/\s+/g, ' ').trim();
}

function innermost<T extends TextNode>(element: T, label: string): T | null {
  if (!collapse(element.textContent).includes(label)) return null;
  for (const child of Array.from(element.children)) {
    const found = innermost(child as T, label);
    if (found) return found;
  }
  return collapse(element.textContent) === label ? element : null;
}

/**
 * The innermost element reading `label` inside the element matching `selector` (a dialog, an
 * action sheet), for a tap that must hit that one and not a same-named button elsewhere.
 */
export function textIn(page: RenderedPage, selector: string, label: string): Parameters<RenderedPage['tap']>[0] {
  const host = find(page, selector) as { dom: Parameters<typeof innermost>[0] };
  const found = innermost(host.dom, label);
  if (!found) throw new Error(`no "${label}" inside ${selector}: ${collapse(host.dom.textContent)}`);
  return found as Parameters<RenderedPage['tap']>[0];
}

/**
 * The unit-path pieces shown, in order: each is an inline block the line may wrap after, so a
 * name is never split (`['计算机学院 /', '软件工程 2301 班']`).
 */
export function pathPieces(page: RenderedPage): string[] {
  return page.root.querySelectorAll('.unit-path__piece').map((piece) => collapse(piece.dom.textContent));
}

/** A pause the page set with `setTimeout`, kept by `holdPauses` instead of running. */
interface HeldPause {
  run(): void;
}

/**
 * Takes over the page's timers of `ms` (the search box's typing pause): they never run on their
 * own; `runPending()` runs those not cancelled, as if the person had stopped typing long enough.
 * A test can so tell a cancelled pause from one that has not fired yet, without waiting for it.
 */
export function holdPauses(ms: number): { pending(): number; runPending(): void } {
  const realSetTimeout = global.setTimeout;
  const realClearTimeout = global.clearTimeout;
  const held = new Set<HeldPause>();
  jest.spyOn(global, 'setTimeout').mockImplementation(((fn: () => void, delay?: number) => {
    if (delay !== ms) return realSetTimeout(fn, delay);
    const pause: HeldPause = { run: fn };
    held.add(pause);
    return pause;
  }) as unknown as typeof setTimeout);
  jest.spyOn(global, 'clearTimeout').mockImplementation(((id: unknown) => {
    if (!held.delete(id as HeldPause)) realClearTimeout(id as ReturnType<typeof setTimeout>);
  }) as typeof clearTimeout);
  return {
    pending: () => held.size,
    runPending() {
      const due = [...held];
      held.clear();
      due.forEach((pause) => pause.run());
    },
  };
}

/** The two transports an upload can take, as the demo admin: the local cloud and the cloud. */
export const UPLOAD_RUNTIMES: { local: RuntimeConfig; cloud: RuntimeConfig } = (() => {
  const local: RuntimeConfig = {
    transport: 'local',
    cloudEnv: 'test-env',
    localBaseUrl: 'http://127.0.0.1:3900',
    devIdentity: { openid: 'demo-admin-openid', appid: 'wx-demo-appid', unionid: 'demo-admin-unionid' },
  };
  return { local, cloud: { ...local, transport: 'cloud' } };
})();
