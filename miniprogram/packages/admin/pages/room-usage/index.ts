import { LatestOnly, perInstance } from '../../../../common/latest';
import { definePage } from '../../../../common/page';
import { roomUsage } from '../../../../services/room';
import { errorText } from '../../../../utils/error-text';
import { businessToday } from '../../../../utils/notice-compose-view';
import { addDays, mondayOf, usageView, weekView, type UsageView, type WeekView } from '../../../../utils/room-admin-view';

type Status = 'loading' | 'ready' | 'forbidden' | 'error';

interface UsageData {
  status: Status;
  errorText: string;
  /** The Monday of the current week: the latest that can be shown. */
  thisWeek: string;
  week: WeekView;
  usage: UsageView | null;
  /** A week is being read while the last one stays on screen. */
  switching: boolean;
}

const loads = perInstance(() => new LatestOnly());

const thisWeek = mondayOf(businessToday());

definePage({
  data: {
    status: 'loading',
    errorText: '',
    thisWeek,
    week: weekView(thisWeek, thisWeek),
    usage: null,
    switching: false,
  } as UsageData,

  onLoad() {
    // The page may open on another day than the module was loaded.
    const monday = mondayOf(businessToday());
    this.setData({ thisWeek: monday, week: weekView(monday, monday) });
    this.load();
  },

  onUnload() {
    loads(this).cancel();
  },

  onPullDownRefresh() {
    this.load().then(() => wx.stopPullDownRefresh());
  },

  methods: {
    load(): Promise<void> {
      const ticket = loads(this).begin(true) as number;
      const weekStart = this.data.week.weekStart;
      this.setData({ switching: this.data.status === 'ready' });
      return roomUsage(weekStart).then((result) => {
        if (!loads(this).settle(ticket)) return;
        if (result.ok) this.setData({ status: 'ready', switching: false, usage: usageView(result.data) });
        else if (result.error.code === 'FORBIDDEN') this.setData({ status: 'forbidden', switching: false });
        else this.setData({ status: 'error', switching: false, errorText: errorText(result.error) });
      });
    },

    showWeek(weekStart: string): Promise<void> {
      if (weekStart > this.data.thisWeek) return Promise.resolve();
      this.setData({ week: weekView(weekStart, this.data.thisWeek) });
      return this.load();
    },

    onPrevWeek() {
      return this.showWeek(addDays(this.data.week.weekStart, -7));
    },

    onNextWeek() {
      return this.data.week.canForward ? this.showWeek(addDays(this.data.week.weekStart, 7)) : undefined;
    },

    onRetry() {
      this.setData({ status: 'loading' });
      return this.load();
    },
  },
});
