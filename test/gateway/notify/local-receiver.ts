// A real HTTP server on 127.0.0.1:0 that records every request and answers from a script. The notify
// channels talk to webhooks, WeCom, DingTalk and SMS providers on the public internet; tests must not
// (no network in CI, and a real robot would post into a real group), so they talk to this loopback
// receiver instead: a real HTTP exchange, the same bytes the services would get.
import { once } from 'node:events'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Received { method: string, url: string, headers: IncomingHttpHeaders, body: string, at: number }
export interface Answer { status: number, body?: unknown, /** hold the answer until this resolves */ hold?: Promise<void> }

export interface LocalReceiver {
  url: string
  requests: Received[]
  /** Answers for the next requests, in order; afterwards `fallback`. */
  script: Answer[]
  fallback: Answer
  /** Requests being answered right now (for concurrency checks) and the most seen at once. */
  open: number
  maxOpen: number
  close(): Promise<void>
}

export async function startReceiver (fallback: Answer = { status: 200, body: { ok: true } }): Promise<LocalReceiver> {
  const receiver: LocalReceiver = {
    url: '', requests: [], script: [], fallback, open: 0, maxOpen: 0, close: async () => {}
  }
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      receiver.requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() })
      const answer = receiver.script.shift() ?? receiver.fallback
      receiver.open++
      receiver.maxOpen = Math.max(receiver.maxOpen, receiver.open)
      void (answer.hold ?? Promise.resolve()).then(() => {
        receiver.open--
        res.writeHead(answer.status, { 'content-type': 'application/json' })
        res.end(answer.body === undefined ? '' : JSON.stringify(answer.body))
      })
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  receiver.close = async () => {
    server.closeAllConnections()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }
  return receiver
}

/** Poll until `check` is truthy (real time: the receiver is real I/O). */
export async function eventually<T> (check: () => T, timeoutMs = 3000, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = check()
    if (value !== undefined && value !== null && value !== false) return value as NonNullable<T>
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}
