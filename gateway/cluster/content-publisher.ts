// On the admin node of a cluster (an embedded gateway with ANJU_CLUSTER_POSTGRES_URL set): what clerks
// publish in its console — notices, broadcasts, finance statements, screens paired or revoked — reaches the
// workers' screens without anyone running a command. Every such write is audited in the same SQLite
// transaction, so a new audit_log row is the cheap sign that content changed (also for writes by the CLI,
// another process); the publisher then pushes the content tables (content-sync.ts). An unreachable
// PostgreSQL never stops the admin node: the push is retried on the next tick.
import pg from 'pg'
import type { Db } from '../db/open-database.ts'
import type { Logger } from '../logger.ts'
import type { Closer } from '../uplink.ts'
import { pushContent } from './pg/content-sync.ts'
import { migratePostgres } from './pg/pg-schema.ts'

/** An emergency broadcast reaches the workers' screens within about this long after the clerk sends it. */
const POLL_MS = 1000

export interface ContentPublisherOptions {
  postgresUrl: string
  db: Db
  log: Logger
  pollMs?: number
}

export function startContentPublisher (options: ContentPublisherOptions): Closer {
  const { db, log } = options
  const pool = new pg.Pool({ connectionString: options.postgresUrl, max: 2 })
  pool.on('error', (err) => log.warn({ err }, 'cluster PostgreSQL connection lost'))
  const lastAudit = db.prepare('SELECT COALESCE(MAX(id), 0) AS id FROM audit_log')
  let migrated = false
  let pushed: number | null = null
  let failing = false
  let running: Promise<void> = Promise.resolve()

  const tick = async (): Promise<void> => {
    const { id } = lastAudit.get() as { id: number }
    if (id === pushed) return
    try {
      if (!migrated) { await migratePostgres(pool); migrated = true }
      const counts = await pushContent(pool, db)
      pushed = id
      if (failing) log.info('content push to the cluster works again')
      failing = false
      log.debug({ counts }, 'content pushed to the cluster')
    } catch (err) {
      // Once per outage, not once a second.
      if (!failing) log.error({ err }, 'content push to the cluster failed; retrying')
      failing = true
    }
  }
  const timer = setInterval(() => { running = running.then(tick) }, options.pollMs ?? POLL_MS)
  timer.unref()
  running = running.then(tick)
  return {
    name: 'cluster content publisher',
    close: async () => {
      clearInterval(timer)
      await running
      await pool.end()
    }
  }
}
