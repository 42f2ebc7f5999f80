/**
 * The lifecycle every page that shows the signed-in person shares (通知, 我的): load on open,
 * follow account changes made elsewhere (binding, profile edits, a refreshed session), and on
 * coming back to the tab refresh a stale session, whose result lands through the listener.
 */
import type { AccountView } from '../../typings';
import { ensureSession, unwatchAccount, watchAccount } from '../services/session';

interface AccountPage {
  readonly data: { readonly status: string };
  load(): unknown;
  showAccount(account: AccountView): void;
}

export const accountPageHooks = {
  onLoad(this: AccountPage): void {
    watchAccount(this, (account) => this.showAccount(account));
    this.load();
  },

  onShow(this: AccountPage): void {
    if (this.data.status === 'ready') void ensureSession();
  },

  onUnload(this: AccountPage): void {
    unwatchAccount(this);
  },
};
