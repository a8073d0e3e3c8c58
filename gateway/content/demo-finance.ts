// Demo ledgers of 山下庄村's collective economy for the last two quarters and last month, published
// through the real workflow (draft → entries → submit → approve) so they are validated and hash-chained.
// Account codes are the first-level codes of the 村集体经济组织会计制度 chart (财会〔2004〕12号): 501 经营收入,
// 502 经营支出, 511 发包及上交收入, 522 补助收入, 531 其他收入, 541 管理费用, 551 其他支出; 公益支出 is
// kept as the sub-account 551002 as many Zhejiang villages do, so it totals on its own line.
import { entriesInput, statementInput, type EntryInput } from '../../src/content/finance-schemas.ts'
import type { ContentService } from './content-service.ts'

const ACCOUNTS: Record<string, string> = {
  501: '经营收入', 502: '经营支出', 511: '发包及上交收入', 522: '补助收入', 531: '其他收入', 541: '管理费用', 551002: '公益支出'
}

/** [month of the period (0-based), day, account code, summary, yuan: + income, - expense]. */
type Line = [number, number, string, string, number]

const QUARTER: Line[] = [
  [0, 3, '501', '村集体标准厂房租金(本季度)', 186_000],
  [0, 5, '511', '村东鱼塘承包金', 24_500],
  [0, 8, '541', '村两委干部基本报酬', -38_400],
  [0, 12, '551002', '村道及公共区域保洁费', -6_800],
  [0, 15, '551002', '路灯电费', -3_126.4],
  [0, 20, '541', '办公用品及报刊订阅', -1_865.5],
  [0, 26, '522', '村级组织运转经费补助', 60_000],
  [1, 2, '501', '农贸市场摊位出租收入', 32_400],
  [1, 6, '502', '标准厂房屋顶防水维修', -18_750],
  [1, 10, '551002', '居家养老服务中心老年食堂补贴', -9_600],
  [1, 14, '541', '村委会办公楼水电费', -2_311.8],
  [1, 18, '511', '茶园承包金', 15_000],
  [1, 25, '551002', '防台防汛物资采购(沙袋、雨衣、手电)', -4_280],
  [2, 4, '522', '美丽乡村建设以奖代补资金', 120_000],
  [2, 9, '551002', '村文化礼堂活动经费', -5_200],
  [2, 13, '541', '村民代表会议误工补贴', -3_600],
  [2, 17, '531', '银行存款利息', 1_268.35],
  [2, 22, '551002', '困难老人节日慰问', -6_000],
  [2, 27, '502', '厂房消防设施年检', -3_500]
]

const MONTH: Line[] = [
  [0, 2, '501', '村集体标准厂房租金(本月)', 62_000],
  [0, 5, '511', '村东鱼塘承包金(分期)', 8_000],
  [0, 8, '541', '村两委干部基本报酬', -12_800],
  [0, 10, '551002', '村道及公共区域保洁费', -2_300],
  [0, 12, '551002', '路灯电费', -1_046.2],
  [0, 15, '541', '村务公开栏更新及打印费', -680],
  [0, 18, '522', '农村生活垃圾分类专项补助', 15_000],
  [0, 20, '551002', '老年食堂补贴', -3_200],
  [0, 24, '541', '网格员通讯补贴', -1_500],
  [0, 27, '502', '农贸市场下水道疏通', -1_850]
]

const pad = (n: number): string => String(n).padStart(2, '0')

function monthOf (year: number, month0: number): { y: number, m: number } {
  return { y: year + Math.floor(month0 / 12), m: ((month0 % 12) + 12) % 12 + 1 }
}

function toEntries (lines: Line[], year: number, firstMonth0: number, prefix: string): EntryInput[] {
  return lines.map(([mi, day, code, summary, yuan], i) => {
    const { y, m } = monthOf(year, firstMonth0 + mi)
    const cents = Math.round(Math.abs(yuan) * 100)
    return {
      date: `${y}-${pad(m)}-${pad(Math.min(day, 28))}`, voucherNo: `${prefix}-${pad(i + 1)}`, accountCode: code,
      accountName: ACCOUNTS[code] ?? '其他', summary, income: yuan > 0 ? cents : 0, expense: yuan < 0 ? cents : 0,
      handler: '张丽萍', approver: '王建国'
    }
  })
}

const CLERK = 'clerk-demo'
const REVIEWER = 'jiandu-demo'

function publish (content: ContentService, input: Parameters<ContentService['finance']['create']>[0], entries: EntryInput[]): string {
  const { id } = content.finance.create(statementInput.parse(input))
  content.finance.setEntries(id, entriesInput.parse(entries), CLERK, false)
  content.review.submit(id, CLERK)
  return content.review.approve(id, REVIEWER).id
}

/** Last day of a month as 'YYYY-MM-DD'. */
function monthEnd (y: number, m: number): string {
  return `${y}-${pad(m)}-${new Date(Date.UTC(y, m, 0)).getUTCDate()}`
}

/**
 * The two quarters before the current one and the month before this one (China time), the older
 * quarter corrected once (a mistyped street-light bill), so the TV shows a correction mark.
 */
export function seedDemoFinance (content: ContentService, villageId: string, now: number): string[] {
  const cst = new Date(now + 8 * 3_600_000)
  const year = cst.getUTCFullYear()
  const month0 = cst.getUTCMonth()
  const quarter0 = Math.floor(month0 / 3) * 3
  const ids: string[] = []
  for (const back of [6, 3]) {
    const start = monthOf(year, quarter0 - back)
    const end = monthOf(year, quarter0 - back + 2)
    const q = Math.floor((start.m - 1) / 3) + 1
    ids.push(publish(content, {
      villageId, periodKind: 'quarter', periodStart: `${start.y}-${pad(start.m)}-01`, periodEnd: monthEnd(end.y, end.m),
      title: `${start.y}年第${'一二三四'[q - 1] ?? q}季度村级财务收支公开`, by: CLERK
    }, toEntries(QUARTER, year, quarter0 - back, `${start.y}${pad(start.m)}记`)))
  }
  const last = monthOf(year, month0 - 1)
  ids.push(publish(content, {
    villageId, periodKind: 'month', periodStart: `${last.y}-${pad(last.m)}-01`, periodEnd: monthEnd(last.y, last.m),
    title: `${last.y}年${last.m}月村级财务收支公开`, by: CLERK
  }, toEntries(MONTH, year, month0 - 1, `${last.y}${pad(last.m)}记`)))

  // The correction: 路灯电费 was typed as 3126.40; the bill says 3286.40.
  const oldest = ids[0] as string
  const fix = content.finance.correct(oldest, '凭证第05号路灯电费录入有误(误录为3126.40元),按供电公司发票更正为3286.40元。', CLERK)
  const entries = content.finance.detail(fix.id).entries.map(({ seq: _seq, incomeCents, expenseCents, ...e }) => ({
    ...e, income: incomeCents, expense: e.summary === '路灯电费' ? 328_640 : expenseCents
  }))
  content.finance.setEntries(fix.id, entriesInput.parse(entries), CLERK, false)
  content.review.submit(fix.id, CLERK)
  ids[0] = content.review.approve(fix.id, REVIEWER).id
  return ids
}
