// The load generator: forks several worker processes (one Node process tops out at a few tens of
// thousands of QoS 1 publishes a second, and at ~20,000 open files), splits the devices between them
// and sums what they report. Each worker reports its own CPU, so a benchmark can say what the load cost.
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { FromLoadWorker, LoadCred, LoadMessageKind, ToLoadWorker } from './load-protocol.ts'

/** Sockets per worker: `ulimit -n` is 20,000 on the development machines; leave room for the rest. */
export const MAX_CLIENTS_PER_WORKER = 9_000
const REPLY_TIMEOUT_MS = 180_000

export interface ConnectResult { connected: number, failed: number, refusedSubscriptions: number, firstError: string | null, wallMs: number }
export interface PoolReport {
  sent: number
  acked: number
  inFlight: number
  /** Connections that closed after they had connected (a target that crashed or cut clients off). */
  closed: number
  /** publish→PUBACK ms, a uniform sample per worker since the last mark(). */
  samples: number[]
  /** Cumulative CPU ms of each worker process. */
  workerCpuMs: number[]
}

export interface LoadPool {
  readonly pids: number[]
  connect(url: string, creds: LoadCred[], options?: { subscribe?: boolean, batch?: number }): Promise<ConnectResult>
  /** What the clients publish from now on (status heartbeats by default). */
  messages(kind: LoadMessageKind): void
  window(window: number): void
  rate(perSecond: number, maxInFlight?: number): void
  mark(): void
  report(): Promise<PoolReport>
  halt(): Promise<number>
  disconnect(): Promise<void>
  close(): Promise<void>
}

interface Worker { child: ChildProcess, waiting: Array<{ resolve: (m: FromLoadWorker) => void, reject: (e: Error) => void }> }

export function startLoadPool (options: { workers?: number } = {}): LoadPool {
  const count = Math.max(1, options.workers ?? 2)
  const script = fileURLToPath(new URL('./load-worker.ts', import.meta.url))
  const workers: Worker[] = Array.from({ length: count }, () => {
    const w: Worker = { child: fork(script, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }), waiting: [] }
    w.child.on('message', (m: FromLoadWorker) => {
      const next = w.waiting.shift()
      if (m.type === 'failed') next?.reject(new Error(`load worker: ${m.message}`))
      else next?.resolve(m)
    })
    w.child.on('exit', (code) => { for (const p of w.waiting.splice(0)) p.reject(new Error(`load worker exited (${String(code)})`)) })
    return w
  })
  let shares = 0 // workers holding clients, for the requests that expect a reply from each

  const post = (w: Worker, msg: ToLoadWorker): void => { if (w.child.connected) w.child.send(msg) }
  function ask<T extends FromLoadWorker['type']> (w: Worker, msg: ToLoadWorker, type: T): Promise<Extract<FromLoadWorker, { type: T }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`load worker did not answer ${msg.type} in time`)), REPLY_TIMEOUT_MS)
      w.waiting.push({
        resolve: (m) => {
          clearTimeout(timer)
          if (m.type === type) resolve(m as Extract<FromLoadWorker, { type: T }>)
          else reject(new Error(`load worker answered ${m.type} to ${msg.type}`))
        },
        reject: (e) => { clearTimeout(timer); reject(e) }
      })
      post(w, msg)
    })
  }
  const all = <T extends FromLoadWorker['type']>(msg: ToLoadWorker, type: T): Promise<Array<Extract<FromLoadWorker, { type: T }>>> =>
    Promise.all(workers.map((w) => ask(w, msg, type)))

  return {
    pids: workers.map((w) => w.child.pid as number),
    async connect (url, creds, { subscribe = false, batch = 0 } = {}) {
      const per = Math.ceil(creds.length / workers.length)
      if (per > MAX_CLIENTS_PER_WORKER) throw new Error(`${per} clients per worker exceed ${MAX_CLIENTS_PER_WORKER}; use more workers`)
      // A common start instant a little ahead, so the storm really is simultaneous across processes.
      const at = Date.now() + 300
      const replies = await Promise.all(workers.map((w, i) => ask(w, { type: 'connect', url, creds: creds.slice(i * per, (i + 1) * per), subscribe, at, batch: batch > 0 ? Math.ceil(batch / workers.length) : 0 }, 'connected')))
      shares = workers.length
      return {
        connected: replies.reduce((n, r) => n + r.connected, 0),
        failed: replies.reduce((n, r) => n + r.failed, 0),
        refusedSubscriptions: replies.reduce((n, r) => n + r.refusedSubscriptions, 0),
        firstError: replies.find((r) => r.firstError !== null)?.firstError ?? null,
        wallMs: Math.max(...replies.map((r) => r.doneAt)) - at
      }
    },
    messages (kind) { for (const w of workers) post(w, { type: 'messages', kind }) },
    window (window) { for (const w of workers) post(w, { type: 'window', window }) },
    rate (perSecond, maxInFlight = 50_000) {
      for (const w of workers) post(w, { type: 'rate', perSecond: perSecond / workers.length, maxInFlight: Math.ceil(maxInFlight / workers.length) })
    },
    mark () { for (const w of workers) post(w, { type: 'mark' }) },
    async report () {
      const r = await all({ type: 'report' }, 'report')
      return {
        sent: r.reduce((n, x) => n + x.sent, 0),
        acked: r.reduce((n, x) => n + x.acked, 0),
        inFlight: r.reduce((n, x) => n + x.inFlight, 0),
        closed: r.reduce((n, x) => n + x.closed, 0),
        samples: r.flatMap((x) => x.samples),
        workerCpuMs: r.map((x) => x.cpuMs)
      }
    },
    async halt () { return (await all({ type: 'halt' }, 'halted')).reduce((n, x) => n + x.inFlight, 0) },
    async disconnect () { if (shares > 0) await all({ type: 'disconnect' }, 'disconnected') },
    async close () {
      await Promise.all(workers.map((w) => new Promise<void>((resolve) => {
        if (w.child.exitCode !== null || w.child.signalCode !== null) { resolve(); return }
        w.child.once('exit', () => resolve())
        // Workers exit when the IPC channel closes; a stuck one is killed.
        w.child.disconnect()
        setTimeout(() => w.child.kill('SIGKILL'), 5_000).unref()
      })))
    }
  }
}
