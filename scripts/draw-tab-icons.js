#!/usr/bin/env node
'use strict';
/**
 * Draws the tab bar icons (81x81 PNG, normal and selected) into miniprogram/assets/tabbar/.
 * The tab bar only takes local PNG files, so the line icons are drawn here from a few shapes
 * (segments, arcs, rounded rectangles, dots) with anti-aliased edges and encoded with zlib: no
 * network, no image library, and the same bytes on every run. The PNGs are committed; run this
 * again after changing a shape (`node scripts/draw-tab-icons.js`).
 */
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');

const SIZE = 81;
const STROKE = 5;
const COLORS = { normal: [0x64, 0x65, 0x66], active: [0x19, 0x89, 0xfa] };
const OUT_DIR = path.join(__dirname, '..', 'miniprogram', 'assets', 'tabbar');

// Shapes: each gives the distance from a pixel centre to its line (strokes) or its edge (fills).

function segment(ax, ay, bx, by) {
  return { kind: 'stroke', dist(x, y) {
    const dx = bx - ax;
    const dy = by - ay;
    const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
    return Math.hypot(x - ax - t * dx, y - ay - t * dy);
  } };
}

/** An arc of the circle (cx, cy, r) from angle `from` to `to`, in turns (0 = east, 0.25 = south, y down). */
function arc(cx, cy, r, from, to) {
  const a0 = from * 2 * Math.PI;
  const a1 = to * 2 * Math.PI;
  const ends = [a0, a1].map((a) => [cx + r * Math.cos(a), cy + r * Math.sin(a)]);
  return { kind: 'stroke', dist(x, y) {
    let a = Math.atan2(y - cy, x - cx);
    while (a < a0) a += 2 * Math.PI;
    if (a <= a1) return Math.abs(Math.hypot(x - cx, y - cy) - r);
    return Math.min(...ends.map(([ex, ey]) => Math.hypot(x - ex, y - ey)));
  } };
}

function circle(cx, cy, r) {
  return arc(cx, cy, r, 0, 1);
}

/** The outline of a rectangle centred on (cx, cy), half-sizes hw and hh, corner radius r. */
function roundRect(cx, cy, hw, hh, r) {
  return { kind: 'stroke', dist(x, y) {
    const qx = Math.abs(x - cx) - (hw - r);
    const qy = Math.abs(y - cy) - (hh - r);
    const outside = Math.hypot(Math.max(qx, 0), Math.max(qy, 0));
    return Math.abs(outside + Math.min(Math.max(qx, qy), 0) - r);
  } };
}

function dot(cx, cy, r) {
  return { kind: 'fill', dist: (x, y) => Math.hypot(x - cx, y - cy) - r };
}

const ICONS = {
  // 通知: a bell.
  notices: [
    arc(40.5, 36, 16, 0.5, 1),
    segment(24.5, 36, 22, 55),
    segment(56.5, 36, 59, 55),
    segment(15, 57, 66, 57),
    arc(40.5, 60, 6.5, 0, 0.5),
    segment(40.5, 14, 40.5, 20),
  ],
  // 提案: a sheet with lines of writing.
  proposals: [roundRect(40.5, 40.5, 21, 27, 5), segment(30, 29, 51, 29), segment(30, 40, 51, 40), segment(30, 51, 43, 51)],
  // 班级: two people.
  classes: [circle(32, 30, 9), arc(32, 64, 18, 0.5, 1), circle(54, 27, 7.5), arc(55, 56, 14, 0.75, 1)],
  // 会议室: a calendar to book a room on.
  rooms: [
    roundRect(40.5, 44, 25, 23, 5),
    segment(15.5, 33, 65.5, 33),
    segment(29, 14, 29, 24),
    segment(52, 14, 52, 24),
    dot(30, 46, 3.5),
    dot(40.5, 46, 3.5),
    dot(51, 46, 3.5),
    dot(30, 56, 3.5),
  ],
  // 我的: a person.
  me: [circle(40.5, 28, 11), arc(40.5, 68, 23, 0.5, 1)],
};

/** Coverage of one pixel by the union of the shapes, anti-aliased over about one pixel. */
function coverage(shapes, x, y) {
  let best = 0;
  for (const shape of shapes) {
    const d = shape.dist(x, y);
    const edge = shape.kind === 'stroke' ? d - STROKE / 2 : d;
    best = Math.max(best, Math.max(0, Math.min(1, 0.5 - edge)));
  }
  return best;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buffer) {
  let c = 0xffffffff;
  for (const byte of buffer) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** An RGBA PNG of the shapes in one colour on a transparent ground. */
function drawPng(shapes, [r, g, b]) {
  const raw = Buffer.alloc(SIZE * (SIZE * 4 + 1));
  for (let y = 0; y < SIZE; y += 1) {
    const row = y * (SIZE * 4 + 1);
    raw[row] = 0; // filter: none
    for (let x = 0; x < SIZE; x += 1) {
      const at = row + 1 + x * 4;
      raw[at] = r;
      raw[at + 1] = g;
      raw[at + 2] = b;
      raw[at + 3] = Math.round(coverage(shapes, x + 0.5, y + 0.5) * 255);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(SIZE, 0);
  header.writeUInt32BE(SIZE, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Every icon file: `<name>.png` and `<name>-active.png`, by file name. */
function drawIcons() {
  const files = {};
  for (const [name, shapes] of Object.entries(ICONS)) {
    files[`${name}.png`] = drawPng(shapes, COLORS.normal);
    files[`${name}-active.png`] = drawPng(shapes, COLORS.active);
  }
  return files;
}

module.exports = { drawIcons, SIZE, OUT_DIR };

if (require.main === module) {
  fs.mkdirSync(OUT_DIR, { recursive: true });
  for (const [file, png] of Object.entries(drawIcons())) {
    fs.writeFileSync(path.join(OUT_DIR, file), png);
    console.log(`${path.relative(process.cwd(), path.join(OUT_DIR, file))} ${png.length} bytes`);
  }
}
