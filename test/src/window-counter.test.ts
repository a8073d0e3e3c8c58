import { describe, expect, it } from 'vitest'
import { WindowCounter } from '../../src/window-counter.ts'

describe('WindowCounter', () => {
  it('makes a key wait out the rest of its window once it reaches the maximum', () => {
    const c = new WindowCounter(60_000)
    for (let i = 0; i < 3; i++) c.add('a', 1000 + i)
    expect(c.waitMs('a', 4, 2000)).toBe(0)
    c.add('a', 2000)
    expect(c.waitMs('a', 4, 2000)).toBe(59_000)
    expect(c.waitMs('b', 4, 2000)).toBe(0)
    expect(c.waitMs('a', 4, 61_000)).toBe(0)
  })

  it('starts a new window after the old one ended, and undo takes one count back', () => {
    const c = new WindowCounter(1000)
    c.add('a', 0)
    c.add('a', 10)
    c.undo('a')
    expect(c.waitMs('a', 2, 20)).toBe(0)
    c.add('a', 1500)
    c.add('a', 1600)
    expect(c.waitMs('a', 2, 1700)).toBe(800)
    c.clear('a')
    expect(c.waitMs('a', 2, 1700)).toBe(0)
  })
})
