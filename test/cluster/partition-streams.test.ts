// Partition event streams on a real redis-server: a new owner replays what arrived before it took over, in
// order, then follows live; unfollowing stops delivery; malformed entries and a failing handler do not
// stop the reader; old entries are trimmed by the retention window.
import { Redis } from 'ioredis'
import { Writable } from 'node:stream'
import { afterEach, beforeEach, expect, it } from 'vitest'
import type { PartitionEvent } from '../../gateway/cluster/contracts.ts'
import { PartitionStreams, streamKey } from '../../gateway/cluster/partition-streams.ts'
import { createLogger } from '../../gateway/logger.ts'
import { describeWithRedis, useRedis } from '../helpers/redis.ts'

const PARTITIONS = 8
const BLOCK_MS = 200

const activity = (homeId: string, at: number): PartitionEvent =>
  ({ type: 'activity', event: { homeId, deviceId: `${homeId}-pir`, at, timeSource: 'device' } })

interface Received { partition: number, event: PartitionEvent, id: string }

async function waitFor (what: string, condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const started = Date.now()
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }
const ats = (received: Received[], partition: number): number[] =>
  received.filter((r) => r.partition === partition).map((r) => r.event.type === 'activity' ? r.event.event.at : -1)

describeWithRedis('partition streams (real redis-server)', () => {
  const service = useRedis()
  let connections: Redis[] = []
  let opened: PartitionStreams[] = []
  let logLines: string[] = []

  const streams = (retentionMs = 60_000): { streams: PartitionStreams, received: Received[] } => {
    const redis = new Redis(service.server.url)
    const reader = new Redis(service.server.url)
    connections.push(redis, reader)
    const log = createLogger('warn', new Writable({ write (chunk: Buffer, _enc, done) { logLines.push(chunk.toString()); done() } }))
    const s = new PartitionStreams({ redis, reader, partitions: PARTITIONS, retentionMs, log, blockMs: BLOCK_MS })
    const received: Received[] = []
    s.onEvent((partition, event, id) => { received.push({ partition, event, id }) })
    opened.push(s)
    return { streams: s, received }
  }

  beforeEach(async () => {
    logLines = []
  })
  afterEach(async () => {
    await Promise.all(opened.map(async (s) => await s.close()))
    for (const c of connections) c.disconnect()
    opened = []
    connections = []
  })

  it('replays a partition from a time in the past, in order, then delivers live entries', async () => {
    const { streams: publisher } = streams()
    const start = Date.now()
    const ids: string[] = []
    for (let i = 0; i < 5; i++) {
      ids.push(await publisher.publish(3, activity('home-3', i)))
      await publisher.publish(5, activity('home-5', 100 + i))
    }

    const { streams: owner, received } = streams()
    owner.follow(3, start - 1000)
    await waitFor('the replay of partition 3', () => received.length >= 5)
    expect(ats(received, 3)).toEqual([0, 1, 2, 3, 4])
    expect(received.map((r) => r.id)).toEqual(ids)
    expect(received[0]?.event).toEqual(activity('home-3', 0))

    // Live: published after the follow, delivered without a further follow().
    const sent = Date.now()
    await publisher.publish(3, activity('home-3', 5))
    await waitFor('a live entry', () => received.length === 6)
    expect(Date.now() - sent).toBeLessThan(1000)
    expect(ats(received, 5)).toEqual([]) // never followed
  })

  it('starts a partition from a time (nothing older) or just after a committed id', async () => {
    const { streams: publisher } = streams()
    const ids: string[] = []
    for (let i = 0; i < 4; i++) ids.push(await publisher.publish(1, activity('home-1', i)))
    await sleep(5)
    const now = Date.now()
    await publisher.publish(2, activity('home-2', 0))

    const { streams: owner, received } = streams()
    owner.follow(1, { afterId: ids[1]! })
    owner.follow(2, now)
    await waitFor('both partitions', () => received.length >= 3)
    await publisher.publish(2, activity('home-2', 1))
    await waitFor('the live entry', () => received.length >= 4)
    await sleep(3 * BLOCK_MS)
    expect(ats(received, 1)).toEqual([2, 3])
    expect(ats(received, 2)).toEqual([0, 1])

    // Nothing older than the start time: a follow from now replays nothing already there.
    const { streams: late, received: lateReceived } = streams()
    late.follow(1, Date.now() + 1)
    await sleep(3 * BLOCK_MS)
    expect(lateReceived).toEqual([])
  })

  it('picks up a partition followed later and stops delivering one unfollowed', async () => {
    const { streams: publisher } = streams()
    const { streams: owner, received } = streams()
    owner.follow(0, Date.now())
    await publisher.publish(0, activity('home-0', 1))
    await waitFor('partition 0', () => received.length === 1)

    // Followed while the reader is blocked on partition 0 alone: taken up within a block period or so.
    await publisher.publish(4, activity('home-4', 1))
    owner.follow(4, Date.now() - 10_000)
    await waitFor('partition 4', () => ats(received, 4).length === 1, 4 * BLOCK_MS)

    owner.unfollow(0)
    expect(owner.following()).toEqual([4])
    await publisher.publish(0, activity('home-0', 2))
    await publisher.publish(4, activity('home-4', 2))
    await waitFor('partition 4 still flowing', () => ats(received, 4).length === 2)
    await sleep(3 * BLOCK_MS)
    expect(ats(received, 0)).toEqual([1])
  })

  it('skips malformed entries without logging their content, and survives a throwing handler', async () => {
    const { streams: publisher } = streams()
    const { streams: owner, received } = streams()
    let thrown = 0
    owner.onEvent(() => { thrown++; throw new Error('handler bug') })
    owner.follow(6, Date.now() - 1000)

    await service.admin.xadd(streamKey(6), '*', 'e', 'secret-looking {not json')
    await service.admin.xadd(streamKey(6), '*', 'e', JSON.stringify({ type: 'activity', event: { homeId: 'h', at: 'yesterday' } }))
    await service.admin.xadd(streamKey(6), '*', 'other', 'field')
    await publisher.publish(6, activity('home-6', 1))
    await publisher.publish(6, { type: 'command', command: { kind: 'resolve', alertId: 'a1', by: 'console:1', outcome: 'resident_ok', note: null } })

    await waitFor('the valid entries', () => received.length === 2)
    expect(received[0]?.event).toEqual(activity('home-6', 1))
    expect(received[1]?.event).toEqual({ type: 'command', command: { kind: 'resolve', alertId: 'a1', by: 'console:1', outcome: 'resident_ok', note: null } })
    expect(thrown).toBe(2)
    expect(logLines.filter((l) => l.includes('malformed partition stream entry skipped'))).toHaveLength(3)
    expect(logLines.filter((l) => l.includes('partition event handler failed'))).toHaveLength(2)
    expect(logLines.join('')).not.toContain('secret-looking')
    expect(logLines.join('')).not.toContain('yesterday')
  })

  it('trims entries older than the retention window as new ones are added', async () => {
    const retentionMs = 300
    const { streams: publisher } = streams(retentionMs)
    for (let i = 0; i < 300; i++) await publisher.publish(7, activity('home-7', i))
    await sleep(retentionMs + 100)
    const last = await publisher.publish(7, activity('home-7', 300))

    // MINID ~ drops whole internal nodes (at most 100 entries or 4 KB each): most old entries are gone.
    const length = await service.admin.xlen(streamKey(7))
    expect(length).toBeLessThan(150)

    const { streams: owner, received } = streams(retentionMs)
    owner.follow(7, 0)
    await waitFor('the replay', () => received.length === length)
    const replayed = ats(received, 7)
    expect(replayed.at(-1)).toBe(300)
    expect(received.at(-1)?.id).toBe(last)
    expect(replayed).toEqual([...replayed].sort((a, b) => a - b))
  })
})
