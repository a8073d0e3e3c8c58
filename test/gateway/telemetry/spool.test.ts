import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createLogger } from '../../../gateway/logger.ts'
import { Spool } from '../../../gateway/telemetry/spool.ts'

interface LogLine { level: number, msg: string, droppedPoints?: number }

describe('telemetry spool', () => {
  let dir: string
  let logs: LogLine[]
  const open = (maxBytes = 1_000_000): Spool => {
    const sink = new Writable({ write (chunk: Buffer, _enc, done) { logs.push(JSON.parse(chunk.toString()) as LogLine); done() } })
    return new Spool({ path: join(dir, 'spool.db'), maxBytes, log: createLogger('info', sink), clock: { now: () => 0 } })
  }

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'anju-spool-'))
    logs = []
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('hands batches back oldest first and forgets removed ones', () => {
    const spool = open()
    expect(spool.peek()).toBeUndefined()
    spool.append(['a 1', 'a 2'])
    spool.append(['b 1'])
    spool.append(['c 1'])
    expect(spool.peek()?.lines).toEqual(['a 1', 'a 2'])
    expect(spool.peekMany(5).map((b) => b.text)).toEqual(['a 1\na 2', 'b 1', 'c 1'])
    spool.remove(spool.peek()!.seq)
    expect(spool.peek()?.lines).toEqual(['b 1'])
    expect(spool.stats()).toMatchObject({ batches: 2, points: 2, bytes: 6 })
    spool.close()
  })

  it('puts a batch with a reserved seq in front of batches appended after the reservation', () => {
    const spool = open()
    const early = spool.reserveSeq()
    spool.append(['later'])
    spool.append(['earlier'], early)
    expect(spool.peekMany(2).map((b) => b.text)).toEqual(['earlier', 'later'])
    spool.close()
  })

  it('refuses batches beyond the byte bound, counts the dropped points and says so', () => {
    const spool = open(100)
    expect(spool.append(['x'.repeat(70)])).toBe(true)
    expect(logs.filter((l) => l.level === 40)).toHaveLength(0)
    expect(spool.append(['y'.repeat(15)])).toBe(true) // 85 bytes: past 80 %
    expect(logs.filter((l) => l.level === 40)).toHaveLength(1)
    expect(spool.append(['z'.repeat(10), 'w'.repeat(10)])).toBe(false)
    expect(spool.stats()).toMatchObject({ batches: 2, points: 2, bytes: 85, limitBytes: 100, dropped: 2 })
    const full = logs.find((l) => l.level === 50)
    expect(full?.msg).toMatch(/spool FULL/)
    expect(full?.droppedPoints).toBe(2)
    spool.remove(spool.peek()!.seq)
    expect(spool.append(['z'.repeat(10)])).toBe(true)
    spool.close()
  })

  it('keeps its batches, order and totals across close and reopen', () => {
    const first = open()
    for (let i = 0; i < 50; i++) first.append([`m,i=${i} v=1i ${i}`, `m,i=${i} v=2i ${i + 1}`])
    first.remove(first.peek()!.seq)
    first.close()
    const second = open()
    expect(second.stats()).toMatchObject({ batches: 49, points: 98 })
    expect(second.peek()?.lines[0]).toBe('m,i=1 v=1i 1')
    // New appends go behind the old ones, even behind removed seqs.
    second.append(['new'])
    const all = second.peekMany(100)
    expect(all.at(-1)?.text).toBe('new')
    expect(all.map((b) => b.seq)).toEqual([...all.map((b) => b.seq)].sort((a, b) => a - b))
    second.close()
  })

  it('drops one home\'s lines (privacy) and keeps the rest in place', () => {
    const spool = open()
    spool.append(['activity,village=v,home=h1,device=d motion=1i 1', 'activity,village=v,home=h2,device=d motion=1i 2'])
    spool.append(['activity,village=v,home=h1,device=d motion=1i 3'])
    spool.append(['activity,village=v,home=h10,device=d motion=1i 4'])
    expect(spool.filterLines((l) => !l.includes(',home=h1,'))).toBe(2)
    expect(spool.peekMany(5).map((b) => b.text)).toEqual(['activity,village=v,home=h2,device=d motion=1i 2', 'activity,village=v,home=h10,device=d motion=1i 4'])
    expect(spool.stats()).toMatchObject({ batches: 2, points: 2 })
    spool.close()
  })
})
