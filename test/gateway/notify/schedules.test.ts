// Scheduled jobs: the daily 每日平安 summary goes to every family contact once a day, the model refresh
// and retention hooks run, stop() stops the tasks; node-cron itself is checked to fire the default
// summary at 20:00 Beijing time without waiting for it.
import { createTask } from 'node-cron'
import { afterEach, describe, expect, it } from 'vitest'
import type { NotifyDeps } from '../../../gateway/notify/notify-service.ts'
import { formatDailySummary, SCHEDULE_TIMEZONE, type ScheduleFn } from '../../../gateway/notify/schedules.ts'
import { openNotify, T0, type NotifyFixture } from './notify-fixture.ts'

const open: Array<() => Promise<unknown>> = []
afterEach(async () => { for (const close of open.splice(0).reverse()) await close() })

interface Captured { expression: string, job: () => Promise<void>, name: string, timezone: string, stopped: boolean }

function capture (): { schedule: ScheduleFn, tasks: Captured[] } {
  const tasks: Captured[] = []
  const schedule: ScheduleFn = (expression, job, options) => {
    const task: Captured = { expression, job, ...options, stopped: false }
    tasks.push(task)
    return { stop: () => { task.stopped = true } }
  }
  return { schedule, tasks }
}

function fixture (jobs: NotifyDeps['jobs']): NotifyFixture {
  const fx = openNotify({ jobs, notify: { smsUrl: 'http://127.0.0.1:9/sms' } })
  open.push(() => fx.close())
  return fx
}

describe('daily summary text', () => {
  it('says how many activities and when the last was, in Beijing time', () => {
    expect(formatDailySummary({ homeLabel: '山下庄 12号', activityCount: 37, lastActivityAt: Date.UTC(2024, 4, 1, 11, 52) }))
      .toBe('【安居·每日平安】山下庄 12号 今天共 37 次活动，最近一次 19:52。')
    expect(formatDailySummary({ homeLabel: '山下庄 12号', activityCount: 0, lastActivityAt: null }))
      .toBe('【安居·每日平安】山下庄 12号 今天没有记录到活动，请打电话问候一下。')
  })
})

describe('schedules', () => {
  it('registers three Beijing-time jobs and stops them', async () => {
    const { schedule, tasks } = capture()
    const fx = fixture({ schedule })
    fx.notify.start()
    expect(tasks.map((t) => [t.name, t.expression, t.timezone])).toEqual([
      ['daily-summary', '0 20 * * *', 'Asia/Shanghai'],
      ['model-refresh', '30 2 * * *', 'Asia/Shanghai'],
      ['retention', '0 3 * * *', 'Asia/Shanghai']
    ])
    await fx.notify.stop()
    expect(tasks.every((t) => t.stopped)).toBe(true)
  })

  it('queues the summary for each family contact on each channel, once per day', async () => {
    const { schedule, tasks } = capture()
    const asked: string[] = []
    const fx = fixture({
      schedule,
      summaryProvider: async (homeId) => { asked.push(homeId); return formatDailySummary({ homeLabel: '山下庄 12号', activityCount: 12, lastActivityAt: T0 }) }
    })
    fx.places.createContact({ id: 'fam-2', homeId: 'h-1', name: '王小红', phone: '13800000002', role: 'family', priority: 1 })
    fx.notify.contactChannels.replace('fam-2', [{ channel: 'mqtt', enabled: true, config: {} }, { channel: 'sms', enabled: true, config: {} }])
    fx.notify.attachMqtt({} as never) // the channel exists; nothing is sent because the outbox is not started
    fx.notify.schedules.start()
    const summary = tasks.find((t) => t.name === 'daily-summary')!

    await summary.job()
    await summary.job()
    expect(asked).toEqual(['h-1', 'h-1'])
    const rows = fx.db.prepare('SELECT recipient, channel, kind, payload FROM outbox ORDER BY recipient, channel').all() as Array<{ recipient: string, channel: string, kind: string, payload: string }>
    expect(rows.map((r) => [r.recipient, r.channel, r.kind])).toEqual([
      ['fam-1', 'sms', 'daily_summary'], // no channels configured: SMS to the registry phone
      ['fam-2', 'mqtt', 'daily_summary'],
      ['fam-2', 'sms', 'daily_summary']
    ])
    expect(JSON.parse(rows[0]!.payload)).toMatchObject({ text: '【安居·每日平安】山下庄 12号 今天共 12 次活动，最近一次 10:00。', data: { homeId: 'h-1', day: '2024-05-01' } })
  })

  it('runs the model refresh and every retention job even when one fails, and prunes old outbox rows', async () => {
    const { schedule, tasks } = capture()
    const ran: string[] = []
    const fx = fixture({
      schedule,
      modelRefresh: () => { ran.push('model') },
      retention: [() => { throw new Error('telemetry retention failed') }, () => { ran.push('alerts retention') }]
    })
    fx.notify.enqueue({ alertId: null, recipient: 'fam-1', channel: 'sms', kind: 'daily_summary', text: 'old', data: {} })
    fx.db.prepare('UPDATE outbox SET next_attempt_at = NULL, delivered_at = created_at').run()
    fx.time.advance(31 * 86_400_000)
    fx.notify.schedules.start()
    for (const task of tasks) await task.job()
    expect(ran).toEqual(['model', 'alerts retention'])
    expect(fx.db.prepare('SELECT COUNT(*) AS n FROM outbox').get()).toEqual({ n: 0 })
    expect(fx.logs.find((l) => l.level === 50 && l.job === 'retention')).toBeDefined()
  })

  it('node-cron runs the default summary expression at 20:00 Beijing time (12:00 UTC)', async () => {
    const task = createTask('0 20 * * *', () => {}, { timezone: SCHEDULE_TIMEZONE })
    try {
      expect(task.match(new Date(Date.UTC(2024, 4, 1, 12, 0)))).toBe(true)
      expect(task.match(new Date(Date.UTC(2024, 4, 1, 20, 0)))).toBe(false)
      const [next] = task.getNextRuns(1)
      expect([next?.getUTCHours(), next?.getUTCMinutes()]).toEqual([12, 0])
    } finally {
      await task.destroy()
    }
  })
})
