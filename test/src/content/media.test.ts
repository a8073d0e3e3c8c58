// What inspectImage (src/content/media.ts) makes of headers a clerk's files really have: progressive
// JPEGs, fill bytes and restart markers before the frame, a frame with its height left to DNL, and
// files cut short. The HTTP side is test/gateway/content/media.test.ts.
import { describe, expect, it } from 'vitest'
import { MEDIA_MAX_BYTES, inspectImage } from '../../../src/content/media.ts'
import { png } from '../../helpers/images.ts'

const seg = (marker: number, payload: number[]): number[] => [0xff, marker, (payload.length + 2) >> 8, (payload.length + 2) & 0xff, ...payload]
/** SOFn: precision 8, Y (height), X (width), one component. */
const sof = (marker: number, width: number, height: number): number[] => seg(marker, [8, height >> 8, height & 0xff, width >> 8, width & 0xff, 1, 1, 0x11, 0])
const jpeg = (...parts: number[][]): Buffer => Buffer.from([0xff, 0xd8, ...parts.flat(), 0xff, 0xd9])
const APP0 = seg(0xe0, [...Buffer.from('JFIF\0'), 1, 1, 0, 0, 1, 0, 1, 0, 0])
const DHT = seg(0xc4, new Array(20).fill(0))

describe('inspectImage', () => {
  it('reads PNG and baseline or progressive JPEG sizes, walking past tables, fill bytes and restart markers', () => {
    expect(inspectImage(png(640, 480))).toEqual({ ok: true, image: { type: 'png', width: 640, height: 480 } })
    expect(inspectImage(jpeg(APP0, DHT, sof(0xc0, 1920, 1080)))).toEqual({ ok: true, image: { type: 'jpeg', width: 1920, height: 1080 } })
    expect(inspectImage(jpeg(APP0, [0xff, 0xff, 0xff], [0xff, 0xd3], sof(0xc2, 800, 600)))).toMatchObject({ ok: true, image: { width: 800, height: 600 } })
  })

  it('refuses a JPEG whose frame comes after the scan, has no size, or is cut off', () => {
    expect(inspectImage(jpeg(APP0, seg(0xda, [0]), sof(0xc0, 10, 10)))).toMatchObject({ ok: false, reason: expect.stringContaining('without a frame header') })
    expect(inspectImage(jpeg(APP0, sof(0xc0, 100, 0)))).toMatchObject({ ok: false, reason: expect.stringContaining('no size') })
    expect(inspectImage(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 1, 2]))).toMatchObject({ ok: false })
    expect(inspectImage(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x00, 0, 0]))).toMatchObject({ ok: false, reason: expect.stringContaining('segment length') })
  })

  it('refuses over 4096 pixels on either side, over 2 MB, and empty files', () => {
    expect(inspectImage(jpeg(sof(0xc0, 4096, 4096)))).toMatchObject({ ok: true })
    expect(inspectImage(jpeg(sof(0xc0, 4097, 10)))).toMatchObject({ ok: false, reason: expect.stringContaining('4097×10') })
    expect(inspectImage(png(10, 65535))).toMatchObject({ ok: false })
    expect(inspectImage(Buffer.concat([png(), Buffer.alloc(MEDIA_MAX_BYTES)]))).toMatchObject({ ok: false, reason: expect.stringContaining('2 MB') })
    expect(inspectImage(Buffer.alloc(0))).toMatchObject({ ok: false, reason: 'the file is empty' })
  })

  it('names the formats a TV box cannot show', () => {
    expect(inspectImage(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"></svg>'))).toMatchObject({ ok: false, reason: expect.stringContaining('SVG') })
    expect(inspectImage(Buffer.from('\0\0\0\x1cftypheic\0\0\0\0', 'latin1'))).toMatchObject({ ok: false, reason: expect.stringContaining('HEIC') })
    expect(inspectImage(Buffer.from('BM6\0\0\0', 'latin1'))).toMatchObject({ ok: false, reason: expect.stringContaining('BMP') })
  })
})
