import { deflateSync } from 'node:zlib';

// The app's icons as PNG, drawn at build time (no image files in the repository, no image library): a blue
// tile with a white power symbol. `maskable` keeps the symbol inside the safe zone (the inner 80 %).

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(data: Buffer): number {
  let c = 0xffffffff;
  for (const byte of data) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

const BLUE = [11, 92, 173];
const WHITE = [255, 255, 255];

/** Whether pixel (x, y) of a `size` icon is part of the power symbol. */
function inSymbol(x: number, y: number, size: number, scale: number): boolean {
  const cx = size / 2;
  const cy = size / 2;
  const r = (size / 2) * scale;
  const stroke = r * 0.16;
  const dx = x + 0.5 - cx;
  const dy = y + 0.5 - cy;
  const distance = Math.hypot(dx, dy);
  // The ring, open at the top.
  const ring = Math.abs(distance - r * 0.62) < stroke / 2 && !(dy < 0 && Math.abs(dx) < r * 0.28);
  // The bar through the opening.
  const bar = Math.abs(dx) < stroke / 2 && dy < -r * 0.05 && dy > -r * 0.85;
  return ring || bar;
}

export function iconPng(size: number, maskable: boolean): Buffer {
  const scale = maskable ? 0.62 : 0.85;
  const radius = maskable ? 0 : size * 0.18;
  const rows: Buffer[] = [];
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 4);
    for (let x = 0; x < size; x++) {
      // Rounded corners (transparent) on the plain icon; the maskable one is full bleed.
      const cornerX = Math.max(radius - x, x - (size - 1 - radius), 0);
      const cornerY = Math.max(radius - y, y - (size - 1 - radius), 0);
      const outside = radius > 0 && Math.hypot(cornerX, cornerY) > radius;
      const colour = inSymbol(x, y, size, scale) ? WHITE : BLUE;
      row.set([...colour, outside ? 0 : 255], 1 + x * 4);
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
