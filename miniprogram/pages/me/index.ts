import type { AccountView } from '../../../typings';
import { FIELD_LIMITS } from '../../../typings/limits';
import { accountPageHooks } from '../../common/account-page';
import { definePage } from '../../common/page';
import { bootstrapAdmin, bootstrapOpen, updateProfile } from '../../services/account';
import { displayUrl, uploadAvatar } from '../../services/files';
import { ensureSession } from '../../services/session';
import { checkNickname, DEFAULT_NICKNAME, profileView, type ProfileView } from '../../utils/account-view';
import { errorText } from '../../utils/error-text';
import { eventText } from '../../utils/events';

type Status = 'loading' | 'ready' | 'error';

interface MeData {
  status: Status;
  errorText: string;
  account: AccountView | null;
  profile: ProfileView | null;
  /** Empty shows the default avatar icon. */
  avatarUrl: string;
  defaultName: string;
  uploading: boolean;
  savingNickname: boolean;
  /** The outcome of the last edit that failed, shown under the profile. */
  message: string;
  /** 首位管理员初始化 is offered only while it can work: no admin yet and a code configured. */
  bootstrapOffered: boolean;
  /** The code form is open. */
  bootstrapFormOpen: boolean;
  /** The account the backend was last asked about bootstrap for: once per account, not per refresh. */
  bootstrapAskedFor: string;
  bootstrapCode: string;
  bootstrapError: string;
  bootstrapping: boolean;
  limits: typeof FIELD_LIMITS;
}

definePage({
  data: {
    status: 'loading',
    errorText: '',
    account: null,
    profile: null,
    avatarUrl: '',
    defaultName: DEFAULT_NICKNAME,
    uploading: false,
    savingNickname: false,
    message: '',
    bootstrapOffered: false,
    bootstrapFormOpen: false,
    bootstrapAskedFor: '',
    bootstrapCode: '',
    bootstrapError: '',
    bootstrapping: false,
    limits: FIELD_LIMITS,
  } as MeData,

  ...accountPageHooks,

  methods: {
    load() {
      this.setData({ status: 'loading', errorText: '' });
      return ensureSession().then((result) => {
        if (result.ok) this.showAccount(result.data);
        else this.setData({ status: 'error', errorText: errorText(result.error) });
      });
    },

    showAccount(account: AccountView) {
      const profile = profileView(account);
      this.setData({
        status: 'ready',
        account,
        profile,
        avatarUrl: displayUrl(account.avatarFileId) ?? '',
        ...(profile.isAdmin ? { bootstrapOffered: false, bootstrapFormOpen: false } : {}),
      });
      if (!profile.isAdmin && this.data.bootstrapAskedFor !== account.id) this.checkBootstrap(account.id);
    },

    checkBootstrap(accountId: string) {
      this.setData({ bootstrapAskedFor: accountId });
      return bootstrapOpen().then((open) => {
        // An admin by now (a refresh landed meanwhile) is never offered the form.
        if (this.data.profile?.isAdmin) return;
        this.setData(open ? { bootstrapOffered: true } : { bootstrapOffered: false, bootstrapFormOpen: false });
      });
    },

    onRetry() {
      this.load();
    },

    onChooseAvatar(event: { detail: { avatarUrl?: string } }) {
      const tempPath = event.detail?.avatarUrl;
      const account = this.data.account;
      if (!tempPath || !account || this.data.uploading) return undefined;
      const previous = this.data.avatarUrl;
      this.setData({ uploading: true, message: '', avatarUrl: tempPath });
      return uploadAvatar(account.id, tempPath)
        .then((upload) => {
          if (!upload.ok) return upload;
          return updateProfile({ avatarFileId: upload.data });
        })
        .then((result) => {
          if (result.ok) {
            this.setData({ uploading: false });
          } else {
            const message = result.error.code === 'NETWORK_ERROR' ? result.error.message : errorText(result.error);
            this.setData({ uploading: false, avatarUrl: previous, message });
          }
        });
    },

    onNicknameBlur(event: { detail: unknown }) {
      return this.saveNickname(eventText(event));
    },

    onNicknameConfirm(event: { detail: unknown }) {
      return this.saveNickname(eventText(event));
    },

    saveNickname(raw: string) {
      const account = this.data.account;
      if (!account || this.data.savingNickname) return undefined;
      if (raw.trim() === (account.nickname ?? '')) return undefined;
      const checked = checkNickname(raw);
      if (!checked.ok) {
        this.setData({ message: checked.message });
        return undefined;
      }
      this.setData({ savingNickname: true, message: '' });
      return updateProfile({ nickname: checked.nickname }).then((result) => {
        if (result.ok) {
          this.setData({ savingNickname: false });
          wx.showToast({ title: '昵称已保存', icon: 'success' });
        } else {
          this.setData({ savingNickname: false, message: errorText(result.error) });
        }
      });
    },

    onToggleBootstrap() {
      this.setData({ bootstrapFormOpen: !this.data.bootstrapFormOpen, bootstrapError: '' });
    },

    onBootstrapCodeChange(event: { detail: unknown }) {
      this.setData({ bootstrapCode: eventText(event) });
    },

    onBootstrapSubmit() {
      const code = this.data.bootstrapCode.trim();
      if (this.data.bootstrapping) return undefined;
      if (!code) {
        this.setData({ bootstrapError: '请输入初始化码' });
        return undefined;
      }
      this.setData({ bootstrapping: true, bootstrapError: '' });
      return bootstrapAdmin(code).then((result) => {
        if (result.ok) {
          this.setData({ bootstrapping: false, bootstrapFormOpen: false, bootstrapOffered: false, bootstrapCode: '' });
          wx.showToast({ title: '你已成为管理员', icon: 'success' });
        } else {
          this.setData({ bootstrapping: false, bootstrapError: errorText(result.error) });
        }
      });
    },
  },
});
