// `anju finance verify --village <id>`: re-hash the village's published finance statements (the same
// check as GET /console/api/finance/chain) straight from the database, so a village supervisor can run
// it on the gateway machine without an account. Exit code 1 when the chain is broken, naming where.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Command } from 'commander'
import { AnjuError } from '../../src/errors.ts'
import { verifyChain } from '../content/finance-chain.ts'
import { openDatabase } from '../db/open-database.ts'
import { cliConfig, globalsOf } from './context.ts'
import { clean, print, printJson } from './output.ts'

export function registerFinanceCommands (program: Command): void {
  const finance = program.command('finance').description('finance disclosure (财务公开) statements')
  finance.command('verify')
    .description('check that no published finance figure was altered after publication (hash chain)')
    .requiredOption('--village <id>', 'the village')
    .option('--json', 'print JSON')
    .action((opts: { village: string, json?: boolean }, cmd: Command) => {
      const cli = cliConfig(globalsOf(cmd))
      if (!existsSync(join(cli.dataDir, 'anju.db'))) throw new AnjuError('NOT_FOUND', `no gateway database in ${cli.dataDir} (set --data-dir or ANJU_DATA_DIR)`)
      const db = openDatabase(cli.dataDir)
      try {
        const village = db.prepare('SELECT name FROM villages WHERE id = ?').get(opts.village) as { name: string } | undefined
        if (village === undefined) throw new AnjuError('NOT_FOUND', `village ${opts.village} does not exist`)
        const report = verifyChain(db, opts.village)
        if (opts.json === true) printJson({ villageId: opts.village, ...report })
        else if (report.ok) print(`ok: ${report.checked} published statement(s) of ${clean(village.name)} verified`)
        else {
          const bad = db.prepare('SELECT title, period_start AS periodStart, revision FROM finance_statements WHERE id = ?')
            .get(report.firstBadId) as { title: string, periodStart: string, revision: number } | undefined
          const what = bad === undefined ? '' : ` (${clean(bad.title)}, ${bad.periodStart}, revision ${bad.revision})`
          print(`FAILED: statement ${report.firstBadId ?? '?'}${what} does not match what was published; ${report.checked} checked`)
        }
        if (!report.ok) process.exitCode = 1
      } finally {
        db.close()
      }
    })
}
