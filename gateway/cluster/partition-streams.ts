// Partition event streams (docs/cluster.md, "Routing"): the worker that receives a home's event appends it
// to `anju:events:<partition>`; the partition's owner follows that stream. A new owner replays from a point
// in the past (the last retention window, or just after the last entry its predecessor committed), so
// nothing that arrived during a takeover is missed. Entries are checked with zod on the way in: a
// malformed one is logged and skipped, never thrown into the reader.
import type { Redis } from 'ioredis'
import { z } from 'zod'
import { systemClock, type Clock } from '../../src/clock.ts'
import { alertSettingsInput, outcome } from '../../src/escalation/alert-schemas.ts'
import type { Logger } from '../logger.ts'
import type { PartitionEvent } from './contracts.ts'

export const streamKey = (partition: number): string => `anju:events:${partition}`

const activityEvent = z.object({
  homeId: z.string(),
  deviceId: z.string(),
  at: z.number(),
  timeSource: z.enum(['device', 'gateway'])
})

const deviceStateEvent = z.object({
  deviceId: z.string(),
  homeId: z.string(),
  kind: z.enum(['sensor', 'hub', 'hub-sensor']),
  at: z.number(),
  online: z.boolean().optional(),
  battery: z.number().optional(),
  rssi: z.number().optional(),
  linkquality: z.number().optional(),
  fw: z.string().optional()
})

const alertCommand = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ack'), alertId: z.string(), by: z.string() }),
  z.object({ kind: z.literal('resolve'), alertId: z.string(), by: z.string(), outcome, note: z.string().nullable() }),
  z.object({ kind: z.literal('check-in'), homeId: z.string() }),
  z.object({ kind: z.literal('away'), homeId: z.string(), until: z.number().nullable(), by: z.string() }),
  z.object({ kind: z.literal('settings'), homeId: z.string(), input: alertSettingsInput })
])

export const partitionEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('activity'), event: activityEvent }),
  z.object({ type: z.literal('device-state'), event: deviceStateEvent }),
  z.object({ type: z.literal('command'), command: alertCommand })
])

// The schema and the contract type must agree (a compile error here means one changed without the other).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
const check: Same<z.infer<typeof partitionEvent>, PartitionEvent> = true
void check

/**
 * Where to start following: a time in Unix ms (entries added at or after it, e.g. now - retention), or
 * just after the id of the last entry handled (PartitionState.streamId).
 */
export type StreamStart = number | { afterId: string }

export type PartitionEventHandler = (partition: number, event: PartitionEvent, id: string) => void

export interface PartitionStreamsOptions {
  /** Commands connection, for XADD. */
  redis: Redis
  /** A connection of its own: XREAD BLOCK holds it for up to `blockMs`. */
  reader: Redis
  partitions: number
  /** Entries older than this are trimmed as new ones are added (approximately: see publish()). */
  retentionMs: number
  log: Logger
  /** How long one XREAD waits: also how long a follow() or unfollow() may wait to take effect in Redis. */
  blockMs?: number
  clock?: Clock
}

const STREAM_ID = /^\d+-\d+$/
// Entries with an id greater than this come at or after `ms` (ids are <ms>-<seq>, seq up to 2^64 - 1).
const before = (ms: number): string => ms <= 0 ? '0-0' : `${Math.floor(ms) - 1}-18446744073709551615`

/** One follow() of a partition; a later follow() of the same partition is a new object. */
interface Follow { partition: number, lastId: string }

export class PartitionStreams {
  private readonly redis: Redis
  private readonly reader: Redis
  private readonly partitions: number
  private readonly retentionMs: number
  private readonly blockMs: number
  private readonly log: Logger
  private readonly clock: Clock
  private readonly follows = new Map<number, Follow>()
  private readonly handlers: PartitionEventHandler[] = []
  private closed = false
  private loop: Promise<void> | undefined
  /** Resolves the idle wait when there is something to follow again (or on close). */
  private wake: (() => void) | undefined

  constructor (options: PartitionStreamsOptions) {
    this.redis = options.redis
    this.reader = options.reader
    this.partitions = options.partitions
    this.retentionMs = options.retentionMs
    this.blockMs = options.blockMs ?? 250
    this.log = options.log.child({ module: 'partition-streams' })
    this.clock = options.clock ?? systemClock
  }

