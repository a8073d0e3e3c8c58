// A real SSE client over fetch: reads the stream and parses `id:` / `event:` / `data:` frames.
export interface SseEvent { id: string | null, event: string | null, data: unknown }

export interface SseConnection {
  status: number
  contentType: string | null
  events: SseEvent[]
  comments: string[]
  close(): void
  /** Resolves when the server ended the stream. */
  ended: Promise<void>
}

export async function connectSse (url: string, token: string, lastEventId?: string): Promise<SseConnection> {
  const abort = new AbortController()
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'text/event-stream' }
  if (lastEventId !== undefined) headers['last-event-id'] = lastEventId
  const res = await fetch(url, { headers, signal: abort.signal })
  const conn: SseConnection = {
    status: res.status, contentType: res.headers.get('content-type'), events: [], comments: [], close: () => abort.abort(), ended: Promise.resolve()
  }
  if (res.body === null || res.status !== 200) return conn
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader()
  conn.ended = (async () => {
    let buffer = ''
    try {
      for (;;) {
        const { value, done } = await reader.read()
        if (done) return
        buffer += value
        let end: number
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          const event: SseEvent = { id: null, event: null, data: null }
          let isEvent = false
          for (const line of frame.split('\n')) {
            if (line.startsWith(':')) conn.comments.push(line.slice(1).trim())
            else if (line.startsWith('id: ')) { event.id = line.slice(4); isEvent = true }
            else if (line.startsWith('event: ')) event.event = line.slice(7)
            else if (line.startsWith('data: ')) event.data = JSON.parse(line.slice(6))
          }
          if (isEvent) conn.events.push(event)
        }
      }
    } catch {
      // aborted by close()
    }
  })()
  return conn
}
