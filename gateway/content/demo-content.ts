// Demo content of 山下庄村 (a Zhejiang village, the product's origin — seed 000): party notices and
// study material, the coming month's meeting calendar (三会一课, 主题党日), safety and health notices,
// the medical team's visits and three published finance statements (one corrected). Everything goes
// through the API's zod schemas and the service's own methods, so it is validated, audited and
// hash-chained like staff input.
import { careVisitInput, meetingInput, noticeInput } from '../../src/content/content-schemas.ts'
import type { ContentService } from './content-service.ts'
import { seedDemoFinance } from './demo-finance.ts'

const HOUR = 3_600_000
const DAY = 24 * HOUR
const BY = 'demo-seed'

export interface DemoContent { notices: number, meetings: number, careVisits: number, statementIds: string[] }

type NoticeSeed = [category: 'party' | 'study' | 'safety' | 'health' | 'general', priority: 'normal' | 'high' | 'urgent', title: string, body: string]

const NOTICES: NoticeSeed[] = [
  ['party', 'normal', '关于召开本月支部党员大会的通知', '全体党员:\n本月支部党员大会定于下周四晚七点在村党群服务中心二楼会议室召开,主要议程:传达上级会议精神,讨论村级重大事项“五议两公开”事宜,发展党员相关工作。\n请全体党员准时参加,因故不能参加者请向支部书记请假。'],
  ['party', 'normal', '“红色先锋”党员志愿服务队招募', '村党支部组建党员志愿服务队,开展帮扶独居老人、环境整治、防台防汛巡查等服务。\n有意参加的党员和村民请到村委会登记,或联系所在网格的网格员。'],
  ['party', 'normal', '党员固定主题党日活动安排', '每月15日为我村党员固定主题党日。本月主题为“清洁家园·党员先行”,上午八点在村文化礼堂门口集合。\n年老体弱党员可就近参加所在党小组活动。'],
  ['study', 'normal', '学习资料:《中国共产党农村基层组织工作条例》要点', '一、村党组织全面领导隶属村级组织和村级各类组织。\n二、村级重大事项决策实行“四议两公开”。\n三、加强村务监督,村务监督委员会对村务公开、财务管理等进行监督。\n请党员结合自身实际认真学习,在党小组会上交流心得。'],
  ['study', 'normal', '学习资料:乡村振兴促进法要点解读', '《中华人民共和国乡村振兴促进法》自2021年6月1日起施行,明确了产业发展、人才支撑、文化繁荣、生态保护、组织建设等方面的要求。\n村里将结合“千万工程”经验,推进美丽乡村建设和集体经济发展。'],
  ['safety', 'high', '防台防汛安全提醒', '台风季期间请大家:\n1. 关注天气预报和村里广播;\n2. 加固门窗、阳台花盆等易坠物;\n3. 低洼地带和危旧房住户听从村干部安排及时转移;\n4. 不要到河边、山塘边观潮、捕鱼。\n转移安置点:村文化礼堂。值班电话:村委会。'],
  ['safety', 'normal', '用电安全“五不要”', '一不要私拉乱接电线;二不要在电动车充电时过夜无人看管;三不要用湿手触摸开关插座;四不要在电线上晾晒衣物;五不要使用破损老化的电器。\n家中老人如需检查线路,可联系网格员预约村电工上门。'],
  ['safety', 'high', '谨防冒充“医保局”“社保局”的诈骗电话', '近期出现冒充医保局、社保局工作人员,以“医保卡异常”“养老金认证”为由索要验证码、要求转账的诈骗电话。\n请记住:政府部门不会电话索要验证码,不会要求转账到“安全账户”。\n接到可疑电话请挂断,并告诉子女或拨打110、96110反诈专线咨询。'],
  ['health', 'normal', '65岁以上老年人免费健康体检通知', '镇卫生院将为辖区65周岁以上常住老年人提供免费健康体检,包括血压、血糖、血脂、肝肾功能、心电图、B超等项目。\n体检当天请空腹,携带身份证和医保卡,到村卫生室集合乘车。'],
  ['health', 'normal', '秋冬季流感疫苗接种提醒', '60周岁以上老年人可到镇卫生院预防接种门诊接种流感疫苗。\n行动不便的老人可联系村卫生室或网格员,由家庭医生团队协助预约。'],
  ['general', 'normal', '垃圾分类“定时定点”投放时间调整', '即日起,村内垃圾分类集中投放时间调整为每天早上6:30—8:30、傍晚17:00—19:00。\n请按“可回收物、有害垃圾、厨余垃圾、其他垃圾”分类投放,谢谢大家配合。']
]

type MeetingSeed = ['branch_assembly' | 'branch_committee' | 'group_meeting' | 'party_lecture' | 'theme_day', number, number, string, string, string | null]

