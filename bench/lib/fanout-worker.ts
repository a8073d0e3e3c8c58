// One load-generating process of the fanout scenario: opens `count` TV event streams (GET /tv/api/events
// without a token: an unpaired screen, which gets its village's public broadcasts) and reports, for every
// `broadcast` event, the wall-clock time it arrived on each stream. Times are performance.timeOrigin +
// performance.now() (sub-millisecond, same machine clock as the parent that sent the broadcast).
// Talks to its parent over IPC: 'open' → {opened, failed}; each broadcast → {broadcastId, arrivals[]}, sent
// when every open stream has it or when the parent asks ('report', after its timeout).
import { request, type ClientRequest } from 'node:http'

interface Open { type: 'open', url: string, count: number }
type FromParent = Open | { type: 'report', broadcastId: string } | { type: 'close' }

const wallNow = (): number => performance.timeOrigin + performance.now()
const requests: ClientRequest[] = []
let openCount = 0
/** broadcast id → arrival times, flushed shortly after the first arrival. */
const arrivals = new Map<string, number[]>()

function send (message: unknown): void {
  process.send?.(message)
}

function openStream (url: string): Promise<boolean> {
  return new Promise((resolve) => {
    // agent: false: one socket per stream, as 5,000 separate screens would have.
    const req = request(url, { agent: false, headers: { accept: 'text/event-stream' } }, (res) => {
      if (res.statusCode !== 200) { res.resume(); resolve(false); return }
      res.setEncoding('utf8')
      let buffer = ''
      let first = true
      res.on('data', (chunk: string) => {
        const at = wallNow()
        // The first chunk is `retry:`; the stream is open from here on.
        if (first) { first = false; resolve(true) }
        buffer += chunk
        let end: number
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          if (!frame.startsWith('event: broadcast\n')) continue
          const data = frame.slice(frame.indexOf('data: ') + 6)
          const id = (JSON.parse(data) as { id: string }).id
          let list = arrivals.get(id)
          if (list === undefined) arrivals.set(id, list = [])
          list.push(at)
          // Report once every open stream has it; the parent asks for a partial report after its timeout.
          if (list.length === openCount) flush(id)
        }
      })
      res.on('error', () => {})
    })
    req.on('error', () => resolve(false))
    req.end()
    requests.push(req)
  })
}

const flushed = new Set<string>()
function flush (id: string): void {
  if (flushed.has(id)) return
  flushed.add(id)
  send({ type: 'arrivals', broadcastId: id, arrivals: arrivals.get(id) ?? [] })
}

process.on('message', (message: FromParent) => {
  if (message.type === 'open') {
    void (async () => {
      let opened = 0
      let failed = 0
      // A few hundred at a time: an opening storm of thousands would only measure the listen backlog.
      for (let i = 0; i < message.count; i += 250) {
        const batch = Array.from({ length: Math.min(250, message.count - i) }, () => openStream(message.url))
        for (const ok of await Promise.all(batch)) { if (ok) opened++; else failed++ }
      }
      openCount = opened
      send({ type: 'opened', opened, failed })
    })()
  } else if (message.type === 'report') {
    flush(message.broadcastId)
  } else {
    for (const req of requests) req.destroy()
    process.exit(0)
  }
})
// The parent gone (killed, crashed): do not linger with open sockets.
process.on('disconnect', () => process.exit(0))
