// Small valid images for tests of notice images, built from bytes (no image library needed): a PNG of
// one colour with a real zlib stream and CRCs, so browsers decode it too.
import { crc32, deflateSync } from 'node:zlib'

/** A chunk: length, type, data, CRC-32 of type and data (PNG spec §5.3). */
function chunk (type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data])
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(body))
  return Buffer.concat([len, body, crc])
}
/** A valid RGB PNG of one colour (`width`×`height` as the header says; tiny images are fully encoded). */
export function png (width = 1, height = 1, rgb: [number, number, number] = [200, 30, 30]): Buffer {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(width, 0); ihdr.writeUInt32BE(height, 4); ihdr[8] = 8; ihdr[9] = 2
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: width }, () => rgb).flat())])
  const idat = width * height <= 4096 ? deflateSync(Buffer.concat(Array.from({ length: height }, () => row))) : Buffer.alloc(0)
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))])
}
