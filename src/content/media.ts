// Notice images: what a village screen can show, decided from the bytes alone (the file name and any
// declared type are labels, never trusted). Pure: no I/O; gateway/content/media-store.ts keeps the files.
//
// TV boxes of the Chrome 38 era decode PNG and JPEG; WebP and animated GIF are refused rather than shown
// as a broken image on a village screen. Dimensions come from the header (PNG IHDR, JPEG SOFn) so a
// "decompression bomb" (a small file that decodes to gigapixels) is refused before any box tries it.
import { z } from 'zod'

export const MEDIA_MAX_BYTES = 2 * 1024 * 1024
/** Per side. 4096² RGBA is already 64 MB of decoded pixels, a lot for a TV box with 1 GB of RAM. */
export const MEDIA_MAX_SIDE = 4096

export type ImageType = 'png' | 'jpeg'
export const MEDIA_EXT: Record<ImageType, 'png' | 'jpg'> = { png: 'png', jpeg: 'jpg' }
export const MEDIA_CONTENT_TYPE: Record<'png' | 'jpg', string> = { png: 'image/png', jpg: 'image/jpeg' }

/** A stored file's name: the SHA-256 of its bytes (content-addressed) and the extension of its real type. */
export const MEDIA_NAME = /^([0-9a-f]{64})\.(png|jpg)$/
/** A notice image url served by this gateway (GET /media/:name). */
export const MEDIA_URL = /^\/media\/[0-9a-f]{64}\.(png|jpg)$/

export interface ImageInfo { type: ImageType, width: number, height: number }

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

/** What the bytes look like, for a refusal that says why (no decoding, magic bytes only). */
function otherFormat (b: Buffer): string | null {
  const ascii = (from: number, to: number): string => b.subarray(from, to).toString('latin1')
  if (ascii(0, 6) === 'GIF87a' || ascii(0, 6) === 'GIF89a') return 'GIF'
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'WebP'
  if (ascii(4, 12) === 'ftypavif' || ascii(4, 12) === 'ftypheic' || ascii(4, 12) === 'ftypmif1') return 'AVIF/HEIC'
  if (ascii(0, 2) === 'BM') return 'BMP'
  if (ascii(0, 5) === '<?xml' || /^\s*<svg/i.test(ascii(0, 200))) return 'SVG'
  return null
}

/** PNG: the signature, then IHDR must be the first chunk (PNG spec §5.6) with width and height (§11.2.2). */
function png (b: Buffer): ImageInfo | string {
  if (b.length < 33 || b.subarray(12, 16).toString('latin1') !== 'IHDR') return 'a PNG without its IHDR header (truncated or damaged)'
  return { type: 'png', width: b.readUInt32BE(16), height: b.readUInt32BE(20) }
}

/** SOFn markers carry the frame size (ITU-T T.81 §B.2.2); C4 (DHT), C8 (JPG) and CC (DAC) are not frames. */
const isSof = (m: number): boolean => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc

/** JPEG: walk the marker segments (T.81 §B.1.1) up to the first SOFn; stop at SOS or EOI. */
function jpeg (b: Buffer): ImageInfo | string {
  let i = 2
  while (i + 4 <= b.length) {
    if (b[i] !== 0xff) return 'a damaged JPEG (no marker where one should be)'
    const marker = b[i + 1] as number
    if (marker === 0xff) { i++; continue } // fill byte (§B.1.1.2)
    // Markers without a length: TEM and RSTn (§B.1.1.3).
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) { i += 2; continue }
    if (marker === 0xd9 || marker === 0xda) break
    const length = b.readUInt16BE(i + 2)
    if (length < 2) return 'a damaged JPEG (bad segment length)'
    if (isSof(marker)) {
      if (i + 9 > b.length) break
      // P (1 byte), Y (2), X (2): Y = 0 means "defined later by DNL", which no TV box should be asked to do.
      return { type: 'jpeg', height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7) }
    }
    i += 2 + length
  }
  return 'a JPEG without a frame header (truncated or damaged)'
}

/** The image's type and size, or why it cannot go on a village screen. */
export function inspectImage (bytes: Buffer): { ok: true, image: ImageInfo } | { ok: false, reason: string } {
  if (bytes.length === 0) return { ok: false, reason: 'the file is empty' }
  if (bytes.length > MEDIA_MAX_BYTES) return { ok: false, reason: `the file is ${(bytes.length / 1048576).toFixed(1)} MB; at most 2 MB (make it smaller, e.g. 1920 pixels wide)` }
  let found: ImageInfo | string
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(PNG_SIGNATURE)) found = png(bytes)
  else if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) found = jpeg(bytes)
  else {
    const other = otherFormat(bytes)
    return { ok: false, reason: other === null ? 'not a PNG or JPEG image (whatever its name says)' : `${other} cannot be shown on the TV boxes: send PNG or JPEG` }
  }
  if (typeof found === 'string') return { ok: false, reason: found }
  if (found.width === 0 || found.height === 0) return { ok: false, reason: 'the image header gives no size' }
  if (found.width > MEDIA_MAX_SIDE || found.height > MEDIA_MAX_SIDE) {
    return { ok: false, reason: `the image is ${found.width}×${found.height} pixels; at most ${MEDIA_MAX_SIDE}×${MEDIA_MAX_SIDE}` }
  }
  return { ok: true, image: found }
}

// Base64 as btoa writes it (padded, no line breaks): Buffer.from(s, 'base64') silently skips anything
// else, which would store a different file than the one sent.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/** Base64 of a little over 2 MB: a slightly larger file gets the clear "at most 2 MB" answer, not a schema error. */
const dataBase64 = z.string().min(1).max(3_000_000).regex(BASE64, 'must be base64 (A-Z a-z 0-9 + /, padded with =)')
  .describe('the image file, base64; PNG or JPEG, at most 2 MB and 4096×4096 pixels')

export const mediaUploadBody = z.object({
  fileName: z.string().trim().max(200).optional().describe('the original name, kept in the audit log only; the bytes decide the type'),
  dataBase64
})
export const mediaUploaded = z.object({
  url: z.string().describe('/media/<sha256>.<png|jpg>: use it as a notice image url'),
  width: z.number().int(),
  height: z.number().int(),
  bytes: z.number().int(),
  contentType: z.enum(['image/png', 'image/jpeg'])
})
export type MediaUploaded = z.infer<typeof mediaUploaded>
