/**
 * The bar of a long list's window (see common/paged-list.ts): at the end of a full window,
 * 「显示后 200 条」 (event `onward`); in a later window, 「回到开头」 (event `restart`), at its
 * start (`place="start"`) and at its end. Renders nothing in a first window that is not full.
 */
import { defineComponent } from '../../common/component';
import { emptyWindow, type ListWindow } from '../../common/paged-list';

// A type, not an interface: setData takes it whole, and only a type alias is an index-signature match.
type BarData = {
  shown: boolean;
  text: string;
  onward: boolean;
  restart: boolean;
  size: number;
};

function bar(window: ListWindow | null, place: string, hint: string): BarData {
  const w = window ?? emptyWindow();
  const later = w.offset > 0;
  if (place === 'start') {
    return { shown: later, text: `从第 ${w.first || w.offset + 1} 条起`, onward: false, restart: later, size: w.size };
  }
  const onward = w.onward !== null;
  const range = w.last ? `已显示第 ${w.first}–${w.last} 条` : `第 ${w.offset + 1} 条起`;
  // Pages show the end bar once the window has loaded all its pages: without an onward window, the list ends here.
  const text = onward ? (hint ? `${range}，${hint}` : range) : `${range}，没有更多了`;
  return { shown: onward || later, text, onward, restart: later, size: w.size };
}

defineComponent({
  properties: {
    /** The list's ListWindow, from `listPage`. */
    window: { type: Object, value: null },
    /** 'end' (below the rows) or 'start' (above them). */
    place: { type: String, value: 'end' },
    /** Said after the range while more rows follow (a search that finds a row faster). */
    hint: { type: String, value: '' },
  },

  data: { shown: false, text: '', onward: false, restart: false, size: 0 } as BarData,

  observers: {
    'window, place, hint'(window: ListWindow | null, place: string, hint: string) {
      this.setData(bar(window, place, hint));
    },
  },

  methods: {
    onOnward() {
      this.triggerEvent('onward');
    },
    onRestart() {
      this.triggerEvent('restart');
    },
  },
});
