// `anju`: provisioning CLI of an Anju gateway. It works on the same SQLite database as the gateway (WAL
// lets both run at once) and validates input with the registry schemas the admin HTTP API uses.
// Exit codes: 0 ok, 1 not found / conflict / unreachable gateway / other failure, 2 bad input or usage.
import { readFileSync } from 'node:fs'
import { Command, CommanderError } from 'commander'
import { AnjuError } from '../../src/errors.ts'
import { ConfigError } from '../config/load-config.ts'
import { registerAdminCommands } from './admin-commands.ts'
import { registerClusterCommands } from './cluster-commands.ts'
import { registerDeviceCommands } from './device-commands.ts'
import { registerFinanceCommands } from './finance-commands.ts'
import { registerPlaceCommands } from './place-commands.ts'

const EXIT_FAILURE = 1
const EXIT_USAGE = 2

function version (): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
  return pkg.version
}

export function buildProgram (): Command {
  const program = new Command('anju')
    .description('Provision an Anju (安居) gateway: villages, grids, homes, residents, contacts, sensors and hubs.')
    .version(version())
    .option('--data-dir <dir>', 'the gateway\'s data directory (default: ANJU_DATA_DIR, else ./data)')
    .showHelpAfterError('(add --help for usage)')
    // Commander would exit(1) on usage errors; throwing lets main() give them exit code 2.
    .exitOverride()
  registerPlaceCommands(program)
  registerDeviceCommands(program)
  registerAdminCommands(program)
  registerFinanceCommands(program)
  registerClusterCommands(program)
  return program
}

/** Print an error a person can act on, never a stack trace; return the exit code. */
function report (err: unknown): number {
  if (err instanceof CommanderError) {
    // Commander has already printed its message (or the help / version text).
    return err.exitCode === 0 ? 0 : EXIT_USAGE
  }
  if (err instanceof ConfigError) {
    console.error(`anju: ${err.message}`)
    return EXIT_USAGE
  }
  if (err instanceof AnjuError) {
    const lines = err.message.split('\n')
    console.error(err.code === 'INVALID_INPUT' ? `anju: invalid input:\n  ${lines.join('\n  ')}` : `anju: ${lines.join('\n  ')}`)
    return err.code === 'INVALID_INPUT' ? EXIT_USAGE : EXIT_FAILURE
  }
  const message = err instanceof Error ? err.message : String(err)
  const code = (err as { code?: unknown }).code
  console.error(`anju: ${message}${typeof code === 'string' && !message.includes(code) ? ` (${code})` : ''}`)
  return EXIT_FAILURE
}

try {
  await buildProgram().parseAsync(process.argv)
} catch (err) {
  process.exitCode = report(err)
}
