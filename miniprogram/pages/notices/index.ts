import type { AccountView } from '../../../typings';
import { isDevelopBuild } from '../../config/launch';
import { accountPageHooks } from '../../common/account-page';
import { definePage } from '../../common/page';
import { whoami } from '../../services/login';
import { ensureSession } from '../../services/session';
import { errorText } from '../../utils/error-text';
import { homeView, NOTICES_COMING, type HomeView } from '../../utils/home-view';
import { identityRows, type IdentityRow } from '../../utils/identity-view';

type Status = 'loading' | 'ready' | 'error';

interface NoticesData {
  status: Status;
  errorText: string;
  home: HomeView | null;
  coming: typeof NOTICES_COMING;
  /** Development builds only: the identity WeChat gave this launch, to debug sign-in. */
  debug: boolean;
  debugRows: IdentityRow[];
}

definePage({
  data: {
    status: 'loading',
    errorText: '',
    home: null,
    coming: NOTICES_COMING,
    debug: false,
    debugRows: [],
  } as NoticesData,

  ...accountPageHooks,

  methods: {
    load() {
      this.setData({ status: 'loading', errorText: '' });
      if (isDevelopBuild()) this.loadDebug();
      return ensureSession().then((result) => {
        if (result.ok) this.showAccount(result.data);
        else this.setData({ status: 'error', errorText: errorText(result.error) });
      });
    },

    showAccount(account: AccountView) {
      this.setData({ status: 'ready', home: homeView(account) });
    },

    /** Debugging details never block the page: a failure just leaves them out. */
    loadDebug() {
      return whoami().then((result) => {
        if (result.ok) this.setData({ debug: true, debugRows: identityRows(result.data) });
      });
    },

    onRetry() {
      this.load();
    },

    onBind() {
      wx.switchTab({ url: '/pages/classes/index' });
    },
  },
});
