// Benchmark target "aedes": bare aedes 1.x as its README starts it (`Aedes.createBroker()`, default
// options, no hooks) on a plain TCP server. "Ingested" = client PUBLISH packets the broker processed.
// It validates and stores nothing: this is the ceiling the gateway's work sits on.
import { createServer, type AddressInfo } from 'node:net'
import { Aedes } from 'aedes'
import { peerCreds, reportCrashes, serveTarget, targetOptions } from './target-child.ts'

reportCrashes()
const options = targetOptions()
const aedes = await Aedes.createBroker()
let published = 0
aedes.on('publish', (_packet, client) => { if (client) published++ })
const server = createServer(aedes.handle)
// The gateway's listen backlog, so a connect storm compares brokers, not accept queues.
await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => resolve()))

serveTarget({ type: 'ready', url: `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`, creds: peerCreds(options.devices), extraPids: [], notes: ['default options, no hooks; listen backlog 4096 as the gateway'] }, {
  count: async () => ({ ingested: published, samples: [] }),
  finish: async () => ({ persisted: null, details: { published } }),
  async stop () {
    await new Promise<void>((resolve) => aedes.close(() => resolve()))
    server.close()
  }
})
