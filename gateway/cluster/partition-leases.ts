// Partition ownership through Redis leases (docs/cluster.md, "Ownership"). Each worker:
// - heartbeats into the sorted set `anju:workers`, scored by when its membership expires;
// - holds partitions with `SET anju:lease:<p> <worker> NX PX leaseMs`, renewed by a compare-and-pexpire;
// - takes free partitions up to its fair share and gives back those above it, so a joining worker gets
//   its share within a few ticks and a crashed worker's partitions are taken once its leases expire.
// Safety rests on one rule: a worker stops acting for a partition (listener.lost) at
// lastRenewal + leaseMs - renewMs, before the lease could expire and be taken by another worker, whether
// the renewal failed, was refused, or Redis cannot be reached at all. (So lost() can come while a slow
// acquired() is still running, if taking over takes longer than that margin.)
import type { Redis } from 'ioredis'
import { systemClock, type Clock } from '../../src/clock.ts'
import type { Logger } from '../logger.ts'
import type { LeaseListener } from './contracts.ts'
import { fairShare, partitionOf } from './partitions.ts'

export const WORKERS_KEY = 'anju:workers'
export const leaseKey = (partition: number): string => `anju:lease:${partition}`

// Compare-and-set scripts: renew or delete the lease only while it still names this worker; a plain
// PEXPIRE or DEL could extend or free a lease that has meanwhile passed to someone else.
const RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end"
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end"

export interface PartitionLeasesOptions {
  /** Commands connection (not a subscriber or a blocked reader). Owned by the caller. */
  redis: Redis
  workerId: string
  partitions: number
  leaseMs: number
  renewMs: number
  log: Logger
  /** Read for lease deadlines and membership expiry; timers are real. */
  clock?: Clock
}

type Results = Array<[error: Error | null, result: unknown]>

export class PartitionLeases {
  private readonly redis: Redis
  private readonly workerId: string
  private readonly partitions: number
  private readonly leaseMs: number
  private readonly renewMs: number
  private readonly log: Logger
  private readonly clock: Clock
  /** The order this worker tries partitions in, starting at a hash of its id so workers spread out. */
  private readonly order: number[]
  /** Owned partitions -> when the last successful SET NX or renewal was sent (the lease runs from later). */
  private readonly held = new Map<number, number>()
  /** Given up at the deadline but maybe still ours in Redis: released at the next tick that reaches it. */
  private readonly orphaned = new Set<number>()
  private listener: LeaseListener | undefined
  private running = false
  private tickTimer: ReturnType<typeof setTimeout> | undefined
  private deadlineTimer: ReturnType<typeof setTimeout> | undefined
  private ticking: Promise<void> | undefined

  constructor (options: PartitionLeasesOptions) {
    if (!(options.renewMs > 0 && options.renewMs * 2 <= options.leaseMs)) {
      // With renewMs > leaseMs / 2 the safety margin (leaseMs - renewMs) is shorter than a renew period.
      throw new Error(`renewMs (${options.renewMs}) must be positive and at most half of leaseMs (${options.leaseMs})`)
    }
    this.redis = options.redis
    this.workerId = options.workerId
    this.partitions = options.partitions
    this.leaseMs = options.leaseMs
    this.renewMs = options.renewMs
    this.log = options.log.child({ module: 'partition-leases', workerId: options.workerId })
    this.clock = options.clock ?? systemClock
    const first = partitionOf(options.workerId, options.partitions)
    this.order = Array.from({ length: options.partitions }, (_, i) => (first + i) % options.partitions)
  }

  start (listener: LeaseListener): void {
    if (this.running) throw new Error('PartitionLeases already started')
    this.listener = listener
    this.running = true
    this.scheduleTick(0)
  }

