// The InfluxDB side of Anju's telemetry schema, created at start-up when missing (every statement is
// idempotent or guarded by a SHOW, so a restart or a second gateway changes nothing).
//
//   database <database>                  (config: telemetry.influx.database, e.g. "anju")
//   retention policy anju_raw             DURATION <retentionDays>d, DEFAULT: every raw point goes here
//     activity       tags village, home, device          fields motion=1i, src="device"|"gateway", home_f="<home id>"
//     device_health  tags village, home, device, kind    fields online (bool), battery, rssi, linkquality (float), any subset
//   retention policy anju_rollup          DURATION 1825d (5 years)
//     activity_1h    tags village, home                  fields events (int): activity events per home per hour
//   continuous query anju_activity_1h     fills anju_rollup.activity_1h from anju_raw.activity every hour,
//                                          recomputing the last 2 days (RESAMPLE FOR 2d) so points replayed
//                                          from the spool after an outage still reach the rollup
//
// Tags are registry ids only (bounded cardinality: village x home x device, a few per home; no names).
// home_f duplicates the home tag as a field because InfluxQL's count(distinct()) works on fields only
// (villageActivity's "distinct active homes"). A point is measurement + tags + ms time, so a batch that
// is written twice (a spool replay after an ambiguous timeout) is stored once.
//
// An outage longer than 2 days leaves the rollup short for its hours (the raw points are complete until
// their retention ends); re-run the CQ's SELECT ... INTO with a WHERE time range by hand to backfill.
//
// Retention: raw points older than retentionDays are dropped by InfluxDB itself, and a write of a point
// older than that is refused (400 "points beyond retention policy"). retentionDays 0 keeps raw points
// forever (INF). The rollup is what survives for long-term trends; deleteHome drops both.
import { quoteIdent, type InfluxHttp } from './influx-http.ts'
import { RAW_RP, ROLLUP_CQ, ROLLUP_DAYS, ROLLUP_RP } from './influx-queries.ts'

/** How far back each hourly run of the rollup query recomputes. */
const ROLLUP_RESAMPLE = '2d'

export async function ensureSchema (http: InfluxHttp, database: string, retentionDays: number): Promise<void> {
  const db = quoteIdent(database)
  const rawDuration = retentionDays > 0 ? `${Math.trunc(retentionDays)}d` : 'INF'
  await http.query(`CREATE DATABASE ${db}`, { database: false })

  const [policies = []] = await http.query(`SHOW RETENTION POLICIES ON ${db}`, { database: false })
  const names = new Set((policies[0]?.values ?? []).map((row) => row[0]))
  // ALTER when it exists: a changed retentionDays in the config takes effect at the next start.
  await http.query(names.has(RAW_RP)
    ? `ALTER RETENTION POLICY ${quoteIdent(RAW_RP)} ON ${db} DURATION ${rawDuration} DEFAULT`
    : `CREATE RETENTION POLICY ${quoteIdent(RAW_RP)} ON ${db} DURATION ${rawDuration} REPLICATION 1 DEFAULT`, { database: false })
  if (!names.has(ROLLUP_RP)) {
    await http.query(`CREATE RETENTION POLICY ${quoteIdent(ROLLUP_RP)} ON ${db} DURATION ${ROLLUP_DAYS}d REPLICATION 1`, { database: false })
  }

  // SHOW CONTINUOUS QUERIES lists every database as one series (name = database, rows [name, query]).
  const [cqs = []] = await http.query('SHOW CONTINUOUS QUERIES', { database: false })
  const ours = cqs.find((s) => s.name === database)?.values?.some((row) => row[0] === ROLLUP_CQ) ?? false
  if (!ours) {
    await http.query(
      `CREATE CONTINUOUS QUERY ${quoteIdent(ROLLUP_CQ)} ON ${db} RESAMPLE EVERY 1h FOR ${ROLLUP_RESAMPLE} BEGIN ` +
      `SELECT count(motion) AS events INTO ${db}.${quoteIdent(ROLLUP_RP)}."activity_1h" FROM ${db}.${quoteIdent(RAW_RP)}."activity" ` +
      'GROUP BY time(1h), village, home END', { database: false })
  }
}

