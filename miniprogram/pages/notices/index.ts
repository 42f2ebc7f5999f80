import { whoami } from '../../services/login';
import { definePage } from '../../common/page';
import { errorText } from '../../utils/error-text';
import { identityRows, type IdentityRow } from '../../utils/identity-view';

type Status = 'loading' | 'ready' | 'error';

interface NoticesData {
  status: Status;
  rows: IdentityRow[];
  errorText: string;
}

definePage({
  data: {
    status: 'loading',
    rows: [],
    errorText: '',
  } as NoticesData,

  onLoad() {
    this.loadIdentity();
  },

  methods: {
    loadIdentity() {
      this.setData({ status: 'loading', errorText: '' });
      return whoami().then((result) => {
        if (result.ok) {
          this.setData({ status: 'ready', rows: identityRows(result.data) });
        } else {
          this.setData({ status: 'error', errorText: errorText(result.error) });
        }
      });
    },

    onRetry() {
      this.loadIdentity();
    },
  },
});
