import { describe, expect, it } from 'vitest'
import { eventTime } from '../../src/clock.ts'
import { parseZ2mState } from '../../src/device-payloads.ts'
import { MotionEdges } from '../../src/motion-edges.ts'
import { TokenBucket } from '../../src/token-bucket.ts'

describe('eventTime', () => {
  it('keeps a device stamp within the skew and replaces one outside it', () => {
    expect(eventTime(1_000_000, 1_060_000, 300_000)).toEqual({ ts: 1_000_000, source: 'device' })
    expect(eventTime(1_000_000, 1_400_000, 300_000)).toEqual({ ts: 1_400_000, source: 'gateway' })
    expect(eventTime(2_000_000, 1_400_000, 300_000)).toEqual({ ts: 1_400_000, source: 'gateway' })
    expect(eventTime(undefined, 5, 300_000)).toEqual({ ts: 5, source: 'gateway' })
  })
})

describe('MotionEdges', () => {
  it('counts false→true transitions and a true after the hold time', () => {
    const edges = new MotionEdges(60_000)
    expect(edges.observe('s', true, 0)).toBe(true)
    expect(edges.observe('s', true, 30_000)).toBe(false)
    expect(edges.observe('s', true, 89_000)).toBe(false)
    expect(edges.observe('s', true, 200_000)).toBe(true) // sensor that never sends false
    expect(edges.observe('s', false, 210_000)).toBe(false)
    expect(edges.observe('s', true, 211_000)).toBe(true)
    expect(edges.observe('other', false, 0)).toBe(false)
  })
})

describe('TokenBucket', () => {
  it('admits a burst, then asks to wait, then refuses beyond the allowed debt', () => {
    const bucket = new TokenBucket(10, 3, 0)
    expect([bucket.take(0, 500), bucket.take(0, 500), bucket.take(0, 500)]).toEqual([0, 0, 0])
    expect(bucket.take(0, 500)).toBe(100)
    expect(bucket.take(0, 500)).toBe(200)
    expect(bucket.take(0, 250)).toBe(-1)
    expect(bucket.take(1000, 500)).toBe(0) // refilled after a second
  })
})

describe('Zigbee2MQTT state payloads', () => {
  it.each([['online', 'online'], ['offline', 'offline'], ['{"state":"online"}', 'online'], [' {"state":"offline"} ', 'offline'], ['{"state":"maybe"}', null], ['{', null], ['ONLINE', null]])('%s', (text, expected) => {
    expect(parseZ2mState(text)).toBe(expected)
  })
})
