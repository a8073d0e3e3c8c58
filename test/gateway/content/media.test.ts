// Notice images end to end over real HTTP: a clerk uploads a PNG or JPEG from the console (or the admin
// API), gets a /media url, puts it in a notice, and the village screens get the url and the bytes.
import { createHash } from 'node:crypto'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Role } from '../../../gateway/console/auth/principal.ts'
import type { Scope } from '../../../gateway/console/auth/user-store.ts'
import { createUser, signIn, type ConsoleClient } from '../../helpers/console-session.ts'
import { JPEG, png } from '../../helpers/images.ts'
import { seedHome, startGateway, type TestGateway } from '../../helpers/start-gateway.ts'

const b64 = (b: Buffer): string => b.toString('base64')

describe('notice images (media)', () => {
  let gw: TestGateway
  let ids: Awaited<ReturnType<typeof seedHome>>
  let clerk: ConsoleClient

  beforeAll(async () => {
    gw = await startGateway()
    ids = await seedHome(gw)
    const c = await createUser(gw, { role: 'clerk', scope: { villageIds: [ids.villageId] } })
    clerk = await signIn(gw, c.username, c.password)
  })
  afterAll(async () => { await gw.stop() })

  it('a clerk uploads a PNG and a JPEG; the url names the hash and the real type; the same image twice is one file', async () => {
    const image = png(3, 2)
    const first = await clerk.post('/media', { villageId: ids.villageId, fileName: '党员活动.png', dataBase64: b64(image) })
    expect(first.status).toBe(200)
    const hash = createHash('sha256').update(image).digest('hex')
    expect(first.body).toEqual({ url: `/media/${hash}.png`, width: 3, height: 2, bytes: image.length, contentType: 'image/png' })

    const again = await clerk.post('/media', { fileName: 'copy.png', dataBase64: b64(image) })
    expect(again.body.url).toBe(first.body.url)
    // Named .png, but the bytes are a JPEG: stored and served as one.
    const jpeg = await clerk.post('/media', { fileName: 'photo.png', dataBase64: b64(JPEG) })
    expect(jpeg.status).toBe(200)
    expect(jpeg.body).toMatchObject({ url: expect.stringMatching(/^\/media\/[0-9a-f]{64}\.jpg$/), width: 2, height: 1, contentType: 'image/jpeg' })
    expect(readdirSync(join(gw.dataDir, 'media')).sort()).toEqual([`${hash}.png`, jpeg.body.url.slice(7)].sort())

    const audit = gw.db.prepare("SELECT actor, entity_id AS id, detail FROM audit_log WHERE action = 'upload' AND entity = 'media' ORDER BY rowid").all() as Array<{ actor: string, id: string, detail: string }>
    expect(audit[0]).toMatchObject({ actor: `user:${clerk.user.id}`, id: `${hash}.png` })
    expect(JSON.parse(audit[0]?.detail as string)).toMatchObject({ fileName: '党员活动.png', villageId: ids.villageId, created: true })
    expect(JSON.parse(audit[1]?.detail as string)).toMatchObject({ created: false })
  })

  it('publishes a phone photo without its EXIF: no GPS position of the house reaches a screen', async () => {
    const exif = Buffer.from('Exif\0\0GPSLatitude 29.8683 N GPSLongitude 121.5440 E', 'latin1')
    const app1 = Buffer.concat([Buffer.from([0xff, 0xe1, 0, exif.length + 2]), exif])
    const photo = Buffer.concat([JPEG.subarray(0, 2), app1, JPEG.subarray(2)])
    const res = await clerk.post('/media', { fileName: 'IMG_0001.jpg', dataBase64: b64(photo) })
    expect(res.status).toBe(200)
    const served = Buffer.from(await (await fetch(gw.urls.http + (res.body.url as string))).arrayBuffer())
    expect(served.includes('GPSLatitude')).toBe(false)
    expect(served.equals(JPEG)).toBe(true)
  })

  it('refuses what a TV box cannot show or should not try, saying why', async () => {
    const refused = async (dataBase64: string, fileName = 'x.png'): Promise<string> => {
      const res = await clerk.post('/media', { fileName, dataBase64 })
      expect(res.status).toBe(400)
      return JSON.stringify(res.body)
    }
    expect(await refused(b64(Buffer.from('this is a text file, not a picture')))).toContain('not a PNG or JPEG')
    expect(await refused(b64(Buffer.from('GIF89a\u0001\u0000\u0001\u0000\u0080\u0000\u0000', 'latin1')), 'x.gif')).toContain('GIF cannot be shown')
    expect(await refused(b64(Buffer.concat([Buffer.from('RIFF\u0000\u0000\u0000\u0000WEBPVP8 ', 'latin1'), Buffer.alloc(20)])))).toContain('WebP')
    const big = Buffer.concat([png(), Buffer.alloc(2 * 1024 * 1024)])
    expect(await refused(b64(big))).toContain('at most 2 MB')
    expect(await refused(b64(png(4097, 16)))).toContain('4097×16 pixels')
    expect(await refused(b64(png(5000, 5000)))).toContain('at most 4096×4096')
    expect(await refused('iVBORw0KGgo!!not-base64')).toContain('base64')
    expect(await refused(b64(png()).slice(0, 40))).toContain('IHDR')
    expect(await refused(b64(JPEG.subarray(0, 30)))).toContain('JPEG')
    expect(readdirSync(join(gw.dataDir, 'media'))).toHaveLength(2)
  })

  it('a grid worker, a family member or a reviewer cannot upload; a clerk not of the village cannot upload for it', async () => {
    const others: Array<[Role, Partial<Scope>]> = [['grid_worker', { gridIds: [ids.gridId] }], ['family', { homeIds: [ids.homeId] }], ['reviewer', { villageIds: [ids.villageId] }]]
    for (const [role, scope] of others) {
      const u = await createUser(gw, { role, scope })
      const c = await signIn(gw, u.username, u.password)
      expect((await c.post('/media', { dataBase64: b64(png()) })).status).toBe(403)
    }
    const other = (await gw.api<{ id: string }>('POST', '/api/v1/villages', { name: '水口村' })).body.id
    const u = await createUser(gw, { role: 'clerk', scope: { villageIds: [other] } })
    const c = await signIn(gw, u.username, u.password)
    expect((await c.post('/media', { villageId: ids.villageId, dataBase64: b64(png()) })).status).toBe(404)
    // Without the CSRF header, not even a clerk.
    expect((await clerk.request('POST', '/media', { dataBase64: b64(png()) }, { csrf: null })).status).toBe(403)
  })

  it('the admin API uploads too (bearer, audited with `by`)', async () => {
    expect((await fetch(`${gw.urls.http}/api/v1/content/media`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ dataBase64: b64(png()), by: 'x' }) })).status).toBe(401)
    const res = await gw.api<{ url: string }>('POST', '/api/v1/content/media', { fileName: 'a.png', dataBase64: b64(png(1, 1, [0, 0, 255])), by: 'clerk-wang' })
    expect(res.status).toBe(200)
    const row = gw.db.prepare("SELECT actor FROM audit_log WHERE entity = 'media' AND entity_id = ?").get(res.body.url.slice(7)) as { actor: string }
    expect(row.actor).toBe('clerk-wang')
  })

  it('serves the bytes to anyone with immutable caching, the real type, nosniff and the hash as ETag; 404 otherwise', async () => {
    const image = png(2, 2, [10, 120, 40])
    const { url } = (await clerk.post('/media', { dataBase64: b64(image) })).body as { url: string }
    const res = await fetch(gw.urls.http + url)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('image/png')
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    const etag = `"${createHash('sha256').update(image).digest('hex')}"`
    expect(res.headers.get('etag')).toBe(etag)
    expect(Buffer.from(await res.arrayBuffer()).equals(image)).toBe(true)
    expect((await fetch(gw.urls.http + url, { headers: { 'if-none-match': etag } })).status).toBe(304)

    const hash = url.slice(7, 71)
    for (const bad of [`/media/${hash}.jpg`, `/media/${hash}.PNG`, `/media/${hash}.gif`, `/media/${'0'.repeat(64)}.png`, '/media/..%2Fadmin-token', '/media/%2e%2e', '/media/']) {
      expect((await fetch(gw.urls.http + bad)).status, bad).toBe(404)
    }
  })

  it('a notice with an uploaded image shows it on the village screens; foreign and made-up media urls are refused', async () => {
    const { url } = (await clerk.post('/media', { dataBase64: b64(png(4, 3)) })).body as { url: string }
    const created = await clerk.post('/notices', {
      villageId: ids.villageId, category: 'party', title: '主题党日活动剪影', body: '本月主题党日在村文化礼堂举行。', images: [{ url, caption: '党员重温入党誓词' }]
    })
    expect(created.status).toBe(201)
    const state = await (await fetch(`${gw.urls.http}/tv/api/state`)).json() as { notices: Array<{ title: string, images: Array<{ url: string, caption: string }> }> }
    expect(state.notices.find((n) => n.title === '主题党日活动剪影')?.images).toEqual([{ url, caption: '党员重温入党誓词' }])
    expect((await fetch(gw.urls.http + url)).status).toBe(200)

    for (const bad of ['https://evil.example/x.png', '//evil.example/x.png', '/\\evil.example/x.png', '/media/not-a-hash.png', `${url}?x=1`, `/media/${'0'.repeat(64)}.png`]) {
      const res = await clerk.post('/notices', { villageId: ids.villageId, category: 'party', title: 't', body: 'b', images: [{ url: bad, caption: 'c' }] })
      expect(res.status, bad).toBe(400)
    }
    // The admin API too: a well-formed media url that was never uploaded would be a broken picture.
    const missing = await gw.api<{ message: string }>('POST', '/api/v1/content/notices', {
      villageId: ids.villageId, category: 'party', title: 't', body: 'b', images: [{ url: `/media/${'a'.repeat(64)}.jpg`, caption: 'c' }], by: 'clerk-wang'
    })
    expect(missing.status).toBe(400)
    expect(missing.body.message).toContain('upload the image first')
  })
})
