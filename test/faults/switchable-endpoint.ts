// A webhook endpoint on 127.0.0.1:0 that can be "down": while down it cuts every connection without an
// answer (what a crashed service behind a still-listening host or NAT looks like: a network error, not an
// HTTP status), yet notes the attempt, so a test can see the retry schedule. Times are read from `now`
// (the test's fake clock) so the schedule is in the gateway's time. test/gateway/notify/local-receiver.ts
// is the scripted receiver of the unit tests; this one only adds the outage.
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Attempt { messageId: string, at: number, delivered: boolean, body: string }

export interface SwitchableEndpoint {
  url: string
  up: boolean
  attempts: Attempt[]
  close(): Promise<void>
}

export async function startSwitchableEndpoint (now: () => number): Promise<SwitchableEndpoint> {
  const endpoint: SwitchableEndpoint = { url: '', up: true, attempts: [], close: async () => {} }
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const messageId = String(req.headers['x-anju-message-id'] ?? '')
      const delivered = endpoint.up
      endpoint.attempts.push({ messageId, at: now(), delivered, body: Buffer.concat(chunks).toString('utf8') })
      if (!delivered) { req.socket.destroy(); return }
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end('{"ok":true}')
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  endpoint.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`
  endpoint.close = async () => {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
  return endpoint
}