/** [kind, days from today, hour (China time), title, place, note]: the coming month's calendar. */
const MEETINGS: MeetingSeed[] = [
  ['branch_committee', 2, 19, '支部委员会:研究本月重点工作', '村党群服务中心二楼会议室', null],
  ['branch_assembly', 6, 19, '支部党员大会', '村党群服务中心二楼会议室', '议程:传达上级精神;村级重大事项“五议两公开”;发展党员工作'],
  ['group_meeting', 9, 19, '第一党小组会', '第一网格党员之家', '交流学习《农村基层组织工作条例》心得'],
  ['group_meeting', 10, 19, '第二党小组会', '第二网格党员之家', '交流学习《农村基层组织工作条例》心得'],
  ['party_lecture', 13, 14, '书记讲党课:传承“千万工程”经验,建设共富美丽乡村', '村文化礼堂', '请携带笔记本'],
  ['theme_day', 20, 8, '主题党日:清洁家园·党员先行', '村文化礼堂门口集合', '年老体弱党员可就近参加所在党小组活动'],
  ['group_meeting', 27, 19, '党小组会:开展批评与自我批评', '村党群服务中心一楼活动室', null]
]

type VisitSeed = [days: number, hour: number, hours: number, team: string, place: string, services: string]

const VISITS: VisitSeed[] = [
  [1, 9, 3, '村卫生室 家庭医生团队', '村卫生室', '高血压、糖尿病慢病随访,量血压、测血糖,代配常用药'],
  [4, 8, 4, '镇卫生院医疗队', '村文化礼堂', '65岁以上老年人免费健康体检(请空腹、带身份证和医保卡)'],
  [8, 9, 3, '村卫生室 家庭医生团队', '独居老人家中上门随访', '上门随访独居、行动不便老人,测量生命体征,评估居家安全'],
  [15, 9, 3, '村卫生室 家庭医生团队', '村卫生室', '慢病随访、健康咨询'],
  [18, 13, 3, '镇卫生院医疗队', '独居老人家中上门随访', '中医理疗、康复指导、用药指导'],
  [22, 9, 3, '村卫生室 家庭医生团队', '村卫生室', '流感疫苗接种预约登记、慢病随访']
]

/** Midnight China time (UTC+8) of the day `now` falls in, as unix ms. */
function chinaMidnight (now: number): number {
  return Math.floor((now + 8 * HOUR) / DAY) * DAY - 8 * HOUR
}

/**
 * Seed the demo content of one village. `target` is the ContentService or anything holding it (a
 * built gateway); grids default to the village's grids (the first gets a grid-only notice).
 */
export async function seedDemoContent (target: ContentService | { content: ContentService }, villageId: string, gridIds?: string[], now?: number): Promise<DemoContent> {
  const content = 'content' in target ? target.content : target
  const t = now ?? content.clock.now()
  const grids = gridIds ?? (content.db.prepare('SELECT id FROM grids WHERE village_id = ? ORDER BY id').all(villageId) as Array<{ id: string }>).map((g) => g.id)
  const today = chinaMidnight(t)
  let notices = 0
  // Published over the past days, so "newest first" reads naturally on the screen.
  NOTICES.forEach(([category, priority, title, body], i) => {
    content.notices.create(noticeInput.parse({ villageId, category, priority, title, body, startsAt: t - (i + 1) * 5 * HOUR, by: BY }))
    notices++
  })
  const firstGrid = grids[0]
  if (firstGrid !== undefined) {
    content.notices.create(noticeInput.parse({
      villageId, gridId: firstGrid, category: 'general', title: '本网格自来水管道检修停水通知',
      body: '因自来水管道检修,本网格明天上午8:00—12:00停水,请提前储水。如有独居老人需要送水,请联系网格员。', startsAt: t - HOUR, endsAt: t + 2 * DAY, by: BY
    }))
    notices++
  }
  // Scheduled: appears on screens three days from now at 8 a.m.
  content.notices.create(noticeInput.parse({
    villageId, category: 'party', title: '重阳敬老活动预告', startsAt: today + 3 * DAY + 8 * HOUR, by: BY,
    body: '村党支部、村委会将在文化礼堂举办重阳敬老活动,为80岁以上老人送上长寿面和慰问品,欢迎家属陪同参加。'
  }))
  notices++
  for (const [kind, days, hour, title, place, note] of MEETINGS) {
    const startsAt = today + days * DAY + hour * HOUR
    content.meetings.create(meetingInput.parse({ villageId, kind, title, startsAt, endsAt: startsAt + 2 * HOUR, place, note, by: BY }))
  }
  for (const [days, hour, hours, team, place, services] of VISITS) {
    const startsAt = today + days * DAY + hour * HOUR
    content.careVisits.create(careVisitInput.parse({ villageId, startsAt, endsAt: startsAt + hours * HOUR, team, place, services, by: BY }))
  }
  const statementIds = seedDemoFinance(content, villageId, t)
  return await Promise.resolve({ notices, meetings: MEETINGS.length, careVisits: VISITS.length, statementIds })
}
