import { LatestOnly, perInstance } from '../../common/latest';
import { definePage } from '../../common/page';
import { bindByPhone, bindByWecom, myDirectory } from '../../services/org';
import { currentAccount, ensureSession, insideWecom, unwatchAccount, watchAccount } from '../../services/session';
import { errorText } from '../../utils/error-text';
import { bindView, memberCardView, unitPageUrl, unitRow, type BindView, type MemberCardView, type UnitRow } from '../../utils/org-view';

type Status = 'loading' | 'ready' | 'error';

interface ClassesData {
  status: Status;
  errorText: string;
  /** Null until the account is bound to a roster member, and while that member is deactivated. */
  member: MemberCardView | null;
  /** Bound to a deactivated member: said so, and binding to a new, active identity is offered. */
  inactive: boolean;
  /** What the unbound state says: never bound, or bound to a deactivated member. */
  bindView: BindView;
  units: UnitRow[];
  observed: UnitRow[];
  /** Inside WeCom the account can also bind with its WeCom userid. */
  wecom: boolean;
  binding: boolean;
  bindError: string;
}

interface PhoneNumberEvent {
  detail: { code?: string; errMsg?: string } | null;
}

interface UnitTap {
  currentTarget: { dataset: { id?: string; name?: string } };
}

/** Refusals of the phone number prompt; other failures without a code are the platform's. */
const PHONE_REFUSED = /deny|cancel/i;

/** Directory loads: a newer one supersedes one still in flight (per page instance). */
const loads = perInstance(() => new LatestOnly());

definePage({
  data: {
    status: 'loading',
    errorText: '',
    member: null,
    inactive: false,
    bindView: bindView(false),
    units: [],
    observed: [],
    wecom: false,
    binding: false,
    bindError: '',
  } as ClassesData,

  onLoad() {
    this.setData({ wecom: insideWecom() });
    watchAccount(this, () => {
      // Bound, unbound, deactivated or restored elsewhere (or a refreshed session): read the directory again.
      // A bind in progress reloads by itself; a first load in flight will see the new account.
      if (this.data.status !== 'loading' && !this.data.binding) this.load();
    });
    this.load();
  },

  onShow() {
    // Back on the tab: units and counts may have changed; a stale session refreshes and lands through the listener.
    if (this.data.status !== 'ready' || this.data.binding) return;
    void ensureSession();
    this.load();
  },

  onUnload() {
    unwatchAccount(this);
    loads(this).cancel();
  },

  onPullDownRefresh() {
    this.load().then(() => wx.stopPullDownRefresh());
  },

  methods: {
    load(): Promise<void> {
      const ticket = loads(this).begin(true) as number;
      if (this.data.status !== 'ready') this.setData({ status: 'loading', errorText: '' });
      return myDirectory().then((result) => {
        // A newer load answered or will answer, or the page left.
        if (!loads(this).settle(ticket)) return;
        if (!result.ok) {
          // A failed refresh keeps what is shown; only a first load turns into the error state.
          if (this.data.status === 'ready') wx.showToast({ title: errorText(result.error), icon: 'none' });
          else this.setData({ status: 'error', errorText: errorText(result.error) });
          return;
        }
        const { member, units, observed } = result.data;
        // The directory has no member for a deactivated one; the account still knows it is bound.
        const inactive = !member && currentAccount()?.member?.active === false;
        this.setData({
          status: 'ready',
          member: member ? memberCardView(member) : null,
          inactive,
          bindView: bindView(inactive),
          units: units.map(unitRow),
          observed: observed.map(unitRow),
        });
      });
    },

    onRetry() {
      this.setData({ status: 'loading' });
      this.load();
    },

    onGetPhoneNumber(event: PhoneNumberEvent) {
      const code = event.detail?.code;
      if (!code) {
        // Nothing is sent: the person refused, or the platform could not give a code (old base library, no quota).
        const refused = PHONE_REFUSED.test(event.detail?.errMsg ?? '');
        wx.showToast({
          title: refused ? '未获得手机号授权，可稍后再绑定' : '暂时无法获取手机号，请稍后重试或联系管理员',
          icon: 'none',
        });
        return undefined;
      }
      return this.bind(() => bindByPhone(code));
    },

    onBindWecom() {
      return this.bind(() => bindByWecom());
    },

    bind(call: () => ReturnType<typeof bindByPhone>) {
      if (this.data.binding) return undefined;
      this.setData({ binding: true, bindError: '' });
      return call().then((result) => {
        if (!result.ok) {
          this.setData({ binding: false, bindError: errorText(result.error) });
          return undefined;
        }
        wx.showToast({ title: '绑定成功', icon: 'success' });
        // The button keeps spinning until the bound state is shown.
        return this.load().then(() => this.setData({ binding: false }));
      });
    },

    onUnitTap(event: UnitTap) {
      const { id, name } = event.currentTarget.dataset;
      if (id) wx.navigateTo({ url: unitPageUrl({ id, name: name ?? '' }) });
    },
  },
});
