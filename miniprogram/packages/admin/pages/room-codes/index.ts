import type { RoomCard } from '../../../../../typings';
import { LatestOnly, perInstance } from '../../../../common/latest';
import { definePage } from '../../../../common/page';
import { emptyWindow, FIRST_WINDOW, listPage, nextRequest, pagedListMethods, windowRequest, type ListWindow, type WindowStart } from '../../../../common/paged-list';
import { listRooms, roomCode } from '../../../../services/room';
import { errorText } from '../../../../utils/error-text';
import { businessToday } from '../../../../utils/notice-compose-view';
import { albumRefused, codeCard, type CodeCard } from '../../../../utils/room-admin-view';

type Status = 'loading' | 'ready' | 'forbidden' | 'error';

interface CodesData {
  status: Status;
  errorText: string;
  cards: CodeCard[];
  next: string | null;
  loadingMore: boolean;
  cardsWindow: ListWindow;
  /** Shown once saving to the album was refused: how to allow it. */
  albumHint: boolean;
}

interface State {
  alive: boolean;
  list: LatestOnly;
  /** Room ids whose code is still to be asked for, and how many are being asked for now. */
  queue: string[];
  running: number;
}

/** Codes asked for at once: a page of rooms must not start a burst of calls. */
const CODE_CONCURRENCY = 3;

const state = perInstance<State>(() => ({ alive: true, list: new LatestOnly(), queue: [], running: 0 }));

interface CardEvent {
  currentTarget: { dataset: { id?: string } };
}

/** Downloads the code's image; null when the link failed (an expired link answers 403). */
function download(url: string): Promise<string | null> {
  return new Promise((resolve) => {
    try {
      wx.downloadFile({ url, success: (res) => resolve(res.statusCode === 200 && res.tempFilePath ? res.tempFilePath : null), fail: () => resolve(null) });
    } catch {
      resolve(null);
    }
  });
}

type AlbumOutcome = 'saved' | 'refused' | 'cancelled' | 'failed';

function saveToAlbum(filePath: string): Promise<AlbumOutcome> {
  return new Promise((resolve) => {
    wx.saveImageToPhotosAlbum({
      filePath,
      success: () => resolve('saved'),
      fail: (error) => {
        if (albumRefused(error)) resolve('refused');
        else resolve(/cancel/i.test(String(error?.errMsg ?? '')) ? 'cancelled' : 'failed');
      },
    });
  });
}

definePage({
  data: {
    status: 'loading',
    errorText: '',
    cards: [],
    next: null,
    loadingMore: false,
    cardsWindow: emptyWindow(),
    albumHint: false,
  } as CodesData,

  onLoad() {
    this.load(true);
  },

  onUnload() {
    const own = state(this);
    own.alive = false;
    own.list.cancel();
    own.queue = [];
  },

  onReachBottom() {
    if (this.data.next) this.load(false);
  },

  methods: {
    load(reset: boolean, start: WindowStart = FIRST_WINDOW): Promise<void> {
      const own = state(this);
      const ticket = own.list.begin(reset);
      if (ticket === null) return Promise.resolve();
      const request = reset ? windowRequest(start) : nextRequest(this.data.next, this.data.cardsWindow);
      if (!reset) this.setData({ loadingMore: true });
      return listRooms(businessToday(), {}, request.after, true).then((result) => {
        if (!own.list.settle(ticket) || !own.alive) return;
        if (!result.ok) {
          if (reset) this.setData(result.error.code === 'FORBIDDEN' ? { status: 'forbidden' } : { status: 'error', errorText: errorText(result.error) });
          else this.setData({ loadingMore: false });
          return;
        }
        if (reset) own.queue = [];
        const page = listPage('cards', reset ? null : this.data.cards, result.data.items.map((card: RoomCard) => codeCard(card)), result.data.next, request);
        const added = page.rows ?? Object.values(page.patch);
        this.setData({ status: 'ready', loadingMore: false, ...(page.rows ? { cards: page.rows } : page.patch), next: page.next, cardsWindow: page.window });
        own.queue.push(...added.map((card) => card.id));
        this.pump();
      });
    },

    /** Asks for queued codes, a few at a time. */
    pump() {
      const own = state(this);
      while (own.alive && own.running < CODE_CONCURRENCY && own.queue.length) {
        const id = own.queue.shift() as string;
        own.running += 1;
        this.fetchCode(id).then(() => {
          own.running -= 1;
          this.pump();
        });
      }
    },

    fetchCode(roomId: string): Promise<void> {
      return roomCode(roomId).then((result) => {
        const index = this.data.cards.findIndex((card) => card.id === roomId);
        if (index < 0 || !state(this).alive) return;
        if (result.ok) this.setData({ [`cards[${index}].state`]: 'ready', [`cards[${index}].url`]: result.data.url, [`cards[${index}].errorText`]: '' });
        else this.setData({ [`cards[${index}].state`]: 'failed', [`cards[${index}].errorText`]: errorText(result.error) });
      });
    },

    onRetryCode(event: CardEvent) {
      const id = event.currentTarget.dataset.id;
      const index = this.data.cards.findIndex((card) => card.id === id);
      if (!id || index < 0 || this.data.cards[index].state !== 'failed') return undefined;
      this.setData({ [`cards[${index}].state`]: 'loading', [`cards[${index}].errorText`]: '' });
      return this.fetchCode(id);
    },

    ...pagedListMethods<CodesData>('cardsWindow'),

    onPreview(event: CardEvent) {
      const card = this.data.cards.find((one) => one.id === event.currentTarget.dataset.id);
      if (card?.url) wx.previewImage({ urls: [card.url], current: card.url });
    },

    onSaveToAlbum(event: CardEvent) {
      const id = event.currentTarget.dataset.id;
      const index = this.data.cards.findIndex((card) => card.id === id);
      const card = this.data.cards[index];
      if (!id || !card || card.state !== 'ready' || card.saving) return undefined;
      this.setData({ [`cards[${index}].saving`]: true });
      const done = () => {
        const at = this.data.cards.findIndex((one) => one.id === id);
        if (at >= 0 && state(this).alive) this.setData({ [`cards[${at}].saving`]: false });
      };
      return download(card.url).then((filePath) => {
        if (!filePath) {
          done();
          wx.showToast({ title: '下载失败，已重新获取，请再试一次', icon: 'none' });
          // The link is temporary: an old one fails, a new one is asked for.
          return this.fetchCode(id);
        }
        return saveToAlbum(filePath).then((outcome) => {
          done();
          if (outcome === 'saved') {
            this.setData({ albumHint: false });
            wx.showToast({ title: '已保存到相册', icon: 'success' });
          } else if (outcome === 'refused') {
            this.setData({ albumHint: true });
          } else if (outcome === 'failed') {
            wx.showToast({ title: '保存失败，请重试', icon: 'none' });
          }
        });
      });
    },

    onOpenSetting() {
      wx.openSetting({
        success: (res) => {
          if (res.authSetting['scope.writePhotosAlbum']) this.setData({ albumHint: false });
        },
      });
    },
  },
});