  /**
   * Appends an event to the partition's stream and returns its id. `MINID ~` trims entries older than the
   * retention window as it goes; `~` lets Redis drop only whole internal nodes (far cheaper than exact
   * trimming at thousands of appends a second), so a little more than the window may stay. Followers
   * start from a time anyway, never from the start of the stream.
   */
  async publish (partition: number, event: PartitionEvent): Promise<string> {
    this.checkPartition(partition)
    const minId = String(Math.max(0, this.clock.now() - this.retentionMs))
    const id = await this.redis.xadd(streamKey(partition), 'MINID', '~', minId, '*', 'e', JSON.stringify(event))
    if (id === null) throw new Error(`XADD to partition ${partition} returned no id`)
    return id
  }

  /** Starts delivering the partition's entries from `start` (replacing an earlier follow of it). */
  follow (partition: number, start: StreamStart): void {
    this.checkPartition(partition)
    if (this.closed) throw new Error('PartitionStreams is closed')
    let lastId: string
    if (typeof start === 'number') {
      lastId = before(start)
    } else {
      if (!STREAM_ID.test(start.afterId)) throw new Error(`not a stream id: ${start.afterId}`)
      lastId = start.afterId
    }
    this.follows.set(partition, { partition, lastId })
    this.ensureLoop()
    this.wake?.()
  }

  /** Stops delivering the partition's entries at once (an XREAD already in flight is discarded for it). */
  unfollow (partition: number): void {
    this.follows.delete(partition)
  }

  following (): number[] {
    return [...this.follows.keys()].sort((a, b) => a - b)
  }

  onEvent (handler: PartitionEventHandler): void {
    this.handlers.push(handler)
  }

  /** Stops reading (within one `blockMs`). The connections stay open: they belong to the caller. */
  async close (): Promise<void> {
    this.closed = true
    this.follows.clear()
    this.wake?.()
    await this.loop
  }

  private checkPartition (partition: number): void {
    if (!Number.isInteger(partition) || partition < 0 || partition >= this.partitions) {
      throw new Error(`partition ${partition} is outside 0..${this.partitions - 1}`)
    }
  }

  private ensureLoop (): void {
    this.loop ??= this.read().catch((err: unknown) => this.log.error({ err }, 'partition stream reader stopped'))
  }

  private async read (): Promise<void> {
    while (!this.closed) {
      const batch = [...this.follows.values()]
      if (batch.length === 0) {
        await new Promise<void>((resolve) => { this.wake = resolve })
        this.wake = undefined
        continue
      }
      let reply: Array<[key: string, items: Array<[id: string, fields: string[]]>]> | null
      try {
        // Each pass reads the set of follows as it is now, so a follow() or unfollow() takes effect at the
        // next pass: within blockMs, or at once when entries are flowing.
        reply = await this.reader.xread('COUNT', 500, 'BLOCK', this.blockMs, 'STREAMS',
          ...batch.map((f) => streamKey(f.partition)), ...batch.map((f) => f.lastId))
      } catch (err) {
        if (this.closed) return
        this.log.warn({ err }, 'reading partition streams failed; retrying')
        await new Promise((resolve) => setTimeout(resolve, this.blockMs))
        continue
      }
      if (reply === null) continue
      for (const [key, entries] of reply) {
        const follow = batch.find((f) => streamKey(f.partition) === key)
        if (follow === undefined) continue
        for (const [id, fields] of entries) {
          // Unfollowed (or followed again from elsewhere) since the read was sent, maybe by a handler.
          if (this.follows.get(follow.partition) !== follow) break
          follow.lastId = id
          this.deliver(follow.partition, id, fields)
        }
      }
    }
  }

  private deliver (partition: number, id: string, fields: string[]): void {
    const event = this.parse(fields)
    if (typeof event === 'string') {
      // The entry's content is not logged: it came from another process and may hold anything.
      this.log.warn({ partition, id, reason: event }, 'malformed partition stream entry skipped')
      return
    }
    for (const handler of this.handlers) {
      try {
        const result: unknown = handler(partition, event, id)
        if (result instanceof Promise) result.catch((err: unknown) => this.log.error({ err, partition, id }, 'partition event handler failed'))
      } catch (err) {
        this.log.error({ err, partition, id }, 'partition event handler failed')
      }
    }
  }

  /** The entry's event, or why it is not one (a reason that quotes nothing of the entry). */
  private parse (fields: string[]): PartitionEvent | string {
    let raw: string | undefined
    for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === 'e') raw = fields[i + 1]
    if (raw === undefined) return 'no "e" field'
    let json: unknown
    try {
      json = JSON.parse(raw)
    } catch {
      return 'not JSON' // V8's message quotes the input
    }
    const parsed = partitionEvent.safeParse(json)
    return parsed.success ? parsed.data : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')
  }
}
