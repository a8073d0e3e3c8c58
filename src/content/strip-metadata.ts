// Privacy: a phone photo carries EXIF (camera, time, often the GPS position of the house it was taken
// in) and XMP; a village notice must not publish where an elder lives. Metadata segments are dropped
// before an image is stored, losslessly (the pixel data is copied byte for byte, nothing is re-encoded).
//
// JPEG: APP1 and APP3..APP13, APP15 (Exif, XMP, Photoshop IRB/IPTC, ...) and COM are dropped; APP0
// (JFIF), APP2 (the ICC colour profile) and APP14 (Adobe: the colour transform decoders need) are kept. Segments after SOS are entropy-coded data
// and copied as they are.
// PNG: eXIf, tEXt, zTXt, iTXt and tIME chunks are dropped; everything else (IHDR, PLTE, IDAT, colour
// chunks) is kept. Chunk CRCs cover each chunk alone, so dropping whole chunks keeps the file valid.

const PNG_DROP = new Set(['eXIf', 'tEXt', 'zTXt', 'iTXt', 'tIME'])

function stripPng (b: Buffer): Buffer {
  const parts: Buffer[] = [b.subarray(0, 8)]
  let i = 8
  while (i + 12 <= b.length) {
    const length = b.readUInt32BE(i)
    const end = i + 12 + length
    if (end > b.length) break
    const type = b.subarray(i + 4, i + 8).toString('latin1')
    if (!PNG_DROP.has(type)) parts.push(b.subarray(i, end))
    i = end
    if (type === 'IEND') return Buffer.concat(parts)
  }
  parts.push(b.subarray(i)) // a truncated tail is kept as it was: inspectImage already judged the file
  return Buffer.concat(parts)
}

const dropJpegSegment = (marker: number): boolean => marker === 0xe1 || (marker >= 0xe3 && marker <= 0xed) || marker === 0xef || marker === 0xfe

function stripJpeg (b: Buffer): Buffer {
  const parts: Buffer[] = [b.subarray(0, 2)]
  let i = 2
  while (i + 4 <= b.length) {
    if (b[i] !== 0xff) break
    const marker = b[i + 1] as number
    if (marker === 0xff) { parts.push(b.subarray(i, i + 1)); i++; continue }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) { parts.push(b.subarray(i, i + 2)); i += 2; continue }
    // From SOS (or EOI) on, the rest is image data: copy it whole.
    if (marker === 0xda || marker === 0xd9) break
    const end = i + 2 + b.readUInt16BE(i + 2)
    if (end > b.length) break
    if (!dropJpegSegment(marker)) parts.push(b.subarray(i, end))
    i = end
  }
  parts.push(b.subarray(i))
  return Buffer.concat(parts)
}

/** The same image without its metadata; `type` from inspectImage. */
export function stripImageMetadata (bytes: Buffer, type: 'png' | 'jpeg'): Buffer {
  return type === 'png' ? stripPng(bytes) : stripJpeg(bytes)
}
