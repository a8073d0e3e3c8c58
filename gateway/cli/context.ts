// What every command needs: the gateway's own configuration (so ANJU_DATA_DIR, ANJU_CONFIG and
// --data-dir mean what they mean to the gateway) and the same SQLite database, opened per command.
import { existsSync } from 'node:fs'
import type { Command } from 'commander'
import { join, resolve } from 'node:path'
import { systemClock } from '../../src/clock.ts'
import { AnjuError } from '../../src/errors.ts'
import type { Config } from '../config/config-schema.ts'
import { loadConfig } from '../config/load-config.ts'
import { openDatabase } from '../db/open-database.ts'
import { DeviceStore } from '../registry/device-store.ts'
import { PlacesStore } from '../registry/places-store.ts'

/** Options of the `anju` program itself, valid before or after the subcommand. */
export interface GlobalOptions {
  dataDir?: string
}

/** The program's options as seen from any subcommand. */
export const globalsOf = (cmd: Command): GlobalOptions => ({ dataDir: cmd.optsWithGlobals<GlobalOptions>().dataDir })

export interface Stores {
  places: PlacesStore
  devices: DeviceStore
}

export interface CliConfig {
  config: Config
  dataDir: string
}

/** The gateway configuration (the config loader is the only reader of process.env), with --data-dir on top. */
export function cliConfig (globals: GlobalOptions): CliConfig {
  const config = loadConfig()
  if (globals.dataDir !== undefined && globals.dataDir.trim() === '') throw new AnjuError('INVALID_INPUT', '--data-dir: must not be empty')
  return { config, dataDir: resolve(globals.dataDir ?? config.dataDir) }
}

/**
 * Open the gateway database, run `fn`, close it. Provisioning (`create`) may make a new database, so a
 * village can be set up before the gateway first starts; reading from a data dir with no database is an
 * error rather than an empty list, because it almost always means a wrong --data-dir.
 */
export function withStores<T> (globals: GlobalOptions, mode: 'create' | 'existing', fn: (stores: Stores, cli: CliConfig) => T): T {
  const cli = cliConfig(globals)
  if (mode === 'existing' && !existsSync(join(cli.dataDir, 'anju.db'))) {
    throw new AnjuError('NOT_FOUND', `no gateway database in ${cli.dataDir} (set --data-dir or ANJU_DATA_DIR)`)
  }
  const db = openDatabase(cli.dataDir)
  try {
    return fn({ places: new PlacesStore(db, systemClock), devices: new DeviceStore(db, systemClock) }, cli)
  } finally {
    db.close()
  }
}
