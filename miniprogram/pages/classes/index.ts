import { definePage } from '../../common/page';
import { bindByPhone, bindByWecom, myDirectory } from '../../services/org';
import { insideWecom } from '../../services/session';
import { errorText } from '../../utils/error-text';
import { memberCardView, unitPageUrl, unitRow, type MemberCardView, type UnitRow } from '../../utils/org-view';

type Status = 'loading' | 'ready' | 'error';

interface ClassesData {
  status: Status;
  errorText: string;
  /** Null until the account is bound to a roster member. */
  member: MemberCardView | null;
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

definePage({
  data: {
    status: 'loading',
    errorText: '',
    member: null,
    units: [],
    observed: [],
    wecom: false,
    binding: false,
    bindError: '',
  } as ClassesData,

  onLoad() {
    this.setData({ wecom: insideWecom() });
    this.load();
  },

  onPullDownRefresh() {
    this.load().then(() => wx.stopPullDownRefresh());
  },

  methods: {
    load() {
      if (this.data.status !== 'ready') this.setData({ status: 'loading', errorText: '' });
      return myDirectory().then((result) => {
        if (!result.ok) {
          // A failed refresh keeps what is shown; only a first load turns into the error state.
          if (this.data.status === 'ready') wx.showToast({ title: errorText(result.error), icon: 'none' });
          else this.setData({ status: 'error', errorText: errorText(result.error) });
          return;
        }
        const { member, units, observed } = result.data;
        this.setData({
          status: 'ready',
          member: member ? memberCardView(member) : null,
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
        // Refused, or a base library too old to give a code: nothing is sent.
        wx.showToast({ title: '未获得手机号授权，可稍后再绑定', icon: 'none' });
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
        this.setData({ binding: false });
        wx.showToast({ title: '绑定成功', icon: 'success' });
        return this.load();
      });
    },

    onUnitTap(event: UnitTap) {
      const { id, name } = event.currentTarget.dataset;
      if (id) wx.navigateTo({ url: unitPageUrl({ id, name: name ?? '' }) });
    },
  },
});
