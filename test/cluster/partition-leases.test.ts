// Partition leases on a real redis-server: every partition has exactly one owner, the split is fair, a
// joining worker gets its share, a crashed worker's partitions are taken after its leases run out, and
// when Redis goes away every worker stops acting before any lease could have passed to someone else.
import { Redis } from 'ioredis'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createLogger } from '../../gateway/logger.ts'
import { leaseKey, PartitionLeases } from '../../gateway/cluster/partition-leases.ts'
import { fairShare, partitionOf } from '../../gateway/cluster/partitions.ts'
import { describeWithRedis, startRedis, useRedis } from '../helpers/redis.ts'

const PARTITIONS = 16
const LEASE_MS = 1500
const RENEW_MS = 300
const log = createLogger(process.env.ANJU_TEST_LOG ?? 'silent')

/** What the listeners were told, across all workers: who currently owns each partition. */
class Ownership {
  readonly current = new Map<number, Set<string>>()
  /** A partition acquired while another worker still owned it: must stay empty. */
  readonly doubles: string[] = []
  readonly lostAt = new Map<string, Map<number, number>>()

  listener (workerId: string): { acquired: (p: number) => void, lost: (p: number) => void } {
    return {
      acquired: (p) => {
        const owners = this.current.get(p) ?? new Set<string>()
        if (owners.has(workerId)) this.doubles.push(`${workerId} acquired ${p} twice`)
        else if (owners.size > 0) this.doubles.push(`${workerId} acquired ${p} while ${[...owners].join(',')} owned it`)
        owners.add(workerId)
        this.current.set(p, owners)
      },
      lost: (p) => {
        this.current.get(p)?.delete(workerId)
        const lost = this.lostAt.get(workerId) ?? new Map<number, number>()
        lost.set(p, Date.now())
        this.lostAt.set(workerId, lost)
      }
    }
  }

  /** A crashed process owns nothing, though it never said so. */
  forget (workerId: string): void {
    for (const owners of this.current.values()) owners.delete(workerId)
  }

  counts (): Map<string, number> {
    const counts = new Map<string, number>()
    for (const owners of this.current.values()) for (const w of owners) counts.set(w, (counts.get(w) ?? 0) + 1)
    return counts
  }

  /** Every partition has exactly one owner. */
  complete (): boolean {
    for (let p = 0; p < PARTITIONS; p++) if (this.current.get(p)?.size !== 1) return false
    return true
  }
}

interface Worker { id: string, redis: Redis, leases: PartitionLeases }

async function waitFor (what: string, condition: () => boolean, timeoutMs: number): Promise<number> {
  const started = Date.now()
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  return Date.now() - started
}

function fair (counts: Map<string, number>, workers: number, low: number, high: number): boolean {
  return counts.size === workers && [...counts.values()].every((n) => n >= low && n <= high)
}

describe('partitions', () => {
  it('maps a home to the same partition on every worker and every version (a change would re-home alerts)', () => {
    // Fixed values: SHA-1 of the id, first 4 bytes big-endian, mod the partition count.
    expect(partitionOf('home-1', 256)).toBe(141)
    expect(partitionOf('h-000123', 256)).toBe(138)
    expect(partitionOf('home-1', 16)).toBe(13)
  })

  it('spreads homes evenly over the partitions', () => {
    const counts = new Array<number>(256).fill(0)
    for (let i = 0; i < 25_600; i++) {
      const p = partitionOf(`home-${i}`, 256)
      counts[p] = (counts[p] ?? 0) + 1
    }
    // 100 per partition on average; a uniform hash keeps every partition within about ±40 % of that.
    expect(Math.min(...counts)).toBeGreaterThan(60)
    expect(Math.max(...counts)).toBeLessThan(140)
  })

  it('gives every live worker floor or ceil of the partitions per worker, adding up to all of them', () => {
    expect([...fairShare(16, ['c', 'a', 'b'])]).toEqual([['a', 6], ['b', 5], ['c', 5]])
    expect([...fairShare(16, ['a', 'b', 'c', 'd']).values()]).toEqual([4, 4, 4, 4])
    expect([...fairShare(256, ['w1', 'w2', 'w3']).values()].reduce((a, b) => a + b)).toBe(256)
    expect(fairShare(16, []).size).toBe(0)
  })
})

