// A tiny stand-in for the gateway's TV API (contract: src/tv/tv-api.ts), for developing and checking the
// TV app before and apart from the real server. Every answer is validated against the contract's zod
// schemas, so the app is only ever exercised with contract-valid data. Run it by hand:
//   npx tsx test/tv-app/fixture-server.ts 8088   → http://127.0.0.1:8088/tv/
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify'
import { pairStartResponse, pairStatusResponse, tvState, tvStatementDetail, type TvBroadcast, type TvCheckIn, type TvState, type TvStatementDetail } from '../../src/tv/tv-api.ts'
import { tvAppRoutes } from '../../gateway/tv/tv-app-routes.ts'

const MIN = 60_000
const DAY = 86_400_000

export function demoState (now: number, paired: boolean): TvState {
  const notice = (id: string, category: 'party' | 'study' | 'safety' | 'health' | 'general', title: string, ago: number, priority: 'normal' | 'high' | 'urgent' = 'normal') => ({
    id, category, title, priority, target: 'village' as const, publishedAt: now - ago, startsAt: now - ago, endsAt: null,
    body: title + '。\n请各位村民相互转告。\n山下庄村村民委员会',
    images: category === 'study' ? [{ url: '/tv/img/' + id + '.jpg', caption: '党员学习现场' }] : []
  })
  const st = (id: string, title: string, periodStart: string, periodEnd: string, correction: TvState['statements'][number]['correction'], revision: number) => ({
    id, periodKind: 'month' as const, periodStart, periodEnd, title, revision, correction, publishedAt: now - 5 * DAY, reviewedBy: '村务监督委员会 李建国', reviewedAt: now - 6 * DAY,
    incomeCents: 12_345_600, expenseCents: 8_765_400, entryCount: 23
  })
  return tvState.parse({
    generatedAt: now,
    screen: { paired, screenId: paired ? 'scr-1' : null, villageId: 'v-1', villageName: '山下庄村' },
    notices: [
      notice('n1', 'general', '关于开展冬季农田水利建设的通知', 2 * DAY, 'high'),
      notice('n2', 'party', '十一月主题党日活动安排', 3 * DAY),
      notice('n3', 'study', '学习贯彻党的二十届四中全会精神', 4 * DAY),
      notice('n4', 'safety', '冬季用火用电安全提醒', 1 * DAY),
      notice('n5', 'health', '65岁以上老人免费体检通知', 6 * DAY),
      notice('n6', 'party', '支部委员会会议纪要公示', 8 * DAY)
    ],
    meetings: [
      { id: 'm1', kind: 'theme_day', title: '主题党日:走访独居老人', startsAt: now + 2 * DAY, endsAt: now + 2 * DAY + 2 * 60 * MIN, place: '村委会二楼会议室', note: null },
      { id: 'm2', kind: 'party_lecture', title: '党课:基层治理网格化', startsAt: now + 9 * DAY, endsAt: null, place: '文化礼堂', note: '请带笔记本' },
      { id: 'm3', kind: 'branch_assembly', title: '支部党员大会', startsAt: now - 10 * DAY, endsAt: null, place: '村委会', note: null }
    ],
    careVisits: [{ id: 'c1', startsAt: now + DAY, endsAt: now + DAY + 3 * 60 * MIN, team: '古林镇卫生院家庭医生团队', place: '村卫生室', services: '量血压 · 测血糖 · 配药' }],
    statements: [
      st('s1', '2026年10月村级财务收支公示', '2026-10-01', '2026-10-31', { reason: '第3笔收入金额录入有误', supersedesId: 's0' }, 2),
      st('s2', '2026年9月村级财务收支公示', '2026-09-01', '2026-09-30', null, 1)
    ],
    broadcast: null,
    household: paired
      ? {
          homeId: 'h-1', homeLabel: '山下庄 12号', monitored: true,
          care: { status: 'normal', lastActivityAt: now - 20 * MIN, hourly: [0, 0, 0, 0, 0, 0, 3, 8, 12, 6, 4, 5, 9, 3, 2, 4, 6, 7, 5, 3, 1, 0, 0, 0], awayUntil: null },
          alerts: [{ id: 'a1', type: 'inactivity', state: 'resolved', openedAt: now - 3 * DAY, resolvedAt: now - 3 * DAY + 20 * MIN, statusText: '老人已报平安' }],
          checkIn: null
        }
      : null
  })
}

