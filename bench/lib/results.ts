// bench/results/bench.json: one object per scenario, each with the gateway's figures, the peers' figures
// and the ratios beside them, plus the machine the run was on. Scenarios run as separate processes and
// each merges its own entry, so a run of one scenario keeps the others' last figures.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { fileURLToPath } from 'node:url'

export const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url))
const BENCH_JSON = fileURLToPath(new URL('../results/bench.json', import.meta.url))

export interface Machine { cores: number, cpu: string, memoryGb: number, node: string, loadAvg1m: number }

export function machine (): Machine {
  const load = Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0])
  return { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version, loadAvg1m: load }
}

/** Print the machine line every benchmark starts with (the issue asks for the core count printed). */
export function printMachine (): void {
  const m = machine()
  console.log(`machine: ${m.cores} cores (${m.cpu}), ${m.memoryGb} GB, Node ${m.node}, load ${m.loadAvg1m}`)
}

/** Merge one scenario's figures into bench.json; `figures` should hold anju, peers and ratios. */
export function recordScenario (name: string, figures: Record<string, unknown>): void {
  mkdirSync(RESULTS_DIR, { recursive: true })
  const current = existsSync(BENCH_JSON) ? JSON.parse(readFileSync(BENCH_JSON, 'utf8')) as { scenarios?: Record<string, unknown> } : {}
  const scenarios = { ...(current.scenarios ?? {}), [name]: { date: new Date().toISOString(), machine: machine(), ...figures } }
  writeFileSync(BENCH_JSON, JSON.stringify({ scenarios }, null, 2) + '\n')
  console.log(`recorded scenario "${name}" in bench/results/bench.json`)
}
