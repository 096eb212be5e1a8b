// The inbox's icons, drawn here rather than shipped as binaries: a blue rounded square with a
// white speech bubble, as PNG at any size, and a favicon.ico holding the 32 px PNG.
import { deflateSync } from 'node:zlib'

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})
const crc32 = (buf) => { let c = 0xffffffff; for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0 }

function chunk (type, data) {
  const head = Buffer.alloc(8)
  head.writeUInt32BE(data.length, 0)
  head.write(type, 4, 'ascii')
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0)
  return Buffer.concat([head, data, crc])
}

/** Inside a rounded rectangle (x0, y0)–(x1, y1) with corner radius r, in the unit square. */
const inRounded = (x, y, x0, y0, x1, y1, r) => {
  if (x < x0 || x > x1 || y < y0 || y > y1) return false
  const cx = Math.min(Math.max(x, x0 + r), x1 - r)
  const cy = Math.min(Math.max(y, y0 + r), y1 - r)
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r
}
/** The bubble's tail: a triangle under its lower left. */
const inTail = (x, y) => y >= 0.6 && y <= 0.76 && x >= 0.3 && x <= 0.3 + (0.76 - y) * 1.1

export function iconPng (size) {
  const rows = []
  for (let py = 0; py < size; py++) {
    const row = Buffer.alloc(1 + size * 4)
    for (let px = 0; px < size; px++) {
      const x = (px + 0.5) / size
      const y = (py + 0.5) / size
      const bubble = inRounded(x, y, 0.22, 0.26, 0.78, 0.64, 0.1) || inTail(x, y)
      const square = inRounded(x, y, 0, 0, 1, 1, 0.22)
      const [r, g, b, a] = bubble ? [255, 255, 255, 255] : square ? [37, 99, 235, 255] : [0, 0, 0, 0]
      row.set([r, g, b, a], 1 + px * 4)
    }
    rows.push(row)
  }
  const header = Buffer.alloc(13)
  header.writeUInt32BE(size, 0)
  header.writeUInt32BE(size, 4)
  header.set([8, 6, 0, 0, 0], 8) // 8 bits per channel, RGBA
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))])
}

/** An ICO whose one image is a PNG (Windows Vista and every browser read those). */
export function faviconIco (png, size) {
  const head = Buffer.alloc(22)
  head.writeUInt16LE(0, 0); head.writeUInt16LE(1, 2); head.writeUInt16LE(1, 4)
  head.set([size % 256, size % 256, 0, 0], 6)
  head.writeUInt16LE(1, 10); head.writeUInt16LE(32, 12)
  head.writeUInt32LE(png.length, 14); head.writeUInt32LE(22, 18)
  return Buffer.concat([head, png])
}
