// `npm run bench:aedes-flood [-- <concurrency>]`: the flood that endangers bare aedes 1.x, for the record.
// A bare aedes (no Anju hooks) and 50 clients in a child process that subscribe to `flood/#`, stop
// reading, and publish QoS 0 as fast as they can for 10 s. Every 2 s it prints the broker's RSS,
// mqemitter's queue length and the event-loop lag. With concurrency 100 (aedes' default) the queue
// grows without bound, and draining it later recurses (aedes #193, mqemitter PR #204); with
// concurrency 0 the event loop stalls. The Anju gateway avoids both (README, "Security choices").
import { fork } from 'node:child_process'
import { createServer, type AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { Aedes } from 'aedes'

const concurrency = Number(process.argv[2] ?? 100)
const aedes = await Aedes.createBroker({ concurrency })
const server = createServer(aedes.handle)
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
const port = (server.address() as AddressInfo).port
process.on('uncaughtException', (err) => { console.log(`broker crashed: ${err.message}`); process.exit(3) })

const mq = (aedes as unknown as { mq: { length: number } }).mq
let last = performance.now()
const samples: Array<{ second: number, rssMb: number, queue: number, loopLagMs: number }> = []
const started = performance.now()
const timer = setInterval(() => {
  const now = performance.now()
  const sample = { second: Math.round((now - started) / 1000), rssMb: Math.round(process.memoryUsage().rss / 1e6), queue: mq.length, loopLagMs: Math.round(now - last - 2000) }
  samples.push(sample)
  console.log(JSON.stringify(sample))
  last = now
}, 2000)

const child = fork(fileURLToPath(new URL('./bare-aedes-flood-clients.ts', import.meta.url)), [String(port)], { execArgv: ['--import', 'tsx'] })
// If the broker's event loop is stuck, this process cannot even notice the child ending: a watchdog
// in the child reports the stall instead (see bare-aedes-flood-clients.ts).
child.on('exit', (code) => {
  clearInterval(timer)
  console.log(`concurrency ${concurrency}: ${code === 0 ? 'flood over, broker alive' : 'flood client exited ' + String(code)}; max queue ${Math.max(0, ...samples.map((s) => s.queue))}, max loop lag ${Math.max(0, ...samples.map((s) => s.loopLagMs))} ms`)
  process.exit(0)
})
