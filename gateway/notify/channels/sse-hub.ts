// Server-sent events for a home's screens (TV app) and the console: an in-process hub of open responses
// per home. A `tv:<homeId>` outbox row counts as delivered once written to at least one connected client
// of that home; with none connected the send fails and the outbox retries it, and a screen connecting
// makes its waiting rows due at once. Events carry the outbox id as `id:` so a reconnecting client's
// Last-Event-ID replays what it missed (see NotifyService.connectSse).
import type { Clock } from '../../../src/clock.ts'
import { machineBody, systemTimers, type Channel, type Delivery, type Timers } from '../channel.ts'
import type { SseAddress } from '../contact-channels.ts'

/** The part of a node:http ServerResponse the hub uses. */
export interface SseSink {
  write(chunk: string): boolean
  end(): void
  destroy(): void
  readonly writableLength: number
}

interface Client {
  sink: SseSink
  /** Ids already written to this client: a replayed row that is also in flight is written once. */
  sent: Set<string>
}

/** The WHATWG spec has clients drop a comment line; proxies and NATs see traffic every 15 s. */
export const HEARTBEAT_MS = 15_000
/** A client this far behind (a stalled TV box) is dropped rather than buffered without bound. */
const MAX_BUFFERED_BYTES = 1_048_576
const MAX_REMEMBERED_IDS = 1000

export function sseFrame (d: Delivery, sentAt: number): string {
  // JSON.stringify escapes newlines, so the data is always one `data:` line.
  return `id: ${d.id}\nevent: ${d.kind}\ndata: ${JSON.stringify(machineBody(d, sentAt))}\n\n`
}

export class SseHub {
  private readonly homes = new Map<string, Set<Client>>()
  private heartbeat: unknown = null
  private readonly timers: Timers

  constructor (private readonly clock: Clock, timers: Timers = systemTimers, private readonly heartbeatMs = HEARTBEAT_MS) {
    this.timers = timers
  }

  get clientCount (): number {
    let n = 0
    for (const set of this.homes.values()) n += set.size
    return n
  }

  /** Register an open response; `remove` on its 'close', `write` for replaying missed events to it alone. */
  add (homeId: string, sink: SseSink): { remove: () => void, write: (d: Delivery) => boolean } {
    const client: Client = { sink, sent: new Set() }
    let set = this.homes.get(homeId)
    if (set === undefined) this.homes.set(homeId, set = new Set())
    set.add(client)
    this.startHeartbeat()
    return {
      write: (d) => this.write(client, d),
      remove: () => {
        const clients = this.homes.get(homeId)
        clients?.delete(client)
        if (clients?.size === 0) this.homes.delete(homeId)
        if (this.homes.size === 0) this.stopHeartbeat()
      }
    }
  }

  /** Write to every client of a home; returns how many clients got it. */
  publish (homeId: string, d: Delivery): number {
    let n = 0
    for (const client of this.homes.get(homeId) ?? []) if (this.write(client, d)) n++
    return n
  }

  channel (): Channel<SseAddress> {
    return {
      name: 'sse',
      send: async (d: Delivery, address: SseAddress) => {
        const reached = this.publish(address.homeId, d)
        if (reached === 0 && !this.anyHas(address.homeId, d.id)) throw new Error('no screen of this home is connected')
      }
    }
  }

  /** End every stream (gateway shutdown); clients reconnect with Last-Event-ID to the next process. */
  closeAll (): void {
    this.stopHeartbeat()
    for (const set of this.homes.values()) for (const client of set) client.sink.end()
    this.homes.clear()
  }

  private anyHas (homeId: string, id: string): boolean {
    for (const client of this.homes.get(homeId) ?? []) if (client.sent.has(id)) return true
    return false
  }

  private write (client: Client, d: Delivery): boolean {
    if (client.sent.has(d.id)) return false
    if (client.sink.writableLength > MAX_BUFFERED_BYTES) { client.sink.destroy(); return false }
    client.sink.write(sseFrame(d, this.clock.now()))
    client.sent.add(d.id)
    if (client.sent.size > MAX_REMEMBERED_IDS) client.sent.delete(client.sent.values().next().value as string)
    return true
  }

  private startHeartbeat (): void {
    if (this.heartbeat !== null) return
    const beat = (): void => {
      for (const set of this.homes.values()) for (const client of set) client.sink.write(': heartbeat\n\n')
      this.heartbeat = this.timers.setTimeout(beat, this.heartbeatMs)
    }
    this.heartbeat = this.timers.setTimeout(beat, this.heartbeatMs)
  }

  private stopHeartbeat (): void {
    if (this.heartbeat !== null) this.timers.clearTimeout(this.heartbeat)
    this.heartbeat = null
  }
}
