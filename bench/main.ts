// `npm run bench [-- <scenario>... ] [--quick]`: the issue 7 benchmarks, each scenario in its own process
// one after the other (never two at once: they share 2 cores). Each scenario prints its table and merges
// its figures into bench/results/bench.json; this runner prints a one-line summary per scenario at the end.
// --quick runs a short version of each (for a smoke check; its figures are not the ones to quote).
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { printMachine } from './lib/results.ts'

const SCENARIOS = ['ingest', 'connections', 'reconnect', 'alerts', 'fanout', 'telemetry'] as const
const args = process.argv.slice(2)
const flags = args.filter((a) => a.startsWith('--'))
const chosen = args.filter((a) => !a.startsWith('--'))
const unknown = chosen.filter((name) => !(SCENARIOS as readonly string[]).includes(name))
if (unknown.length > 0) {
  console.error(`unknown scenario ${unknown.join(', ')}; choose from ${SCENARIOS.join(', ')}`)
  process.exit(2)
}
const run = chosen.length > 0 ? chosen : [...SCENARIOS]

printMachine()
const failed: string[] = []
for (const name of run) {
  const script = fileURLToPath(new URL(`./scenarios/${name}.ts`, import.meta.url))
  console.log(`\n== scenario ${name}`)
  const started = performance.now()
  const child = spawnSync(process.execPath, ['--import', 'tsx', script, ...flags], { stdio: 'inherit' })
  console.log(`== ${name}: ${child.status === 0 ? 'done' : `FAILED (exit ${String(child.status ?? child.signal)})`} in ${Math.round((performance.now() - started) / 1000)} s`)
  if (child.status !== 0) failed.push(name)
}

const benchJson = fileURLToPath(new URL('./results/bench.json', import.meta.url))
if (existsSync(benchJson)) {
  const { scenarios } = JSON.parse(readFileSync(benchJson, 'utf8')) as { scenarios: Record<string, { summary?: string }> }
  console.log('\nsummary (bench/results/bench.json):')
  for (const name of run) console.log(`  ${name}: ${scenarios[name]?.summary ?? '(no figures recorded)'}`)
}
if (failed.length > 0) {
  console.error(`failed: ${failed.join(', ')}`)
  process.exit(1)
}
