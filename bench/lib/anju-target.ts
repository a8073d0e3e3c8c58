// Benchmark target "anju": the full gateway as `npm start` builds it (auth, ACL, token bucket, zod
// validation, ingest, telemetry recorder, embedded store, alerts, HTTP), in a process of its own, with
// N sensors registered directly in the registry. "Ingested" = anju_messages_in_total for status and
// motion reports; "persisted" = activity rows (rising edges) found in telemetry.db after a flush.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { build } from '../../gateway/build.ts'
import { parseConfig } from '../../gateway/config/load-config.ts'
import { reportCrashes, serveTarget, targetOptions } from './target-child.ts'

reportCrashes()
const options = targetOptions()
const dataDir = mkdtempSync(join(tmpdir(), 'anju-bench-'))
const mqtt = {
  host: '127.0.0.1', port: 0,
  ...(options.ratePerSecond !== undefined ? { ratePerSecond: options.ratePerSecond } : {}),
  ...(options.rateBurst !== undefined ? { rateBurst: options.rateBurst } : {})
}
const gw = await build(parseConfig({ dataDir, logLevel: 'silent', http: { host: '127.0.0.1', port: 0 }, mqtt }))

// Two sensors per home, as in a village; registered in one transaction (seconds, not minutes).
const village = gw.places.createVillage({ name: 'bench' })
const grid = gw.places.createGrid({ villageId: village.id, name: 'g' })
const creds: Array<{ id: string, secret: string }> = []
gw.db.transaction(() => {
  for (let h = 0; creds.length < options.devices; h++) {
    const home = gw.places.createHome({ gridId: grid.id, label: `bench ${h}` })
    for (let s = 0; s < 2 && creds.length < options.devices; s++) {
      const c = gw.devices.register('sensor', { homeId: home.id })
      creds.push({ id: c.id, secret: c.secret })
    }
  }
})()

const sensorReportsIn = async (): Promise<number> =>
  (await gw.metrics.messagesIn.get()).values.filter((v) => v.labels.type === 'status' || v.labels.type === 'motion').reduce((n, v) => n + v.value, 0)
const edges = async (): Promise<number> => (await gw.metrics.activity.get()).values.reduce((n, v) => n + v.value, 0)

const notes = [`token bucket ${gw.config.mqtt.ratePerSecond}/s, burst ${gw.config.mqtt.rateBurst} per device${options.ratePerSecond !== undefined ? ' (raised for the benchmark; the bucket still runs per message)' : ' (defaults)'}`]
serveTarget({ type: 'ready', url: gw.urls.mqtt, creds, extraPids: [], notes }, {
  count: async () => ({ ingested: await sensorReportsIn(), samples: [] }),
  async finish () {
    await gw.telemetry.flush()
    // Count in the file itself, not what the store says it wrote: "persisted" is checked, not assumed.
    // Every rising edge must be an activity row. (Status heartbeats are sampled by design, a point per
    // device per minute or on a change: telemetry-recorder.ts; their count says nothing about loss.)
    const db = new Database(join(dataDir, 'telemetry.db'), { readonly: true })
    const row = db.prepare('SELECT count(*) AS n FROM activity').get() as { n: number }
    db.close()
    return {
      persisted: row.n,
      details: { edges: await edges(), storeStats: gw.telemetry.stats(), droppedByReason: Object.fromEntries((await gw.metrics.dropped.get()).values.filter((v) => v.value > 0).map((v) => [v.labels.reason, v.value])) }
    }
  },
  async stop () {
    await gw.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
})
