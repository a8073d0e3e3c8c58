// Metadata is dropped from uploaded images (a phone photo's EXIF can hold the GPS position of a house);
// the picture itself stays byte for byte.
import { crc32 } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { inspectImage } from '../../../src/content/media.ts'
import { stripImageMetadata } from '../../../src/content/strip-metadata.ts'
import { JPEG, png } from '../../helpers/images.ts'

const GPS = Buffer.from('Exif\0\0GPSLatitude 29.8683 N GPSLongitude 121.5440 E', 'latin1')

function segment (marker: number, payload: Buffer): Buffer {
  const head = Buffer.from([0xff, marker, 0, 0])
  head.writeUInt16BE(payload.length + 2, 2)
  return Buffer.concat([head, payload])
}

function pngChunk (type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data])
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(body))
  return Buffer.concat([len, body, crc])
}

describe('stripImageMetadata', () => {
  it('drops EXIF (APP1) and comments from a JPEG, keeps its ICC colour profile and the image data as they were', () => {
    const clean = JPEG
    const withExif = Buffer.concat([clean.subarray(0, 2), segment(0xe1, GPS), segment(0xfe, Buffer.from('taken at 山下庄 12号')), clean.subarray(2)])
    expect(withExif.includes('GPSLatitude')).toBe(true)
    const stripped = stripImageMetadata(withExif, 'jpeg')
    expect(stripped.includes('GPSLatitude')).toBe(false)
    expect(stripped.includes(Buffer.from('山下庄'))).toBe(false)
    expect(stripped.equals(clean)).toBe(true)
    expect(inspectImage(stripped).ok).toBe(true)
  })

  it('drops eXIf and text chunks from a PNG and keeps a valid file', () => {
    const clean = png(2, 2)
    const iend = clean.length - 12
    const withText = Buffer.concat([clean.subarray(0, 33), pngChunk('eXIf', GPS), pngChunk('tEXt', Buffer.from('Comment\0GPS 29.86,121.54', 'latin1')), clean.subarray(33, iend), clean.subarray(iend)])
    const stripped = stripImageMetadata(withText, 'png')
    expect(stripped.includes('GPS')).toBe(false)
    expect(stripped.equals(clean)).toBe(true)
  })
})
