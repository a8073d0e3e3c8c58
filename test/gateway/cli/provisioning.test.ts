// The provisioning CLI against a fresh data dir: ids and secrets come back as JSON, only the secret's
// hash reaches the database, and bad input is refused with a readable message and the right exit code.
import { createHash } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cliHome, cliJson, runCli } from './run-cli.ts'

const SECRET = /^[A-Za-z0-9_-]{43}$/ // 32 random bytes in base64url, no padding
const STACK_FRAME = /^\s+at /m

interface Credentials { id: string, kind: string, homeId: string, secret: string, mqtt: { clientId: string, username: string, password: string } }

describe('anju CLI provisioning', () => {
  let dataDir: string
  let place: { villageId: string, gridId: string, homeId: string }
  let sensor: Credentials
  let hub: Credentials

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'anju-cli-'))
    place = await cliHome(dataDir)
    sensor = await cliJson<Credentials>(dataDir, ['device', 'add', '--home', place.homeId, '--room', '卧室'])
    hub = await cliJson<Credentials>(dataDir, ['hub', 'add', '--home', place.homeId])
  })
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

  it('prints the new village, grid and home as JSON', async () => {
    const villages = await cliJson<Array<{ id: string, name: string }>>(dataDir, ['village', 'list'])
    expect(villages).toEqual([expect.objectContaining({ id: place.villageId, name: '山下庄村' })])
    const homes = await cliJson<Array<{ id: string, gridId: string, villageId: string, label: string }>>(dataDir, ['home', 'list', '--village', place.villageId])
    expect(homes).toEqual([expect.objectContaining({ id: place.homeId, gridId: place.gridId, label: '山下庄 12号' })])
  })

  it('registers a sensor and a hub with a 256-bit secret and their MQTT credentials', () => {
    for (const [c, kind] of [[sensor, 'sensor'], [hub, 'hub']] as const) {
      expect(c).toMatchObject({ kind, homeId: place.homeId, mqtt: { clientId: c.id, username: c.id, password: c.secret } })
      expect(c.secret).toMatch(SECRET)
    }
    expect(sensor.secret).not.toBe(hub.secret)
  })

  it('stores only the hash of a secret, never the secret', () => {
    const db = new Database(join(dataDir, 'anju.db'), { readonly: true })
    try {
      const row = db.prepare('SELECT secret_hash AS hash FROM devices WHERE id = ?').get(sensor.id) as { hash: string }
      expect(row.hash).not.toBe(sensor.secret)
      expect(row.hash).toBe(createHash('sha256').update(sensor.secret).digest('hex'))
    } finally {
      db.close()
    }
    // The database, its WAL and anything else in the data dir: the secret's bytes appear nowhere.
    for (const file of readdirSync(dataDir)) {
      const bytes = readFileSync(join(dataDir, file))
      expect(bytes.includes(sensor.secret), file).toBe(false)
      expect(bytes.includes(hub.secret), file).toBe(false)
    }
  })

  it('lists the devices, as JSON and as a table', async () => {
    const devices = await cliJson<Array<{ id: string, kind: string, homeId: string, room: string | null, revokedAt: number | null }>>(dataDir, ['device', 'list', '--home', place.homeId])
    expect(devices.map((d) => d.id).sort()).toEqual([sensor.id, hub.id].sort())
    expect(devices.find((d) => d.id === sensor.id)).toMatchObject({ kind: 'sensor', room: '卧室', revokedAt: null })
    expect(JSON.stringify(devices)).not.toContain(sensor.secret)

    const table = await runCli(dataDir, ['device', 'list'])
    expect(table.code).toBe(0)
    expect(table.stdout).toMatch(/^ID\s+KIND\s+HOME\s+ROOM\s+ONLINE\s+LAST SEEN\s+BATTERY\s+DROPPED/)
    expect(table.stdout).toContain(sensor.id)
  })

  it('shows a person the secret once, with a warning', async () => {
    const res = await runCli(dataDir, ['device', 'add', '--home', place.homeId])
    expect(res.code).toBe(0)
    const secret = /secret\s+(\S+)/.exec(res.stdout)?.[1]
    expect(secret).toMatch(SECRET)
    expect(res.stdout).toMatch(/MQTT password\s+\S{43}/)
    expect(res.stdout).toContain('shown only now')
  })

  it('refuses a malformed id with exit code 2 and a message naming the flag', async () => {
    const res = await runCli(dataDir, ['device', 'add', '--home', 'NOPE'])
    expect(res.code).toBe(2)
    expect(res.stderr).toContain('--home')
    expect(res.stderr).not.toMatch(STACK_FRAME)
    expect(res.stdout).toBe('')
  })

  it('refuses a home that does not exist with exit code 1', async () => {
    const res = await runCli(dataDir, ['device', 'add', '--home', 'nope-home'])
    expect(res.code).toBe(1)
    expect(res.stderr).toContain('home nope-home does not exist')
    expect(res.stderr).not.toMatch(STACK_FRAME)
  })

  it('refuses missing options, bad choices and duplicate ids', async () => {
    const missing = await runCli(dataDir, ['village', 'add'])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('--name')

    const role = await runCli(dataDir, ['contact', 'add', '--home', place.homeId, '--name', '王小明', '--phone', '13800000000', '--role', 'boss'])
    expect(role.code).toBe(2)
    expect(role.stderr).toContain('family')

    const twoScopes = await runCli(dataDir, ['contact', 'add', '--home', place.homeId, '--grid', place.gridId, '--name', '王小明', '--phone', '13800000000', '--role', 'family'])
    expect(twoScopes.code).toBe(2)
    expect(twoScopes.stderr).toContain('exactly one of --home, --grid or --village')

    const duplicate = await runCli(dataDir, ['village', 'add', '--id', place.villageId, '--name', '又一个'])
    expect(duplicate.code).toBe(1)
    expect(duplicate.stderr).toContain(`village ${place.villageId} already exists`)
    for (const res of [missing, role, twoScopes, duplicate]) expect(res.stderr).not.toMatch(STACK_FRAME)
  })

  it('adds a grid worker contact and lists it by grid', async () => {
    const contact = await cliJson<{ id: string, role: string, priority: number }>(dataDir,
      ['contact', 'add', '--grid', place.gridId, '--name', '李网格员', '--phone', '+86 138 0000 0000', '--role', 'grid_worker', '--priority', '1'])
    expect(contact).toMatchObject({ role: 'grid_worker', priority: 1 })
    expect(await cliJson(dataDir, ['contact', 'list', '--grid', place.gridId])).toEqual([expect.objectContaining({ id: contact.id })])
  })

  it('adds and deletes a resident (personal data can be removed)', async () => {
    const resident = await cliJson<{ id: string, birthYear: number }>(dataDir, ['resident', 'add', '--home', place.homeId, '--name', '王奶奶', '--birth-year', '1941'])
    expect(resident.birthYear).toBe(1941)
    expect((await runCli(dataDir, ['resident', 'delete', resident.id])).code).toBe(0)
    expect(await cliJson(dataDir, ['resident', 'list', '--home', place.homeId])).toEqual([])
    const again = await runCli(dataDir, ['resident', 'delete', resident.id])
    expect(again.code).toBe(1)
    expect(again.stderr).toContain('does not exist')
  })

  it('says where the admin token is without printing it', async () => {
    const res = await runCli(dataDir, ['admin-token'])
    expect(res.code).toBe(0)
    expect(res.stdout).toContain(join(dataDir, 'admin-token'))
  })
})
