// A worker process of `npm run sim -- --workers <n>`: runs one shard of the village and reports its
// counters to the parent over IPC once a second. One Node process tops out at some thousands of MQTT
// clients and messages a second; several processes let the load generator outrun the gateway.
import { readDevicesFile } from './devices-file.ts'
import { startSimulation, type RunOptions, type SimRun } from './run-sim.ts'
import type { SimStats } from './stats.ts'

export type WorkerOptions = Omit<RunOptions, 'log' | 'quiet'>
export type ToWorker = { type: 'start', devicesFile: string, options: WorkerOptions } | { type: 'stop' }
export type StatsSnapshot = Pick<SimStats, 'sent' | 'connected' | 'clients' | 'connects' | 'lost' | 'refused'>
export type FromWorker =
  | { type: 'log', line: string }
  | { type: 'stats', stats: StatsSnapshot }
  | { type: 'failed', message: string }

const send = (msg: FromWorker): void => { if (process.connected) process.send?.(msg) }
const snapshot = (s: SimStats): StatsSnapshot => ({ sent: { ...s.sent }, connected: s.connected, clients: s.clients, connects: s.connects, lost: s.lost, refused: s.refused })

let run: SimRun | undefined
let timer: NodeJS.Timeout | undefined
let stopping = false

async function stop (): Promise<void> {
  if (stopping) return
  stopping = true
  clearInterval(timer)
  await run?.stop()
  if (run !== undefined) send({ type: 'stats', stats: snapshot(run.stats) })
  if (process.connected) process.disconnect?.()
  process.exit(0)
}

process.on('message', (msg: ToWorker) => {
  if (msg.type === 'stop') { void stop(); return }
  const log = (line: string): void => send({ type: 'log', line })
  startSimulation(readDevicesFile(msg.devicesFile), { ...msg.options, quiet: true, log })
    .then((started) => {
      run = started
      timer = setInterval(() => send({ type: 'stats', stats: snapshot(started.stats) }), 1000)
    })
    .catch((err: unknown) => {
      send({ type: 'failed', message: err instanceof Error ? err.message : String(err) })
      process.exit(1)
    })
})
// The parent went away (crash, kill -9): do not linger as an orphan holding connections.
process.on('disconnect', () => { void stop() })
// Ctrl-C in a terminal reaches the whole process group; the parent coordinates the stop.
process.on('SIGINT', () => {})
