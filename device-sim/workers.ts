// The parent side of --workers: fork one process per shard of the village (homes with index % n = i),
// forward their log lines, and print one progress line over the sum of their counters.
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { Log } from './run-sim.ts'
import { ProgressReporter, SimStats, type SentKind } from './stats.ts'
import type { FromWorker, StatsSnapshot, ToWorker, WorkerOptions } from './worker.ts'

export interface WorkerPool {
  /** Resolves when every worker has exited. */
  readonly exited: Promise<void>
  stop(): Promise<void>
}

export function startWorkers (devicesFile: string, count: number, options: Omit<WorkerOptions, 'shard'>, log: Log): WorkerPool {
  const latest = new Map<number, StatsSnapshot>()
  const total = new SimStats()
  const sum = (): void => {
    for (const key of Object.keys(total.sent) as SentKind[]) total.sent[key] = 0
    total.connected = total.clients = total.connects = total.lost = total.refused = 0
    for (const s of latest.values()) {
      for (const key of Object.keys(total.sent) as SentKind[]) total.sent[key] += s.sent[key]
      total.connected += s.connected
      total.clients += s.clients
      total.connects += s.connects
      total.lost += s.lost
      total.refused += s.refused
    }
  }
  const realStart = options.realStart ?? Date.now()
  const simNow = (): number => options.start + (Date.now() - realStart) * options.speed
  const progress = new ProgressReporter(total)
  const timer = setInterval(() => {
    if (latest.size === 0) return // no worker has connected its clients yet
    sum()
    log(progress.line(simNow()))
  }, options.progressSeconds * 1000)

  // Forked with the parent's execArgv, so under tsx the worker's TypeScript loads the same way.
  const script = fileURLToPath(new URL('./worker.ts', import.meta.url))
  const children: ChildProcess[] = []
  const exits: Array<Promise<void>> = []
  for (let i = 0; i < count; i++) {
    const child = fork(script, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    children.push(child)
    exits.push(new Promise((resolve) => child.once('exit', (code) => {
      if (code !== 0) log(`[worker ${i}] exited with code ${code}`)
      resolve()
    })))
    child.on('message', (msg: FromWorker) => {
      if (msg.type === 'log') log(`[worker ${i}] ${msg.line}`)
      else if (msg.type === 'stats') latest.set(i, msg.stats)
      else log(`[worker ${i}] failed: ${msg.message}`)
    })
    child.send({ type: 'start', devicesFile, options: { ...options, realStart, shard: { index: i, count } } } satisfies ToWorker)
  }
  const exited = Promise.all(exits).then(() => { clearInterval(timer) })

  let stopping: Promise<void> | undefined
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      for (const child of children) if (child.connected) child.send({ type: 'stop' } satisfies ToWorker)
      // A worker that cannot close its clients in time is killed; the gateway then sees wills.
      const deadline = setTimeout(() => { for (const child of children) if (child.exitCode === null) child.kill('SIGKILL') }, 15_000)
      await exited
      clearTimeout(deadline)
      sum()
      log(`stopped: ${progress.summary(simNow())}`)
    })()
    return stopping
  }
  return { exited, stop }
}
