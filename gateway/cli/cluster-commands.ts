// `anju cluster push-registry`: publish this gateway's registry (villages, grids, homes, residents,
// contacts, devices, contact channels) to the cluster's PostgreSQL, where every worker's replica reloads
// it (docs/cluster.md). The embedded database stays the place clerks provision; this copies it over whole.
// A running admin node (ANJU_CLUSTER_POSTGRES_URL set) does this by itself within a second of a write;
// the command is for a registry kept without one.
//
// `anju cluster worker-login`: create or update the gateway workers' own login in Mosquitto's dynamic
// security (ANJU_DYNSEC_URL), with the role that reads every uplink and sends config downlinks and MQTT
// push (mosquitto-dynsec.ts workerAcls). Run it when workers are first deployed and after an upgrade that
// changes their ACL: a role made before MQTT push existed lacks its rule, and Mosquitto then acknowledges
// and drops every push. Changing the login disconnects the workers once; they reconnect by themselves.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Command } from 'commander'
import pg from 'pg'
import { AnjuError } from '../../src/errors.ts'
import { createDynsecProvisioner, WORKER_ROLE } from '../cluster/mosquitto-dynsec.ts'
import { migratePostgres } from '../cluster/pg/pg-schema.ts'
import { pushRegistry } from '../cluster/pg/registry-sync.ts'
import { openDatabase } from '../db/open-database.ts'
import { createLogger } from '../logger.ts'
import { cliConfig, globalsOf } from './context.ts'
import { print, printJson } from './output.ts'

export function registerClusterCommands (program: Command): void {
  const cluster = program.command('cluster').description('cluster mode (docs/cluster.md)')
  cluster.command('push-registry')
    .description('copy this gateway\'s registry to the cluster\'s PostgreSQL (ANJU_CLUSTER_POSTGRES_URL); workers reload it at once')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const { config, dataDir } = cliConfig(globalsOf(cmd))
      const url = config.cluster.postgresUrl
      if (url === undefined) throw new AnjuError('INVALID_INPUT', 'set ANJU_CLUSTER_POSTGRES_URL to the cluster\'s PostgreSQL')
      if (!existsSync(join(dataDir, 'anju.db'))) throw new AnjuError('NOT_FOUND', `no gateway database in ${dataDir} (set --data-dir or ANJU_DATA_DIR)`)
      const db = openDatabase(dataDir)
      const pool = new pg.Pool({ connectionString: url, max: 2 })
      try {
        await migratePostgres(pool)
        const counts = await pushRegistry(pool, db)
        if (opts.json === true) printJson(counts)
        else print(Object.entries(counts).map(([table, n]) => `${table}: ${n}`).join('\n'))
      } finally {
        db.close()
        await pool.end()
      }
    })
  cluster.command('worker-login')
    .description('create or update the workers\' login and role in Mosquitto\'s dynamic security (ANJU_DYNSEC_URL, ANJU_DYNSEC_PASSWORD, ANJU_CLUSTER_BROKER_USERNAME, ANJU_CLUSTER_BROKER_PASSWORD)')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const { config } = cliConfig(globalsOf(cmd))
      const { brokerUsername, brokerPassword } = config.cluster
      if (config.dynsec.url === undefined || config.dynsec.password === undefined) throw new AnjuError('INVALID_INPUT', 'set ANJU_DYNSEC_URL and ANJU_DYNSEC_PASSWORD (the plugin admin\'s login)')
      if (brokerPassword === undefined || brokerPassword === '') throw new AnjuError('INVALID_INPUT', 'set ANJU_CLUSTER_BROKER_PASSWORD (the workers\' broker password)')
      const provisioner = createDynsecProvisioner(config.dynsec, createLogger(config.logLevel)) as NonNullable<ReturnType<typeof createDynsecProvisioner>>
      try {
        await provisioner.ensureWorkerRole(brokerUsername, brokerPassword)
      } finally {
        await provisioner.close()
      }
      if (opts.json === true) printJson({ username: brokerUsername, role: WORKER_ROLE })
      else print(`worker login ${brokerUsername} ensured in Mosquitto's dynamic security`)
    })
}
