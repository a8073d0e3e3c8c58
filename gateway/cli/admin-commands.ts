// `anju admin-token`: where the admin API's bearer token is. The token itself is printed only with
// --show, so it does not end up in a terminal scroll-back or a screen share by accident.
import { existsSync, readFileSync } from 'node:fs'
import type { Command } from 'commander'
import { AnjuError } from '../../src/errors.ts'
import { adminTokenPath } from '../admin-token.ts'
import { cliConfig, globalsOf } from './context.ts'
import { print, printJson } from './output.ts'

export function registerAdminCommands (program: Command): void {
  program.command('admin-token')
    .description('say where the admin API token is (the token itself only with --show)')
    .option('--show', 'print the token itself, alone on one line (for scripts)')
    .option('--json', 'print JSON (with the token only if --show)')
    .action((opts: { show?: boolean, json?: boolean }, cmd: Command) => {
      const { config, dataDir } = cliConfig(globalsOf(cmd))
      const file = adminTokenPath(dataDir)
      // ANJU_ADMIN_TOKEN wins over the file (gateway/admin-token.ts); the file is then never read.
      const source = config.adminToken !== undefined ? 'ANJU_ADMIN_TOKEN' : existsSync(file) ? 'file' : 'none'
      const token = source === 'ANJU_ADMIN_TOKEN' ? config.adminToken : source === 'file' ? readFileSync(file, 'utf8').trim() : undefined
      if (opts.show === true && token === undefined) {
        throw new AnjuError('NOT_FOUND', `no admin token yet: the gateway writes one to ${file} when it first starts (or set ANJU_ADMIN_TOKEN)`)
      }
      if (opts.json === true) return printJson({ source, file, ...(opts.show === true ? { token } : {}) })
      if (opts.show === true) return print(token as string)
      if (source === 'ANJU_ADMIN_TOKEN') print(`the admin token is set by ANJU_ADMIN_TOKEN (the file ${file} is not used)`)
      else if (source === 'file') print(`the admin token is in ${file}\n(print it with: anju admin-token --show)`)
      else print(`no admin token yet: the gateway writes one to ${file} when it first starts`)
    })
}
