// The embedded gateway as the admin node of a cluster (ANJU_CLUSTER_POSTGRES_URL set): clerks register
// devices, publish content and answer alerts in its console, while the devices report to the cluster's
// broker and the workers run the ladders. So here:
//   - its own alert engine is not started: it would see no motion (the devices are not connected to it)
//     and open an inactivity alert for every home, calling families beside the workers;
//   - its 每日平安 job sends nothing (the workers send it, each for its own partitions);
//   - the console and acknowledge links act on the cluster's alerts: read from PostgreSQL, actions routed
//     to the home's owner through Redis (cluster-alert-desk.ts), which needs ANJU_CLUSTER_REDIS_URL;
//   - the registry, content and screens are pushed to the workers' replicas as they change
//     (cluster-publisher.ts).
import { Redis } from 'ioredis'
import pg from 'pg'
import { AnjuError } from '../../src/errors.ts'
import type { Clock } from '../../src/clock.ts'
import type { Config } from '../config/config-schema.ts'
import type { Db } from '../db/open-database.ts'
import type { Logger } from '../logger.ts'
import type { Closer } from '../uplink.ts'
import { ClusterAlertDesk } from './cluster-alert-desk.ts'
import { ClusterHouseholdAlerts } from './cluster-tv.ts'
import { startClusterPublisher } from './cluster-publisher.ts'
import type { AlertCommand } from './contracts.ts'
import { partitionOf } from './partitions.ts'
import { PartitionStreams } from './partition-streams.ts'
import { PgAlertLog } from './pg/alert-log.ts'

export interface AdminNode {
  desk: ClusterAlertDesk
  closers: Closer[]
}

export function startAdminNode (deps: { config: Config, postgresUrl: string, db: Db, clock: Clock, log: Logger }): AdminNode {
  const { config, clock } = deps
  const log = deps.log.child({ part: 'cluster' })
  const c = config.cluster
  const closers: Closer[] = []
  const pool = new pg.Pool({ connectionString: deps.postgresUrl, max: 4 })
  pool.on('error', (err) => log.warn({ err }, 'cluster PostgreSQL connection lost'))
  closers.push({ name: 'cluster postgres', close: () => pool.end() })
  closers.push(startClusterPublisher({ postgresUrl: deps.postgresUrl, db: deps.db, log }))

  let route: (homeId: string, command: AlertCommand) => Promise<unknown>
  if (c.redisUrl === undefined) {
    log.warn('ANJU_CLUSTER_REDIS_URL is not set: the console shows the cluster\'s alerts but cannot acknowledge or resolve them')
    route = async () => { throw new AnjuError('CLUSTER_UNREACHABLE', 'set ANJU_CLUSTER_REDIS_URL on this gateway to act on the cluster\'s alerts') }
  } else {
    const redis = new Redis(c.redisUrl, { maxRetriesPerRequest: 2 })
    redis.on('error', (err) => log.warn({ err }, 'cluster Redis connection lost'))
    // Publishing only: nothing is followed, so the reader connection is never used for XREAD.
    const streams = new PartitionStreams({ redis, reader: redis, partitions: c.partitions, retentionMs: c.streamRetentionMs, log })
    closers.push({ name: 'cluster redis', close: async () => { await streams.close(); redis.disconnect() } })
    route = async (homeId, command) => await streams.publish(partitionOf(homeId, c.partitions), { type: 'command', command })
  }
  const alertLog = new PgAlertLog(pool, (homeId) => partitionOf(homeId, c.partitions))
  const household = new ClusterHouseholdAlerts({ alertLog, ladder: { ...config.alerts }, route, clock })
  return { desk: new ClusterAlertDesk({ alertLog, pool, household, route, clock }), closers }
}