describeWithRedis('partition leases (real redis-server)', () => {
  const redis = useRedis()
  let workers: Worker[] = []
  let ownership: Ownership

  const join = (id: string, url = redis.server.url, failOn?: number): Worker => {
    const redis = new Redis(url, { lazyConnect: false })
    redis.on('error', () => { /* reconnects are expected in the Redis-down test */ })
    const leases = new PartitionLeases({ redis, workerId: id, partitions: PARTITIONS, leaseMs: LEASE_MS, renewMs: RENEW_MS, log })
    const listener = ownership.listener(id)
    leases.start({
      acquired: (p) => {
        if (p === failOn) throw new Error(`cannot load partition ${p}`)
        listener.acquired(p)
      },
      lost: listener.lost
    })
    const worker = { id, redis, leases }
    workers.push(worker)
    return worker
  }

  beforeEach(async () => {
    ownership = new Ownership()
    workers = []
  })
  afterEach(async () => {
    await Promise.all(workers.map(async (w) => await w.leases.stop()))
    for (const w of workers) w.redis.disconnect()
  })

  it('splits 16 partitions fairly over 3 workers, then gives a 4th its share without double ownership', async () => {
    join('worker-a')
    join('worker-b')
    join('worker-c')
    await waitFor('a fair split over 3 workers', () => ownership.complete() && fair(ownership.counts(), 3, 5, 6), 10 * RENEW_MS)
    // Redis agrees with what the listeners were told.
    const owners = await workers[0]!.leases.owners()
    expect(owners.size).toBe(PARTITIONS)
    for (const w of workers) {
      expect(w.leases.owned()).toEqual([...owners].filter(([, id]) => id === w.id).map(([p]) => p))
    }

    join('worker-d')
    const took = await waitFor('the 4th worker\'s share', () => ownership.complete() && fair(ownership.counts(), 4, 4, 4), 8 * RENEW_MS)
    expect(took).toBeLessThan(8 * RENEW_MS)
    expect(ownership.doubles).toEqual([])
  })

  it('hands a crashed worker\'s partitions to the survivors within leaseMs + 2 renew periods', async () => {
    join('worker-a')
    join('worker-b')
    const victim = join('worker-c')
    await waitFor('a fair split', () => ownership.complete() && fair(ownership.counts(), 3, 5, 6), 10 * RENEW_MS)
    const orphaned = victim.leases.owned()
    expect(orphaned.length).toBeGreaterThanOrEqual(5)

    // A crash: no lost(), no release, the connection simply goes away; its leases stay in Redis.
    victim.leases.abandon()
    victim.redis.disconnect()
    ownership.forget(victim.id)
    workers = workers.filter((w) => w !== victim)

    const took = await waitFor('the survivors to own every partition', () => ownership.complete(), LEASE_MS + 2 * RENEW_MS + 1000)
    expect(took).toBeLessThanOrEqual(LEASE_MS + 2 * RENEW_MS)
    // Not before the crashed worker's leases could have run out.
    expect(took).toBeGreaterThan(LEASE_MS - 2 * RENEW_MS)
    await waitFor('a fair split over the survivors', () => fair(ownership.counts(), 2, 8, 8), 5 * RENEW_MS)
    expect(ownership.doubles).toEqual([])
  })

  it('hands a stopped worker\'s partitions over at once (stop() releases its leases)', async () => {
    join('worker-a')
    const leaving = join('worker-b')
    await waitFor('a fair split', () => ownership.complete() && fair(ownership.counts(), 2, 8, 8), 10 * RENEW_MS)

    await leaving.leases.stop()
    // lost() came for every partition it held, before the leases were deleted.
    expect(leaving.leases.owned()).toEqual([])
    expect(ownership.counts().get(leaving.id)).toBeUndefined()
    const took = await waitFor('the other worker to own every partition', () => ownership.complete(), LEASE_MS)
    expect(took).toBeLessThan(LEASE_MS / 2)
    expect(ownership.doubles).toEqual([])
  })

  it('gives back a partition whose takeover failed, so another worker takes it', async () => {
    const failing = join('worker-a', redis.server.url, 3)
    join('worker-b')
    await waitFor('every partition owned', () => ownership.complete() && fair(ownership.counts(), 2, 8, 8), 10 * RENEW_MS)
    expect(ownership.current.get(3)).toEqual(new Set(['worker-b']))
    expect(failing.leases.owned()).not.toContain(3)
    expect(ownership.doubles).toEqual([])
  })

  it('when Redis goes away, every worker drops every partition before its lease could expire', async () => {
    // Its own Redis: this test shuts it down.
    const doomed = await startRedis()
    try {
      for (const id of ['worker-a', 'worker-b', 'worker-c']) join(id, doomed.url)
      await waitFor('a fair split', () => ownership.complete() && fair(ownership.counts(), 3, 5, 6), 10 * RENEW_MS)
      const holders = new Map(workers.map((w) => [w.id, w.leases.owned()]))

      // Freeze the leases, read what is left of each, then kill Redis. CLIENT PAUSE WRITE holds every
      // script (so every renewal) while reads still run: no renewal lands between the reading and the kill,
      // and each worker's last successful renewal came before the pause.
      const control = new Redis(doomed.url)
      control.on('error', () => { /* killed under it */ })
      await control.call('CLIENT', 'PAUSE', '60000', 'WRITE')
      const before = Date.now()
      const replies = (await control.pipeline(Array.from({ length: PARTITIONS }, (_, p) => ['pttl', leaseKey(p)])).exec()) ?? []
      doomed.kill()
      control.disconnect()
      const expiresAt = new Map<number, number>()
      replies.forEach(([err, ttl], p) => {
        if (err === null && typeof ttl === 'number' && ttl > 0) expiresAt.set(p, before + ttl)
      })
      expect(expiresAt.size).toBe(PARTITIONS)

      await waitFor('every worker to drop every partition', () => [...ownership.current.values()].every((o) => o.size === 0), LEASE_MS + 1000)
      for (const [id, held] of holders) {
        const lost = ownership.lostAt.get(id)
        for (const p of held) {
          const at = lost?.get(p)
          expect(at, `${id} lost ${p}`).toBeDefined()
          expect(at ?? Infinity, `${id} dropped ${p} before its lease ran out`).toBeLessThan(expiresAt.get(p) ?? 0)
        }
      }
      expect(ownership.doubles).toEqual([])
    } finally {
      // stop() must not hang on a dead Redis: it gives up on releasing after about leaseMs.
      await Promise.all(workers.map(async (w) => await w.leases.stop()))
      for (const w of workers) w.redis.disconnect()
      workers = []
      await doomed.stop()
    }
  })
})
