// GET /tv/api/events: one text/event-stream per screen (event names in src/tv/tv-api.ts).
//
// Two sources feed a stream:
// - a household screen is attached to its home's SSE hub through `sse.connectSse` (NotifyService's in
//   the embedded gateway, PgSse's in cluster mode), so the outbox's delivery semantics hold (a row counts as delivered once written to a connected screen;
//   Last-Event-ID replays what a reconnecting screen missed). The hub writes its own frames into an
//   adapter sink that rewrites them into the TV's events, keeping the outbox id as `id:`;
// - every screen of a village is in a per-village set for broadcasts and content changes: one frame is
//   built per change and written to each response (an emergency broadcast reaches thousands of screens;
//   a screen more than 1 MiB behind is dropped and reconnects).
// Village frames carry no `id:`, so they never move a screen's Last-Event-ID (the outbox's).
import type { ServerResponse } from 'node:http'
import type { Clock, TimerFunctions } from '../../src/clock.ts'
import type { ContentChange, ContentService } from '../content/content-service.ts'
import { HEARTBEAT_MS, type SseSink } from '../notify/channels/sse-hub.ts'
import type { MaybePromise } from '../notify/outbox-queue.ts'
import { systemTimerFunctions } from '../timers.ts'
import type { Household } from './household.ts'
import type { TvScope } from './screen-auth.ts'
import { whenReady } from './household-alerts.ts'
import type { ScreenStore } from './screen-store.ts'

const MAX_BUFFERED_BYTES = 1_048_576
const RETRY_MS = 3000

/** Where a home's outbox rows for its screens come from (NotifyService, or PgSse in cluster mode). */
export interface SseSource {
  /** Attach a sink to the home's stream, replaying what came after `lastEventId`; returns the detach. */
  connectSse(homeId: string, sink: SseSink, lastEventId: number | null): () => void
}

export interface TvEventsDeps {
  content: ContentService
  screens: ScreenStore
  sse: SseSource
  household: Household
  clock: Clock
  timers?: TimerFunctions
}

interface Stream {
  res: ServerResponse
  villageId: string
  screenId: string | null
  homeId: string | null
  detachHome: (() => void) | null
  closed: boolean
  /** Frames still being worked out (cluster mode reads alerts from PostgreSQL): later ones wait for them. */
  pending: Promise<void> | null
}

export function tvFrame (event: string, data: unknown, id?: string): string {
  // JSON.stringify escapes newlines: the data is always one `data:` line.
  return `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`
}

const STATE = tvFrame('state', {})

export class TvEvents {
  private readonly villages = new Map<string, Set<Stream>>()
  private readonly byScreen = new Map<string, Set<Stream>>()
  private readonly timers: TimerFunctions
  private heartbeat: unknown = null
  private offs: Array<() => void> = []

  constructor (private readonly deps: TvEventsDeps) {
    // As content's broadcasts do: the injected clock may carry fake timers (tests); else real, unref'd ones.
    const c = deps.clock as Partial<TimerFunctions>
    this.timers = deps.timers ?? (typeof c.setTimeout === 'function' && typeof c.clearTimeout === 'function' ? c as TimerFunctions : systemTimerFunctions)
  }

  start (): void {
    this.offs = [
      this.deps.content.onChange((change) => { this.onContent(change) }),
      this.deps.screens.onRevoke((screenId) => { for (const s of [...this.byScreen.get(screenId) ?? []]) this.close(s) })
    ]
  }

  stop (): void {
    for (const off of this.offs) off()
    this.offs = []
    this.closeAll()
  }

  get count (): number {
    let n = 0
    for (const set of this.villages.values()) n += set.size
    return n
  }

