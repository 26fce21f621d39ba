import { deflateSync, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { toPalettePng } from '../../scripts/png-palette.ts';

/** An 8-bit RGB PNG of these pixels (0xRRGGBB), rows filtered with "Sub" as encoders do. */
function rgbPng(width: number, pixels: number[]): Buffer {
  const height = pixels.length / width;
  const rows: number[] = [];
  for (let y = 0; y < height; y++) {
    rows.push(1);
    for (let x = 0; x < width; x++) {
      const [color, left] = [pixels[y * width + x] as number, x ? (pixels[y * width + x - 1] as number) : 0];
      for (const shift of [16, 8, 0]) rows.push((((color >> shift) & 255) - ((left >> shift) & 255)) & 255);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8;
  header[9] = 2;
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    return Buffer.concat([length, Buffer.from(type, 'latin1'), data, Buffer.alloc(4)]);
  };
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.from(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** The pixels of a palette PNG as toPalettePng writes it (one IDAT, filter 0). */
function palettePixels(png: Buffer): number[] {
  const chunks = new Map<string, Buffer>();
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at);
    chunks.set(png.toString('latin1', at + 4, at + 8), png.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  const width = chunks.get('IHDR')?.readUInt32BE(0) ?? 0;
  const plte = chunks.get('PLTE') ?? Buffer.alloc(0);
  const rows = inflateSync(chunks.get('IDAT') ?? Buffer.alloc(0));
  const out: number[] = [];
  for (let at = 0; at < rows.length; at += width + 1)
    for (const i of rows.subarray(at + 1, at + 1 + width)) out.push(plte.readUIntBE(i * 3, 3));
  return out;
}

describe('the gallery’s screenshots as palette PNGs', () => {
  it('keeps an image of up to 256 colours exactly', () => {
    const pixels = Array.from({ length: 20 * 15 }, (_, i) => (((i * 2654435761) >>> 8) % 200) * 0x010203);
    expect(palettePixels(toPalettePng(rgbPng(20, pixels)))).toEqual(pixels);
  });

  it('maps a rare colour beyond the 256 most frequent to its nearest', () => {
    const common = Array.from({ length: 256 }, (_, i) => i * 0x010101);
    const pixels = [...common, ...common, 0x7f7f80];
    const out = palettePixels(toPalettePng(rgbPng(pixels.length, pixels)));
    expect(out.slice(0, 512)).toEqual([...common, ...common]);
    expect(out[512]).toBe(0x7f7f7f);
  });
});
