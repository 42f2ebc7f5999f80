import type { MemberDetail } from '../../../typings';
import { definePage } from '../../common/page';
import { getMember } from '../../services/org';
import { currentAccount } from '../../services/session';
import { isAdmin } from '../../utils/account-view';
import { errorText } from '../../utils/error-text';
import { memberProfileView, queryText, type MemberProfileView } from '../../utils/org-view';

type Status = 'loading' | 'ready' | 'missing' | 'error';

interface MemberData {
  status: Status;
  errorText: string;
  memberId: string;
  profile: MemberProfileView | null;
  /** The E.164 number to dial or copy; empty when not shown. */
  phone: string;
  /** Admins get a link to the editor. */
  canEdit: boolean;
}

definePage({
  data: {
    status: 'loading',
    errorText: '',
    memberId: '',
    profile: null,
    phone: '',
    canEdit: false,
  } as MemberData,

  onLoad(query) {
    this.setData({ memberId: queryText(query.id) });
    this.load();
  },

  onShow() {
    // Back from the editor: show the saved member.
    if (this.data.status === 'ready') this.load();
  },

  methods: {
    load() {
      return getMember(this.data.memberId).then((result) => {
        if (result.ok) {
          this.show(result.data);
        } else if (result.error.code === 'FORBIDDEN' || result.error.code === 'MEMBER_NOT_FOUND') {
          const text = result.error.code === 'FORBIDDEN' ? '你没有权限查看该成员' : errorText(result.error);
          this.setData({ status: 'missing', errorText: text, profile: null, phone: '' });
        } else {
          this.setData({ status: 'error', errorText: errorText(result.error) });
        }
      });
    },

    show(detail: MemberDetail) {
      const profile = memberProfileView(detail);
      wx.setNavigationBarTitle({ title: detail.name });
      this.setData({
        status: 'ready',
        profile,
        phone: profile.phoneState === 'shown' && detail.phone ? detail.phone : '',
        canEdit: isAdmin(currentAccount()),
      });
    },

    onRetry() {
      this.setData({ status: 'loading' });
      this.load();
    },

    onCall() {
      if (this.data.phone) wx.makePhoneCall({ phoneNumber: this.data.phone });
    },

    onCopy() {
      if (this.data.phone) wx.setClipboardData({ data: this.data.phone });
    },

    onEdit() {
      wx.navigateTo({ url: `/packages/admin/pages/member-edit/index?id=${encodeURIComponent(this.data.memberId)}` });
    },
  },
});
