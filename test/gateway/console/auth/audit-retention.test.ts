// The nightly retention job prunes the audit log: sign-in rows (they hold the client's IP address) after
// 90 days, everything else after 730, by default; newer rows stay.
import { afterEach, expect, it } from 'vitest'
import { startGateway, type TestGateway } from '../../../helpers/start-gateway.ts'

let gw: TestGateway | undefined
afterEach(async () => { await gw?.stop(); gw = undefined })

it('deletes sign-in rows after 90 days and other audit rows after 730 in the nightly retention run', async () => {
  gw = await startGateway()
  const now = Date.now()
  const day = 86_400_000
  const insert = gw.db.prepare("INSERT INTO audit_log (at, actor, action, entity, entity_id, detail) VALUES (?, 'user:u1', ?, 'user', 'u1', ?)")
  insert.run(now - 100 * day, 'login', JSON.stringify({ ip: '10.0.0.7' }))
  insert.run(now - 10 * day, 'login', JSON.stringify({ ip: '10.0.0.8' }))
  insert.run(now - 100 * day, 'approve', null)
  insert.run(now - 800 * day, 'approve', null)
  const before = gw.db.prepare('SELECT COUNT(*) AS n FROM audit_log').get() as { n: number }

  await gw.notify.schedules.retention()

  const left = gw.db.prepare("SELECT action, detail FROM audit_log WHERE actor = 'user:u1' ORDER BY at").all() as Array<{ action: string, detail: string | null }>
  expect(left).toEqual([{ action: 'approve', detail: null }, { action: 'login', detail: JSON.stringify({ ip: '10.0.0.8' }) }])
  const after = gw.db.prepare('SELECT COUNT(*) AS n FROM audit_log').get() as { n: number }
  expect(before.n - after.n).toBe(2)
})
