// The TV side of the tests: pair a screen as the TV app does (start, the clerk types the code, poll),
// call /tv/api with its token over real HTTP, and read /tv/api/events like EventSource would (frames
// without `id:` count too, unlike test/gateway/notify/sse-client.ts).
import type { z } from 'zod'
import { pairStartResponse, pairStatusResponse } from '../../../src/tv/tv-api.ts'
import type { TestGateway } from '../../helpers/start-gateway.ts'

/** Where the TV API is: a test gateway, or any server serving /tv/api (a cluster worker). */
export interface TvServer { urls: { http: string } }

export interface TvResponse<T = unknown> { status: number, headers: Headers, body: T }

/** A /tv/api call over real HTTP; `token` as the Authorization bearer. */
export async function tv<T = unknown> (gw: TvServer, method: string, path: string, token?: string, body?: unknown): Promise<TvResponse<T>> {
  const headers: Record<string, string> = {}
  if (token !== undefined) headers.authorization = `Bearer ${token}`
  if (body !== undefined) headers['content-type'] = 'application/json'
  const res = await fetch(`${gw.urls.http}/tv/api${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
  const text = await res.text()
  return { status: res.status, headers: res.headers, body: (text === '' ? null : JSON.parse(text)) as T }
}

export async function startPairing (gw: TestGateway): Promise<z.infer<typeof pairStartResponse>> {
  const res = await tv(gw, 'POST', '/pair/start')
  if (res.status !== 200) throw new Error(`pair/start: ${res.status} ${JSON.stringify(res.body)}`)
  return pairStartResponse.parse(res.body)
}

export async function pairStatus (gw: TestGateway, pairingId: string): Promise<z.infer<typeof pairStatusResponse>> {
  const res = await tv(gw, 'GET', `/pair/${pairingId}`)
  if (res.status !== 200) throw new Error(`pair status: ${res.status}`)
  return pairStatusResponse.parse(res.body)
}

/** Pair a new screen to a home or a village; returns its token and id. */
export async function pairScreen (gw: TestGateway, target: { homeId: string } | { villageId: string }): Promise<{ token: string, screenId: string }> {
  const { code, pairingId } = await startPairing(gw)
  const paired = await gw.api<{ id: string }>('POST', '/api/v1/screens/pair', { code, ...target, by: 'clerk-1' })
  if (paired.status !== 201) throw new Error(`pair: ${paired.status} ${JSON.stringify(paired.body)}`)
  const status = await pairStatus(gw, pairingId)
  if (status.token === undefined) throw new Error('no token after pairing')
  return { token: status.token, screenId: paired.body.id }
}

export interface TvEvent { id: string | null, event: string, data: unknown }

export interface TvStream {
  status: number
  contentType: string | null
  events: TvEvent[]
  text: string
  close(): void
  /** Resolves when the server ended the stream. */
  ended: Promise<void>
}

/** Open /tv/api/events with `?t=` (no headers, as EventSource). */
export async function openEvents (gw: TvServer, token?: string, lastEventId?: string): Promise<TvStream> {
  const abort = new AbortController()
  const query = new URLSearchParams()
  if (token !== undefined) query.set('t', token)
  if (lastEventId !== undefined) query.set('lastEventId', lastEventId)
  const res = await fetch(`${gw.urls.http}/tv/api/events?${query.toString()}`, { signal: abort.signal })
  const stream: TvStream = { status: res.status, contentType: res.headers.get('content-type'), events: [], text: '', close: () => abort.abort(), ended: Promise.resolve() }
  if (res.body === null || res.status !== 200) { await res.text(); return stream }
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader()
  stream.ended = (async () => {
    let buffer = ''
    try {
      for (;;) {
        const { value, done } = await reader.read()
        if (done) return
        stream.text += value
        buffer += value
        let end: number
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          const e: TvEvent = { id: null, event: 'message', data: null }
          let hasData = false
          for (const line of frame.split('\n')) {
            if (line.startsWith('id: ')) e.id = line.slice(4)
            else if (line.startsWith('event: ')) e.event = line.slice(7)
            else if (line.startsWith('data: ')) { e.data = JSON.parse(line.slice(6)); hasData = true }
          }
          if (hasData) stream.events.push(e)
        }
      }
    } catch {
      // aborted by close()
    }
  })()
  return stream
}
