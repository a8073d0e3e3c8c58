// Short Chinese texts for each rung. The resident's name goes only to those entitled to it (family and
// the grid worker); the TV check-in and the village duty channel get the house label only.
import type { AlertType, Outcome, Rung } from '../alerts.ts'
import { formatClock, LOW_BATTERY_PCT } from './rules.ts'

export interface MessageContext {
  type: AlertType
  /** The house label, e.g. "山下庄 12号". */
  label: string
  /** The resident's name; used only where `nameAllowed(rung)`. */
  name: string | null
  since: number
  at: number
}

/** Family (1) and the grid worker (2) know the resident; a TV screen (0) or a duty desk (3) is not told the name. */
export function nameAllowed (rung: Rung): boolean {
  return rung === 1 || rung === 2
}

function who (ctx: MessageContext, rung: Rung): string {
  return nameAllowed(rung) && ctx.name !== null ? `${ctx.label}（${ctx.name}）` : ctx.label
}

export function formatDuration (ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000))
  const h = Math.floor(minutes / 60)
  const m = minutes % 60
  if (h === 0) return `${m} 分钟`
  return m === 0 ? `${h} 小时` : `${h} 小时 ${m} 分钟`
}

/** The full-screen question on the resident's own TV. */
export const CHECKIN_TEXT = '您还好吗？按确认键报平安。'

export function alertText (ctx: MessageContext, rung: Rung): string {
  if (rung === 0) return CHECKIN_TEXT
  const w = who(ctx, rung)
  switch (ctx.type) {
    case 'inactivity':
      return `【安居】${w} 自 ${formatClock(ctx.since)} 起已 ${formatDuration(ctx.at - ctx.since)}无活动，请确认老人安全。`
    case 'not_up':
      return `【安居】${w} 今早至 ${formatClock(ctx.at)} 仍无起床活动，请确认老人安全。`
    case 'home_offline':
      return `【安居】${w} 的传感器自 ${formatClock(ctx.since)} 起全部离线，请上门检查设备。`
    case 'low_battery':
      return `【安居】${w} 的传感器电量低于 ${LOW_BATTERY_PCT}%，请更换电池。`
    case 'sensor_silent':
      return `【安居】${w} 有一个传感器已多日无感应，请检查设备。`
  }
}

const OUTCOME_TEXT: Record<Outcome, string> = {
  resident_ok: '老人平安',
  false_alarm: '误报',
  helped_at_home: '已上门协助',
  hospital: '已送医',
  deceased: '老人已故',
  device_fixed: '设备已恢复',
  other: '已处理'
}

export function acknowledgedText (ctx: MessageContext, rung: Rung): string {
  if (rung === 0) return '已有人收到提醒，正在联系您。'
  return `【安居】${who(ctx, rung)} 的提醒已有人确认，正在处理。`
}

/** Sent to everyone already told when an alert closes; the outcome decides the words. */
export function closedText (ctx: MessageContext, rung: Rung, outcome: Outcome, auto: boolean): string {
  if (rung === 0) return outcome === 'resident_ok' ? '已确认您平安，谢谢！' : '提醒已结束。'
  const why = auto && outcome === 'resident_ok' ? '已检测到活动，老人平安' : OUTCOME_TEXT[outcome]
  return `【安居】${who(ctx, rung)}：${why}，提醒解除。`
}
