// Village content and screens in cluster mode, on a real PostgreSQL: what clerks publish on the admin
// node's SQLite reaches a worker's replica unchanged (the TV shows it, the finance chain still verifies,
// a paired screen's token opens it there); after a later push only the changed village's screens are
// told, an emergency broadcast takes over and lets go as on the admin node, and a screen revoked on the
// admin node is cut off on the worker.
import Database from 'better-sqlite3'
import pg from 'pg'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import { startClusterPublisher } from '../../gateway/cluster/cluster-publisher.ts'
import { CONTENT_TABLES, loadContent, pushContent, watchContent } from '../../gateway/cluster/pg/content-sync.ts'
import { migratePostgres } from '../../gateway/cluster/pg/pg-schema.ts'
import { loadRegistry, pushRegistry } from '../../gateway/cluster/pg/registry-sync.ts'
import { ContentService, type ContentChange } from '../../gateway/content/content-service.ts'
import type { Db } from '../../gateway/db/open-database.ts'
import { createLogger } from '../../gateway/logger.ts'
import { PlacesStore } from '../../gateway/registry/places-store.ts'
import { ScreenStore } from '../../gateway/tv/screen-store.ts'
import { dumpTables, tempDatabase } from './replica-fixtures.ts'
import { describeWithPostgres, startPostgres, type Postgres } from '../helpers/postgres.ts'

let now = Date.UTC(2024, 4, 1, 2, 0)
const clock = { now: () => now }
const KEYS: Record<string, string> = { finance_entries: 'statement_id, seq' }

const cleanup: Array<() => Promise<void> | void> = []
afterEach(async () => { for (const close of cleanup.splice(0).reverse()) await close() })

const sqlite = (): Db => tempDatabase(cleanup, 'pg-content')

const dump = (db: Db): Record<string, unknown[]> => dumpTables(db, CONTENT_TABLES, KEYS)

/** Two villages; the first with a notice, a care visit, a published finance statement and a paired home screen. */
function publish (db: Db): { token: string, screenId: string, statementId: string } {
  const places = new PlacesStore(db, clock)
  places.createVillage({ id: 'v-1', name: '山下庄村' })
  places.createVillage({ id: 'v-2', name: '河东村' })
  places.createGrid({ id: 'g-1', villageId: 'v-1', name: '第一网格' })
  places.createHome({ id: 'h-1', gridId: 'g-1', label: '山下庄 12号' })
  const content = new ContentService(db, clock)
  content.notices.create({ villageId: 'v-1', category: 'party', title: '主题党日活动通知', body: '本周五上午九点在村委会。', images: [], priority: 'normal', by: 'clerk-1' })
  content.notices.create({ villageId: 'v-2', category: 'health', title: '老年人免费体检', body: '请带身份证。', images: [], priority: 'normal', by: 'clerk-2' })
  content.careVisits.create({ villageId: 'v-1', startsAt: now + 86_400_000, team: '镇卫生院', place: '村卫生室', services: '量血压', by: 'clerk-1' })
  const draft = content.finance.create({ villageId: 'v-1', periodKind: 'month', periodStart: '2024-04-01', periodEnd: '2024-04-30', title: '2024年4月财务公开', by: 'clerk-1' })
  content.finance.setEntries(draft.id, [
    { date: '2024-04-03', voucherNo: '记-001', accountCode: '501', accountName: '经营收入', summary: '鱼塘承包费', income: 1_250_000, expense: 0, handler: '李会计', approver: '王书记' },
    { date: '2024-04-10', voucherNo: '记-002', accountCode: '541', accountName: '管理费用', summary: '办公用品', income: 0, expense: 32_050, handler: '李会计', approver: '王书记' }
  ], 'clerk-1', false)
  content.review.submit(draft.id, 'clerk-1')
  content.review.approve(draft.id, 'reviewer-1')
  const screens = new ScreenStore(db, clock)
  const { code, pairingId } = screens.pairings.start('127.0.0.1')
  const screen = screens.pair({ code, homeId: 'h-1', by: 'clerk-1' })
  content.close()
  return { token: screens.pairings.status(pairingId).token ?? '', screenId: screen.id, statementId: draft.id }
}