  /** Gives up every partition (lost() first, then the lease is deleted so another worker takes it at once). */
  async stop (): Promise<void> {
    if (!this.running) return
    this.halt()
    const partitions = [...this.held.keys()]
    for (const p of partitions) this.drop(p, 'stopping')
    const pipe = this.redis.pipeline()
    for (const p of [...partitions, ...this.orphaned]) pipe.eval(RELEASE, 1, leaseKey(p), this.workerId)
    pipe.zrem(WORKERS_KEY, this.workerId)
    this.orphaned.clear()
    // Redis may be down: the leases then expire on their own; stop() must not hang on it.
    await this.bounded(pipe.exec(), 'releasing leases')
    if (this.ticking !== undefined) await this.bounded(this.ticking, 'waiting for the last tick')
  }

  /**
   * Test-only: behave like a crashed process. Ticking stops; nothing is released and lost() is not called,
   * so the leases stay in Redis until they expire. The caller disconnects the Redis connection it owns.
   */
  abandon (): void {
    this.halt()
    this.held.clear()
    this.orphaned.clear()
  }

  owned (): number[] {
    return [...this.held.keys()].sort((a, b) => a - b)
  }

  /** Every partition's current lease holder, as Redis has it (for tests and operators). */
  async owners (): Promise<Map<number, string>> {
    const pipe = this.redis.pipeline()
    for (let p = 0; p < this.partitions; p++) pipe.get(leaseKey(p))
    const results = (await pipe.exec()) ?? []
    const owners = new Map<number, string>()
    results.forEach(([err, value], p) => {
      if (err !== null) throw err
      if (typeof value === 'string') owners.set(p, value)
    })
    return owners
  }

  private halt (): void {
    this.running = false
    clearTimeout(this.tickTimer)
    clearTimeout(this.deadlineTimer)
  }

  private scheduleTick (delay: number): void {
    this.tickTimer = setTimeout(() => {
      const started = this.clock.now()
      // The next tick is scheduled only when this one has finished: ticks never overlap. A tick stuck on
      // an unreachable Redis delays the next, but not the deadlines, which have their own timer.
      this.ticking = this.tick(started)
        .catch((err: unknown) => this.log.warn({ err }, 'lease tick failed'))
        .finally(() => {
          this.ticking = undefined
          if (this.running) this.scheduleTick(Math.max(0, started + this.renewMs - this.clock.now()))
        })
    }, delay)
  }

  private async tick (started: number): Promise<void> {
    // One round trip: renew every owned lease, heartbeat, forget expired members, read the live ones.
    const renewing = [...this.held.keys()]
    const releasing = [...this.orphaned]
    const pipe = this.redis.pipeline()
    for (const p of renewing) pipe.eval(RENEW, 1, leaseKey(p), this.workerId, this.leaseMs)
    for (const p of releasing) pipe.eval(RELEASE, 1, leaseKey(p), this.workerId)
    pipe.zadd(WORKERS_KEY, started + this.leaseMs, this.workerId)
    pipe.zremrangebyscore(WORKERS_KEY, '-inf', started)
    pipe.zrange(WORKERS_KEY, 0, -1)
    const results: Results = (await pipe.exec()) ?? []
    if (!this.running) return

    renewing.forEach((p, i) => {
      const [err, value] = results[i] ?? [new Error('no reply'), null]
      // Only a partition still held: it may have been given up at its deadline while the reply was late.
      if (!this.held.has(p)) return
      if (err !== null) {
        this.log.warn({ err, partition: p }, 'lease renewal failed; keeping the partition until its deadline')
      } else if (value === 1) {
        this.held.set(p, started)
      } else {
        this.drop(p, 'lease no longer ours')
      }
    })
    releasing.forEach((p, i) => { if (results[renewing.length + i]?.[0] === null) this.orphaned.delete(p) })
    this.armDeadline()

    const base = renewing.length + releasing.length
    const [zaddErr] = results[base] ?? [new Error('no reply')]
    const [liveErr, live] = results[base + 2] ?? [new Error('no reply'), null]
    if (zaddErr !== null || liveErr !== null || !Array.isArray(live)) {
      // Without a membership view, neither take nor give back: only renewals count this tick.
      this.log.warn({ err: zaddErr ?? liveErr }, 'membership heartbeat failed')
      return
    }
    const share = fairShare(this.partitions, live as string[]).get(this.workerId) ?? 0
    if (this.held.size > share) await this.giveBack(this.held.size - share)
    else if (this.held.size < share) await this.take(share, started)
  }

