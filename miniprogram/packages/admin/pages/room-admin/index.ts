import type { RoomCard } from '../../../../../typings';
import { LatestOnly, perInstance } from '../../../../common/latest';
import { definePage } from '../../../../common/page';
import { emptyWindow, FIRST_WINDOW, listPage, nextRequest, pagedListHooks, pagedListMethods, windowRequest, type ListWindow, type WindowStart } from '../../../../common/paged-list';
import { listRooms } from '../../../../services/room';
import { errorText } from '../../../../utils/error-text';
import { businessToday } from '../../../../utils/notice-compose-view';
import { adminRoomRow, roomEditUrl, type AdminRoomRow } from '../../../../utils/room-admin-view';

type Status = 'loading' | 'ready' | 'forbidden' | 'error';

interface AdminData {
  status: Status;
  errorText: string;
  rooms: AdminRoomRow[];
  next: string | null;
  loadingMore: boolean;
  roomsWindow: ListWindow;
}

const loads = perInstance(() => new LatestOnly());

/** Pages other than this one, opened from its entries. */
const PAGES = {
  codes: '/packages/admin/pages/room-codes/index',
  approvals: '/packages/admin/pages/room-approvals/index',
  usage: '/packages/admin/pages/room-usage/index',
} as const;

definePage({
  data: {
    status: 'loading',
    errorText: '',
    rooms: [],
    next: null,
    loadingMore: false,
    roomsWindow: emptyWindow(),
  } as AdminData,

  onLoad() {
    this.load(true);
  },

  // Back from editing a room: its name, tags or service may have changed.
  ...pagedListHooks<AdminData>(loads, (data) => data.status === 'ready'),

  methods: {
    load(reset: boolean, start: WindowStart = FIRST_WINDOW): Promise<void> {
      const ticket = loads(this).begin(reset);
      if (ticket === null) return Promise.resolve();
      const request = reset ? windowRequest(start) : nextRequest(this.data.next, this.data.roomsWindow);
      if (!reset) this.setData({ loadingMore: true });
      return listRooms(businessToday(), {}, request.after, true).then((result) => {
        if (!loads(this).settle(ticket)) return;
        if (!result.ok) {
          if (reset) this.setData(result.error.code === 'FORBIDDEN' ? { status: 'forbidden' } : { status: 'error', errorText: errorText(result.error) });
          else this.setData({ loadingMore: false });
          return;
        }
        const rows = listPage('rooms', reset ? null : this.data.rooms, result.data.items.map((card: RoomCard) => adminRoomRow(card)), result.data.next, request);
        this.setData({ status: 'ready', loadingMore: false, ...(rows.rows ? { rooms: rows.rows } : rows.patch), next: rows.next, roomsWindow: rows.window });
      });
    },

    ...pagedListMethods<AdminData>('roomsWindow'),

    onCreate() {
      wx.navigateTo({ url: roomEditUrl(null) });
    },

    onRoomTap(event: { currentTarget: { dataset: { id?: string } } }) {
      const id = event.currentTarget.dataset.id;
      if (id) wx.navigateTo({ url: roomEditUrl(id) });
    },

    onOpenCodes() {
      wx.navigateTo({ url: PAGES.codes });
    },

    onOpenApprovals() {
      wx.navigateTo({ url: PAGES.approvals });
    },

    onOpenUsage() {
      wx.navigateTo({ url: PAGES.usage });
    },
  },
});