  /** Take over `res` (headers not yet sent) as the scope's event stream. */
  connect (scope: TvScope, res: ServerResponse, lastEventId: number | null): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store, no-transform',
      connection: 'keep-alive',
      // nginx would otherwise buffer the stream.
      'x-accel-buffering': 'no'
    })
    res.write(`retry: ${RETRY_MS}\n\n`)
    const stream: Stream = { res, villageId: scope.villageId, screenId: scope.screen?.id ?? null, homeId: scope.homeId, detachHome: null, closed: false, pending: null }
    add(this.villages, stream.villageId, stream)
    if (stream.screenId !== null) add(this.byScreen, stream.screenId, stream)
    res.once('close', () => { this.close(stream) })
    this.startHeartbeat()
    if (stream.homeId !== null) stream.detachHome = this.deps.sse.connectSse(stream.homeId, this.homeSink(stream, stream.homeId), lastEventId)
    // What the screen may have missed while it was away: an active broadcast, an open check-in.
    const broadcast = this.deps.content.tvContent(scope.villageId, scope.gridId).broadcast
    if (broadcast !== null) this.write(stream, tvFrame('broadcast', broadcast))
    if (stream.homeId !== null) {
      this.writeInOrder(stream, whenReady(this.deps.household.checkIn(stream.homeId), (checkIn) => checkIn === null ? null : tvFrame('checkin', checkIn)))
    }
  }

  /** End every stream (shutdown); screens reconnect with Last-Event-ID. */
  closeAll (): void {
    this.stopHeartbeat()
    for (const set of [...this.villages.values()]) for (const s of [...set]) this.close(s)
  }

  private onContent (change: ContentChange): void {
    const set = this.villages.get(change.villageId)
    if (set === undefined) return
    const frame = change.kind === 'broadcast'
      ? tvFrame('broadcast', change.broadcast)
      : change.kind === 'broadcast_end' ? tvFrame('broadcast_end', { id: change.id }) + STATE : STATE
    for (const s of [...set]) this.write(s, frame)
  }

  /**
   * The sink the home's SSE hub writes outbox frames into (sse-hub.ts sseFrame): rewritten into TV events.
   * The hub's heartbeat is dropped (this module sends one to every stream).
   */
  private homeSink (stream: Stream, homeId: string): SseSink {
    return {
      write: (chunk) => {
        if (chunk.startsWith(':')) return true
        this.writeInOrder(stream, this.translate(chunk, homeId))
        return true
      },
      end: () => { this.close(stream) },
      destroy: () => { stream.res.destroy() },
      get writableLength () { return stream.res.writableLength }
    }
  }

  private translate (frame: string, homeId: string): MaybePromise<string | null> {
    let id: string | undefined
    let body: { kind?: string, alertId?: string | null } | undefined
    for (const line of frame.split('\n')) {
      if (line.startsWith('id: ')) id = line.slice(4)
      else if (line.startsWith('data: ')) body = JSON.parse(line.slice(6)) as typeof body
    }
    if (body === undefined) return null
    const alertId = body.alertId ?? ''
    if (body.kind === 'checkin') {
      // A replayed check-in that was answered meanwhile ends the takeover rather than starting it.
      return whenReady(this.deps.household.checkInOf(alertId, homeId),
        (checkIn) => checkIn === null ? tvFrame('checkin_end', { alertId }, id) : tvFrame('checkin', checkIn, id))
    }
    if (body.kind === 'all_clear' || body.kind === 'acknowledged') return tvFrame('checkin_end', { alertId }, id) + STATE
    return tvFrame('state', {}, id)
  }

  /**
   * Write a frame that may still be a promise, after the stream's earlier such frames: the outbox ids of a
   * home's frames must reach the screen in order (its Last-Event-ID). Synchronous frames with nothing
   * pending are written at once, so the embedded gateway's timing is unchanged.
   */
  private writeInOrder (s: Stream, frame: MaybePromise<string | null>): void {
    if (s.pending === null && !(frame instanceof Promise)) {
      if (frame !== null) this.write(s, frame)
      return
    }
    const chained: Promise<void> = (s.pending ?? Promise.resolve()).then(async () => await frame).then(
      (out) => { if (out !== null) this.write(s, out) },
      // Alerts could not be read (PostgreSQL down): drop the stream; the screen reconnects with
      // Last-Event-ID and is sent the frame again.
      () => { s.res.destroy(); this.close(s) })
    s.pending = chained
    void chained.then(() => { if (s.pending === chained) s.pending = null })
  }

  private write (s: Stream, frame: string): void {
    if (s.closed) return
    if (s.res.writableLength > MAX_BUFFERED_BYTES) { s.res.destroy(); this.close(s); return }
    s.res.write(frame)
  }

  private close (s: Stream): void {
    if (s.closed) return
    s.closed = true
    remove(this.villages, s.villageId, s)
    if (s.screenId !== null) remove(this.byScreen, s.screenId, s)
    s.detachHome?.()
    s.res.end()
    if (this.villages.size === 0) this.stopHeartbeat()
  }

  private startHeartbeat (): void {
    if (this.heartbeat !== null) return
    const beat = (): void => {
      for (const set of this.villages.values()) for (const s of set) this.write(s, ': heartbeat\n\n')
      this.heartbeat = this.timers.setTimeout(beat, HEARTBEAT_MS)
    }
    this.heartbeat = this.timers.setTimeout(beat, HEARTBEAT_MS)
  }

  private stopHeartbeat (): void {
    if (this.heartbeat !== null) this.timers.clearTimeout(this.heartbeat)
    this.heartbeat = null
  }
}

function add (map: Map<string, Set<Stream>>, key: string, s: Stream): void {
  let set = map.get(key)
  if (set === undefined) map.set(key, set = new Set())
  set.add(s)
}

function remove (map: Map<string, Set<Stream>>, key: string, s: Stream): void {
  const set = map.get(key)
  set?.delete(s)
  if (set?.size === 0) map.delete(key)
}