export function demoDetail (id: string, page: number, now: number): TvStatementDetail {
  const state = demoState(now, false)
  const statement = state.statements.find((s) => s.id === id) ?? state.statements[0]!
  const entries = Array.from({ length: 10 }, (_, i) => {
    const seq = (page - 1) * 10 + i + 1
    return { seq, date: '2026-10-' + String(1 + seq).padStart(2, '0'), voucherNo: '记-' + seq, accountCode: '5' + (seq % 4), accountName: ['经营收入', '管理费用', '公益支出', '补助收入'][seq % 4]!, summary: ['村集体厂房租金', '村办公用品采购', '道路路灯维修', '上级转移支付'][seq % 4]!, incomeCents: seq % 4 === 0 || seq % 4 === 3 ? 100_000 * seq : 0, expenseCents: seq % 4 === 1 || seq % 4 === 2 ? 20_000 * seq : 0, handler: '王会计', approver: '张书记' }
  })
  return tvStatementDetail.parse({
    statement,
    totals: [
      { accountCode: '50', accountName: '经营收入', incomeCents: 8_000_000, expenseCents: 0 },
      { accountCode: '53', accountName: '补助收入', incomeCents: 4_345_600, expenseCents: 0 },
      { accountCode: '51', accountName: '管理费用', incomeCents: 0, expenseCents: 2_765_400 },
      { accountCode: '52', accountName: '公益支出', incomeCents: 0, expenseCents: 6_000_000 }
    ],
    changes: statement.correction ? [{ seq: 3, field: 'incomeCents', before: '3,000.00', after: '300.00' }] : [],
    page,
    pageCount: 3,
    entries
  })
}

export interface Fixture {
  app: FastifyInstance
  /** Mutable: what the next /tv/api/state answers. */
  control: { broadcast: TvBroadcast | null, checkIn: TvCheckIn | null, revoked: boolean, down: boolean, checkins: string[] }
  push (event: string, data: unknown): void
}

export async function startFixture (port = 0): Promise<Fixture & { url: string }> {
  const app = Fastify()
  const control: Fixture['control'] = { broadcast: null, checkIn: null, revoked: false, down: false, checkins: [] }
  const streams = new Set<FastifyReply>()
  let pairing: { id: string, code: string, polls: number } | null = null
  const TOKEN = 'fixture-token-0123456789'
  const authed = (h: string | undefined): boolean => h === 'Bearer ' + TOKEN && !control.revoked
  await app.register(tvAppRoutes)
  app.addHook('onRequest', async (req, reply) => { if (control.down && req.url.startsWith('/tv/api/')) return reply.code(503).send({ error: 'DOWN' }) })
  app.get('/tv/api/state', async (req, reply) => {
    const auth = req.headers.authorization
    if (auth && !authed(auth)) return reply.code(401).send({ error: 'SCREEN_REVOKED' })
    const s = demoState(Date.now(), !!auth)
    s.broadcast = control.broadcast
    if (s.household) s.household.checkIn = control.checkIn
    return tvState.parse(s)
  })
  app.get('/tv/api/finance/:id', async (req) => demoDetail((req.params as { id: string }).id, Number((req.query as { page?: string }).page ?? 1), Date.now()))
  app.post('/tv/api/checkin', async (req) => { control.checkins.push((req.body as { alertId: string }).alertId); control.checkIn = null; return { ok: true } })
  app.post('/tv/api/away', async () => ({ ok: true }))
  app.post('/tv/api/pair/start', async () => {
    pairing = { id: 'pairing-' + Math.random().toString(36).slice(2).padEnd(24, 'x'), code: String(100000 + Math.floor(Math.random() * 900000)), polls: 0 }
    return pairStartResponse.parse({ code: pairing.code, pairingId: pairing.id, expiresAt: Date.now() + 10 * MIN })
  })
  app.get('/tv/api/pair/:id', async (req) => {
    if (!pairing || pairing.id !== (req.params as { id: string }).id) return pairStatusResponse.parse({ state: 'expired' })
    // Paired on the third poll, as if a clerk typed the code in meanwhile.
    return pairStatusResponse.parse(++pairing.polls >= 3 ? { state: 'paired', token: TOKEN } : { state: 'waiting' })
  })
  app.get('/tv/api/events', (req, reply) => {
    reply.hijack()
    reply.raw.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' })
    reply.raw.write('retry: 2000\n\n')
    streams.add(reply)
    req.raw.on('close', () => streams.delete(reply))
  })
  app.addHook('onClose', async () => { for (const r of streams) r.raw.end() })
  const url = await app.listen({ port, host: '127.0.0.1' })
  return {
    app,
    control,
    url,
    push (event, data) { for (const r of streams) r.raw.write('event: ' + event + '\ndata: ' + JSON.stringify(data) + '\n\n') }
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, ''))) {
  const f = await startFixture(Number(process.argv[2] ?? 8088))
  console.log('TV app fixture: ' + f.url + '/tv/')
}
