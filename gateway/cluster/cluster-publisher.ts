// On the admin node of a cluster (an embedded gateway with ANJU_CLUSTER_POSTGRES_URL set): what clerks
// do in its console and API — register homes, contacts and devices, publish notices, broadcasts and
// finance statements, pair or revoke screens — reaches the workers without anyone running a command.
// Each second it asks SQLite whether anything was written since the last push: total_changes() counts
// this process's writes, PRAGMA data_version moves on writes by other processes (the CLI). If so it
// pushes the registry and the content (registry-sync.ts, content-sync.ts); a push that changes no row
// wakes no worker, so the console's session writes cost the admin node a comparison and nothing more.
// An unreachable PostgreSQL never stops the admin node: the push is retried on the next tick.
import pg from 'pg'
import type { Db } from '../db/open-database.ts'
import type { Logger } from '../logger.ts'
import type { Closer } from '../uplink.ts'
import { pushContent } from './pg/content-sync.ts'
import { migratePostgres } from './pg/pg-schema.ts'
import { pushRegistry } from './pg/registry-sync.ts'

/** An emergency broadcast reaches the workers' screens within about this long after the clerk sends it. */
const POLL_MS = 1000

export interface ClusterPublisherOptions {
  postgresUrl: string
  db: Db
  log: Logger
  pollMs?: number
}

export function startClusterPublisher (options: ClusterPublisherOptions): Closer {
  const { db, log } = options
  const pool = new pg.Pool({ connectionString: options.postgresUrl, max: 2 })
  pool.on('error', (err) => log.warn({ err }, 'cluster PostgreSQL connection lost'))
  const writes = db.prepare('SELECT total_changes() AS n')
  const version = (): string => `${(writes.get() as { n: number }).n}:${String(db.pragma('data_version', { simple: true }))}`
  let migrated = false
  let pushed: string | null = null
  let failing = false
  let running: Promise<void> = Promise.resolve()

  const tick = async (): Promise<void> => {
    const seen = version()
    if (seen === pushed) return
    try {
      if (!migrated) { await migratePostgres(pool); migrated = true }
      // Registry first: content references villages, grids and homes.
      const registry = await pushRegistry(pool, db)
      const content = await pushContent(pool, db)
      pushed = seen
      if (failing) log.info('pushing to the cluster works again')
      failing = false
      log.debug({ registry, content }, 'pushed to the cluster')
    } catch (err) {
      // Once per outage, not once a second.
      if (!failing) log.error({ err }, 'pushing to the cluster failed; retrying')
      failing = true
    }
  }
  const timer = setInterval(() => { running = running.then(tick) }, options.pollMs ?? POLL_MS)
  timer.unref()
  running = running.then(tick)
  return {
    name: 'cluster publisher',
    close: async () => {
      clearInterval(timer)
      await running
      await pool.end()
    }
  }
}
