// A worker taking over many partitions at once asks for every home's last activity once, not once per
// partition, and each partition sees only its own homes. Only lastActivityByHome is exercised, so the
// store here answers that one question and counts how often it is asked.
import { describe, expect, it } from 'vitest'
import type { TelemetryStore } from '../../src/telemetry.ts'
import { partitionTelemetry, sharedLastActivity } from '../../gateway/cluster/partition-telemetry.ts'
import { FakeTime } from '../helpers/fake-time.ts'

function countingStore (answers: Array<Map<string, number> | Error>): { store: TelemetryStore, asked: () => number } {
  let asked = 0
  const store = {
    lastActivityByHome: async () => {
      const answer = answers[Math.min(asked++, answers.length - 1)] as Map<string, number> | Error
      if (answer instanceof Error) throw answer
      return answer
    }
  } as unknown as TelemetryStore
  return { store, asked: () => asked }
}

describe('takeover history', () => {
  it('is read once for partitions taken over together, cut to each partition\'s homes, and read again later', async () => {
    const time = new FakeTime(0)
    const { store, asked } = countingStore([new Map([['h1', 10], ['h2', 20], ['h3', 30]]), new Map([['h1', 40]])])
    const shared = sharedLastActivity(store, 2_000, time)
    const [p1, p2] = await Promise.all([
      partitionTelemetry(shared, (h) => h === 'h1').lastActivityByHome(),
      partitionTelemetry(shared, (h) => h !== 'h1').lastActivityByHome()
    ])
    expect(p1).toEqual(new Map([['h1', 10]]))
    expect(p2).toEqual(new Map([['h2', 20], ['h3', 30]]))
    time.advance(1_000)
    await shared.lastActivityByHome()
    expect(asked()).toBe(1)
    time.advance(1_500)
    expect(await shared.lastActivityByHome()).toEqual(new Map([['h1', 40]]))
    expect(asked()).toBe(2)
  })

  it('does not share a failed read: the next takeover asks again', async () => {
    const time = new FakeTime(0)
    const { store, asked } = countingStore([new Error('influxdb down'), new Map([['h1', 10]])])
    const shared = sharedLastActivity(store, 2_000, time)
    await expect(shared.lastActivityByHome()).rejects.toThrow('influxdb down')
    expect(await shared.lastActivityByHome()).toEqual(new Map([['h1', 10]]))
    expect(asked()).toBe(2)
  })
})
