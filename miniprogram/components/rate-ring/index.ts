/**
 * A rate as a ring, drawn without canvas so it is light and testable: two half-circle masks,
 * each clipped to one half of the dial and rotated by the rate (the right one covers 0–50%, the
 * left one the rest), under a white hole that shows the percentage. A screen reader hears one
 * sentence (「已读率 80%」) instead of the drawing.
 */
import { defineComponent } from '../../common/component';
import { ringAngles, ringLabel } from '../../utils/notice-stats-view';

type RingData = {
  rightStyle: string;
  leftStyle: string;
  ariaLabel: string;
};

function ring(label: string, percent: number): RingData {
  const { right, left } = ringAngles(percent);
  return { rightStyle: `transform: rotate(${right}deg)`, leftStyle: `transform: rotate(${left}deg)`, ariaLabel: ringLabel(label, percent) };
}

defineComponent({
  properties: {
    /** What is counted: 已读, 已确认. */
    label: { type: String, value: '' },
    /** 0–100, whole. */
    percent: { type: Number, value: 0 },
    /** `120/150`, shown under the ring. */
    figures: { type: String, value: '' },
    /** The fill colour: `read` (the primary blue) or `confirmed` (green). */
    tone: { type: String, value: 'read' },
  },

  data: ring('', 0),

  observers: {
    'label, percent'(label: string, percent: number) {
      this.setData(ring(label, percent));
    },
  },

  methods: {},
});