async function until (check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describeWithPostgres('village content and screens in PostgreSQL', () => {
  let server: Postgres
  let pool: pg.Pool

  beforeAll(async () => {
    server = await startPostgres()
    pool = new pg.Pool({ connectionString: server.url, max: 4 })
    await migratePostgres(pool)
  })
  afterAll(async () => {
    await pool?.end()
    await server?.stop()
  })

  /** The admin node's database as publish() leaves it, pushed, and a worker's replica loaded from it. */
  async function replicated (): Promise<ReturnType<typeof publish> & { admin: Db, worker: Db }> {
    const admin = sqlite()
    const published = publish(admin)
    await pushRegistry(pool, admin)
    await pushContent(pool, admin)
    const worker = sqlite()
    await loadRegistry(pool, worker)
    await loadContent(pool, worker)
    return { ...published, admin, worker }
  }

  it('a worker\'s replica shows what the admin node published, and the screen paired there opens it', async () => {
    const admin = sqlite()
    const { token, statementId } = publish(admin)
    await pushRegistry(pool, admin)
    const counts = await pushContent(pool, admin)
    expect(counts).toMatchObject({ notices: 2, care_visits: 1, finance_statements: 1, finance_entries: 2, screens: 1 })

    const worker = sqlite()
    await loadRegistry(pool, worker)
    const loaded = await loadContent(pool, worker)
    expect(dump(worker)).toEqual(dump(admin))
    expect(loaded.changedVillages).toEqual(new Set(['v-1', 'v-2']))

    const content = new ContentService(worker, clock)
    cleanup.push(() => content.close())
    const tv = content.tvContent('v-1', 'g-1')
    expect(tv.notices.map((n) => n.title)).toEqual(['主题党日活动通知'])
    expect(tv.careVisits).toHaveLength(1)
    expect(tv.statements.map((s) => s.id)).toEqual([statementId])
    expect(content.verifyChain('v-1').ok).toBe(true)
    expect(new ScreenStore(worker, clock).authenticate(token).homeId).toBe('h-1')
  })

  it('a later push tells only the changed village\'s screens, with the broadcast taking over and letting go', async () => {
    const { admin, worker } = await replicated()
    const replica = new ContentService(worker, clock)
    cleanup.push(() => replica.close())
    const told: ContentChange[] = []
    replica.onChange((c) => told.push(c))
    // What the worker does on each push (gateway/cluster/worker-tv.ts).
    const reload = async (): Promise<void> => {
      const before = replica.activeBroadcastIds()
      replica.reloaded((await loadContent(pool, worker)).changedVillages, before)
    }

    const published = new ContentService(admin, clock)
    cleanup.push(() => published.close())
    const typhoon = published.broadcasts.start({ villageId: 'v-1', kind: 'typhoon', title: '台风预警', body: '请勿外出，关好门窗。', confirm: true, by: 'clerk-1' })
    await pushContent(pool, admin)
    await reload()
    expect(told).toEqual([
      { villageId: 'v-1', kind: 'broadcast', broadcast: expect.objectContaining({ id: typhoon.id, title: '台风预警' }) },
      { villageId: 'v-1', kind: 'content' }
    ])
    expect(replica.tvContent('v-1', null).broadcast?.id).toBe(typhoon.id)

    told.length = 0
    published.broadcasts.end(typhoon.id, 'clerk-1')
    await pushContent(pool, admin)
    await reload()
    expect(told).toEqual([{ villageId: 'v-1', kind: 'broadcast_end', id: typhoon.id }, { villageId: 'v-1', kind: 'content' }])
    expect(replica.tvContent('v-1', null).broadcast).toBeNull()

    // Nothing changed: nobody is told.
    told.length = 0
    await pushContent(pool, admin)
    await reload()
    expect(told).toEqual([])
  })

  it('a screen revoked on the admin node is cut off on the worker, and its token stops working there', async () => {
    const { admin, worker, token, screenId } = await replicated()
    const screens = new ScreenStore(worker, clock)
    const cut: string[] = []
    screens.onRevoke((id) => cut.push(id))
    const live = screens.list().filter((s) => s.revokedAt === null).map((s) => s.id)

    now += 60_000
    new ScreenStore(admin, clock).revoke(screenId, 'clerk-1')
    await pushContent(pool, admin)
    await loadContent(pool, worker)
    expect(screens.reloaded(live)).toBe(1)
    expect(cut).toEqual([screenId])
    expect(() => screens.authenticate(token)).toThrow(expect.objectContaining({ code: 'SCREEN_REVOKED' }))
  })

  it('the admin node publishes by itself: its own writes and the CLI\'s reach PostgreSQL without a command', async () => {
    const admin = sqlite()
    publish(admin)
    const publisher = startClusterPublisher({ postgresUrl: server.url, db: admin, log: createLogger('silent'), pollMs: 50 })
    cleanup.push(async () => { await publisher.close() })
    const titles = async (): Promise<string[]> => (await pool.query<{ title: string }>("SELECT title FROM notices WHERE village_id = 'v-2' ORDER BY title")).rows.map((r) => r.title)
    const homes = async (): Promise<string[]> => (await pool.query<{ label: string }>('SELECT label FROM homes ORDER BY label')).rows.map((r) => r.label)
    await until(async () => (await titles()).length === 1, 'the first push')
    expect(await titles()).toEqual(['老年人免费体检'])
    expect(await homes()).toEqual(['山下庄 12号'])

    // A clerk publishes in the console (this process)...
    const content = new ContentService(admin, clock)
    cleanup.push(() => content.close())
    content.notices.create({ villageId: 'v-2', category: 'safety', title: '冬季防火', body: '不要在屋里烧炭取暖。', images: [], priority: 'high', by: 'clerk-2' })
    await until(async () => (await titles()).length === 2, 'the notice pushed')
    // ...and an installer registers a home with the CLI (another process, another connection).
    const cli = new Database(admin.name)
    cleanup.push(() => { cli.close() })
    new PlacesStore(cli, clock).createHome({ id: 'h-2', gridId: 'g-1', label: '山下庄 14号' })
    await until(async () => (await homes()).length === 2, 'the CLI\'s home pushed')
    expect(await homes()).toEqual(['山下庄 12号', '山下庄 14号'])
  })

  it('wakes a watching worker after a push', async () => {
    const admin = sqlite()
    publish(admin)
    await pushRegistry(pool, admin)
    let woken = 0
    const stop = await watchContent(server.url, () => { woken++ }, { debounceMs: 10 })
    cleanup.push(stop)
    await pushContent(pool, admin)
    const deadline = Date.now() + 10_000
    while (woken === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
    expect(woken).toBeGreaterThan(0)
  })
})
