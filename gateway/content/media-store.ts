// Notice images on disk: <dataDir>/media/<sha256>.<png|jpg>. Content-addressed, so the same image
// uploaded twice (or by two clerks) is one file, a url never changes meaning and can be cached for a
// year, and there is nothing to keep in SQLite: the directory is the index. Checks are in
// src/content/media.ts (type from magic bytes, size, pixel dimensions).
import { createHash, randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { stripImageMetadata } from '../../src/content/strip-metadata.ts'
import { AnjuError } from '../../src/errors.ts'
import { MEDIA_CONTENT_TYPE, MEDIA_EXT, MEDIA_NAME, inspectImage, type MediaUploaded } from '../../src/content/media.ts'

export interface StoredMedia extends MediaUploaded {
  name: string
  /** False when the same bytes were already stored. */
  created: boolean
}

export class MediaStore {
  readonly dir: string

  constructor (dataDir: string) {
    this.dir = join(dataDir, 'media')
  }

  /** Check and keep an image; INVALID_INPUT (400) says why one is refused. */
  put (bytes: Buffer): StoredMedia {
    const inspected = inspectImage(bytes)
    if (!inspected.ok) throw new AnjuError('INVALID_INPUT', inspected.reason)
    const { type, width, height } = inspected.image
    // The stored (and hashed) file is the image without EXIF/XMP: no GPS position of a house on a screen.
    bytes = stripImageMetadata(bytes, type)
    const ext = MEDIA_EXT[type]
    const name = `${createHash('sha256').update(bytes).digest('hex')}.${ext}`
    const path = join(this.dir, name)
    const created = !existsSync(path)
    if (created) {
      mkdirSync(this.dir, { recursive: true })
      // Write then rename: a reader (or a crash) never sees half a file under the final name.
      const tmp = join(this.dir, `.${name}.${randomBytes(6).toString('hex')}.tmp`)
      writeFileSync(tmp, bytes, { mode: 0o644 })
      renameSync(tmp, path)
    }
    return { name, created, url: `/media/${name}`, width, height, bytes: bytes.length, contentType: MEDIA_CONTENT_TYPE[ext] as MediaUploaded['contentType'] }
  }

  /**
   * A notice may only point at images this gateway has: a /media url that was never uploaded (a typo, or
   * one copied from another gateway) would be a broken picture on every screen. Other same-origin paths
   * are not the store's to judge. INVALID_INPUT names the first missing one.
   */
  assertStored (images: ReadonlyArray<{ url: string }> | undefined): void {
    images?.forEach((image, i) => {
      const name = image.url.startsWith('/media/') ? image.url.slice('/media/'.length) : null
      if (name !== null && (!MEDIA_NAME.test(name) || !existsSync(join(this.dir, name)))) {
        throw new AnjuError('INVALID_INPUT', `images.${i}.url: ${image.url} is not on this gateway; upload the image first (POST /console/api/media)`)
      }
    })
  }

  /** The stored file for a url name, or null (a name the store could not have made, or absent). */
  async get (name: string): Promise<{ bytes: Buffer, hash: string, contentType: string } | null> {
    const m = MEDIA_NAME.exec(name)
    if (m === null) return null
    const path = join(this.dir, name)
    try {
      return { bytes: await readFile(path), hash: m[1] as string, contentType: MEDIA_CONTENT_TYPE[m[2] as 'png' | 'jpg'] }
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code === 'ENOENT' || code === 'EISDIR') return null
      throw err
    }
  }
}