  /** Releases the partitions latest in this worker's order, so it keeps a stable, spread set. */
  private async giveBack (count: number): Promise<void> {
    const extra = this.order.filter((p) => this.held.has(p)).slice(-count)
    for (const p of extra) this.drop(p, 'above fair share')
    const pipe = this.redis.pipeline()
    for (const p of extra) pipe.eval(RELEASE, 1, leaseKey(p), this.workerId)
    const results: Results = (await pipe.exec()) ?? []
    // A release that did not reach Redis is retried next tick; until then the lease just runs out.
    extra.forEach((p, i) => { if (results[i]?.[0] !== null) this.orphaned.add(p) })
    this.log.info({ released: extra, owned: this.held.size }, 'released partitions above fair share')
  }

  private async take (share: number, started: number): Promise<void> {
    const candidates = this.order.filter((p) => !this.held.has(p) && !this.orphaned.has(p))
    const pipe = this.redis.pipeline()
    for (const p of candidates) pipe.get(leaseKey(p))
    const results: Results = (await pipe.exec()) ?? []
    const free = candidates.filter((_, i) => results[i]?.[0] === null && results[i]?.[1] === null)
    const listener = this.listener
    for (const p of free) {
      // Keep a tick within about one renew period, so taking many partitions (each acquired() loading
      // state) never delays the renewals of those already held; the rest are taken next tick.
      if (!this.running || listener === undefined || this.held.size >= share) return
      if (this.clock.now() - started >= this.renewMs) return
      const sentAt = this.clock.now()
      const ok = await this.redis.set(leaseKey(p), this.workerId, 'PX', this.leaseMs, 'NX')
      if (ok !== 'OK') continue // another worker took it between the GET and the SET
      if (!this.running) {
        // Stopped or abandoned while the SET was in flight: stop() has already released what it knew of.
        await this.redis.eval(RELEASE, 1, leaseKey(p), this.workerId).catch(() => undefined)
        return
      }
      this.held.set(p, sentAt)
      this.armDeadline()
      this.log.debug({ partition: p }, 'partition acquired')
      try {
        await listener.acquired(p)
      } catch (err) {
        this.log.error({ err, partition: p }, 'taking over the partition failed; releasing it')
        if (this.held.has(p)) {
          // lost() too, so whatever acquired() had started for the partition is torn down.
          this.drop(p, 'acquired() failed')
          await this.redis.eval(RELEASE, 1, leaseKey(p), this.workerId).catch(() => this.orphaned.add(p))
        }
      }
    }
  }

  /** Stops owning a partition: forget it and tell the listener (which must stop acting for it at once). */
  private drop (partition: number, reason: string): void {
    if (!this.held.delete(partition)) return
    this.log.info({ partition, reason }, 'partition lost')
    try {
      this.listener?.lost(partition)
    } catch (err) {
      this.log.error({ err, partition }, 'lease listener lost() threw')
    }
  }

  /** One timer for the earliest deadline (lastRenewal + leaseMs - renewMs) among the held partitions. */
  private armDeadline (): void {
    clearTimeout(this.deadlineTimer)
    if (!this.running || this.held.size === 0) return
    const earliest = Math.min(...this.held.values()) + this.leaseMs - this.renewMs
    this.deadlineTimer = setTimeout(() => this.enforceDeadlines(), Math.max(0, earliest - this.clock.now()))
  }

  private enforceDeadlines (): void {
    const now = this.clock.now()
    for (const [p, renewedAt] of [...this.held]) {
      if (now >= renewedAt + this.leaseMs - this.renewMs) {
        this.drop(p, 'lease not renewed in time')
        this.orphaned.add(p)
      }
    }
    this.armDeadline()
  }

  private async bounded (work: Promise<unknown>, what: string): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined
    const timeout = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), this.leaseMs) })
    const outcome = await Promise.race([work.then(() => 'done', () => 'failed'), timeout])
    clearTimeout(timer)
    if (outcome !== 'done') this.log.warn({ outcome }, `${what}: gave up (the leases expire on their own)`)
  }
}
