import { describe, expect, it } from 'vitest'
import { DeadlineScheduler } from '../../../gateway/alerts/deadline-scheduler.ts'
import { FakeTime } from '../../helpers/fake-time.ts'

describe('deadline scheduler', () => {
  it('fires each key once at its latest deadline, in order, on a single timer', () => {
    const time = new FakeTime(0)
    const fired: Array<[string, number]> = []
    const s = new DeadlineScheduler(time, (key) => fired.push([key, time.now()]))
    s.start()
    s.set('a', 300)
    s.set('b', 100)
    s.set('c', 200)
    s.set('b', 250) // moved later: the entry at 100 is stale
    s.delete('c')
    expect(time.armed).toBe(1)
    time.advance(1000)
    expect(fired).toEqual([['b', 250], ['a', 300]])
    expect(s.size).toBe(0)
  })

  it('ensureBy keeps an earlier deadline and takes an earlier one', () => {
    const time = new FakeTime(0)
    const s = new DeadlineScheduler(time, () => {})
    s.ensureBy('k', 500)
    s.ensureBy('k', 900)
    expect(s.get('k')).toBe(500)
    s.ensureBy('k', 100)
    expect(s.get('k')).toBe(100)
  })

  it('carries 100,000 homes with one armed timer and fires every one exactly', () => {
    const time = new FakeTime(0)
    let count = 0
    let late = 0
    const deadlines = new Map<string, number>()
    const s = new DeadlineScheduler(time, (key) => {
      count++
      late = Math.max(late, time.now() - (deadlines.get(key) as number))
    })
    s.start()
    for (let i = 0; i < 100_000; i++) {
      // Every home's deadline moves three times (motion), as it would in a busy hour.
      for (let j = 0; j < 3; j++) {
        const at = 1_000 + ((i * 7919 + j * 104_729) % 3_600_000)
        deadlines.set(`i|h${i}`, at)
        s.set(`i|h${i}`, at)
      }
    }
    expect(time.armed).toBe(1)
    time.advance(3_700_000)
    expect(count).toBe(100_000)
    expect(late).toBe(0)
  })

  it('a handler may set new deadlines while firing; stop disarms', () => {
    const time = new FakeTime(0)
    const fired: number[] = []
    const s = new DeadlineScheduler(time, () => {
      fired.push(time.now())
      if (fired.length < 3) s.set('again', time.now() + 10)
    })
    s.start()
    s.set('again', 10)
    time.advance(100)
    expect(fired).toEqual([10, 20, 30])
    s.set('later', 200)
    s.stop()
    expect(time.armed).toBe(0)
  })
})
