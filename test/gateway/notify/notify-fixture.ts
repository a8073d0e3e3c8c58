// A NotifyService on a real SQLite database in a temp dir, with manual time and captured logs; the
// registry holds one village, grid and home and a family contact `fam-1`.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import type { ConfigInput } from '../../../gateway/config/config-schema.ts'
import { parseConfig } from '../../../gateway/config/load-config.ts'
import { openDatabase, type Db } from '../../../gateway/db/open-database.ts'
import { createLogger } from '../../../gateway/logger.ts'
import { NotifyService, type NotifyDeps } from '../../../gateway/notify/notify-service.ts'
import { PlacesStore } from '../../../gateway/registry/places-store.ts'
import { FakeTime as ManualTime } from '../../helpers/fake-time.ts'

export const T0 = Date.UTC(2024, 4, 1, 2, 0) // 10:00 village time
export const SECRET = 'test-webhook-secret-0123456789abcdef'

export interface NotifyFixture {
  db: Db
  time: ManualTime
  notify: NotifyService
  places: PlacesStore
  logs: Array<Record<string, unknown>>
  dataDir: string
  homeId: string
  /** Stop the service and close the database; the directory stays unless `remove`. */
  close(remove?: boolean): Promise<void>
}

export function openNotify (options: { dataDir?: string, notify?: ConfigInput['notify'], time?: ManualTime, jobs?: NotifyDeps['jobs'], seed?: boolean } = {}): NotifyFixture {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'anju-notify-'))
  const time = options.time ?? new ManualTime(T0)
  const db = openDatabase(dataDir)
  const places = new PlacesStore(db, time)
  if (options.seed !== false) {
    places.createVillage({ id: 'v-1', name: '山下庄村' })
    places.createGrid({ id: 'g-1', villageId: 'v-1', name: '第一网格' })
    places.createHome({ id: 'h-1', gridId: 'g-1', label: '山下庄 12号' })
    places.createContact({ id: 'fam-1', homeId: 'h-1', name: '王小明', phone: '13800000001', role: 'family' })
  }
  const logs: Array<Record<string, unknown>> = []
  const sink = new Writable({ write (chunk: Buffer, _enc, done) { logs.push(JSON.parse(chunk.toString())); done() } })
  const config = parseConfig({ dataDir, notify: { webhookSecret: SECRET, ...options.notify } })
  const notify = new NotifyService({ config: config.notify, db, clock: time, timers: time, random: () => 0.5, log: createLogger('warn', sink), jobs: options.jobs })
  return {
    db, time, notify, places, logs, dataDir, homeId: 'h-1',
    async close (remove = true) {
      await notify.stop()
      db.close()
      if (remove) rmSync(dataDir, { recursive: true, force: true })
    }
  }
}
