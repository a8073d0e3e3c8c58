// The daily routine of one elderly person living alone, as the motion a PIR sensor in each room would
// see. Pure: no I/O, no clock; the seed, the home and the time window are passed in, so the same seed
// gives the same timeline on any machine, and a test can look at a month of nights in milliseconds.
import { chance, normal, poisson, rngFor, uniform, type Random } from './prng.ts'

export type Room = 'bedroom' | 'living_room' | 'kitchen' | 'bathroom'

/** The registry's `room` field is shown to grid workers, so it is Chinese. */
export const ROOM_LABELS: Record<Room, string> = { bedroom: '卧室', living_room: '客厅', kitchen: '厨房', bathroom: '卫生间' }

/** One moment a PIR sensor in `room` would detect movement. */
export interface MotionPing { at: number, room: Room }

/** Habits that differ from person to person; drawn once per home from the seed. */
export interface PersonProfile {
  /** Minutes after local midnight. Rural elderly go to bed early; 21:30 ± 40 min. */
  bedtimeMin: number
  wakeMin: number
  /** Day-to-day standard deviation of bed and wake times, minutes. */
  dailyJitterMin: number
  /**
   * Mean night-time bathroom trips. Nocturia (waking at least once a night to void) affects most
   * people over 70 (Bosch & Weiss, J Urol 2010, review of population studies), hence a mean near 1.
   */
  nightTripsMean: number
  napChance: number
  /** Chance of a 1-3 hour outing (market, neighbours, field) on a given day: no motion at home. */
  outingChance: number
  /** Chance of an evening in front of the TV (few, sparse pings) rather than pottering about. */
  tvChance: number
  /** Multiplies the rate of pings while active: some people sit still, some never stop. */
  restlessness: number
}

export function drawProfile (rnd: Random): PersonProfile {
  return {
    bedtimeMin: normal(rnd, 21.5 * 60, 40, 20 * 60, 23.5 * 60),
    wakeMin: normal(rnd, 6 * 60, 35, 4.5 * 60, 7.5 * 60),
    dailyJitterMin: uniform(rnd, 8, 25),
    nightTripsMean: uniform(rnd, 0.4, 2),
    napChance: uniform(rnd, 0.2, 0.8),
    outingChance: uniform(rnd, 0.2, 0.7),
    tvChance: uniform(rnd, 0.5, 0.95),
    restlessness: uniform(rnd, 0.7, 1.5)
  }
}

export interface RoutineInput {
  seed: number
  /** Names this person's random streams (e.g. the home index); different keys, different lives. */
  key: string | number
  profile: PersonProfile
  /** Minutes east of UTC of the village's local time; China Standard Time (+08:00, no DST) by default. */
  tzOffsetMin?: number
  /** The person stops moving at this instant (fall, illness): no ping at or after it. */
  stopsMovingAt?: number
}

export const MINUTE = 60_000
export const HOUR = 60 * MINUTE
export const DAY = 24 * HOUR
export const CHINA_TZ_OFFSET_MIN = 480

const localDay = (t: number, tzMin: number): number => Math.floor((t + tzMin * MINUTE) / DAY)
const localMidnight = (day: number, tzMin: number): number => day * DAY - tzMin * MINUTE

/** When this person gets up and goes to bed on local day `day` (absolute ms). */
export function planDay (input: RoutineInput, day: number): { wake: number, bedtime: number } {
  const tz = input.tzOffsetMin ?? CHINA_TZ_OFFSET_MIN
  const rnd = rngFor(input.seed, 'plan', input.key, day)
  const { profile: p } = input
  const midnight = localMidnight(day, tz)
  const wake = midnight + normal(rnd, p.wakeMin, p.dailyJitterMin, 4 * 60, 9 * 60) * MINUTE
  const bedtime = midnight + normal(rnd, p.bedtimeMin, p.dailyJitterMin, 19.5 * 60, 23.9 * 60) * MINUTE
  return { wake, bedtime }
}

/** A stretch of time in one room; `null` room = out of the sensors' view (yard, village, field). */
interface Segment { room: Room | null, start: number, end: number, mode: 'active' | 'calm' | 'still' }

/** Motion while in a segment: one on entering, then at intervals that depend on what the person does. */
function segmentPings (seg: Segment, rnd: Random, restlessness: number, out: MotionPing[]): void {
  if (seg.room === null) return
  const room = seg.room
  let t = seg.start + uniform(rnd, 0, 20_000)
  out.push({ at: t, room })
  if (seg.mode === 'still') return
  // PIR sees walking well and a person sitting still hardly at all: active = every 0.5-3 min,
  // calm (TV, meals at the table) = every 4-20 min.
  const [lo, hi] = seg.mode === 'active' ? [0.5, 3] : [4, 20]
  for (;;) {
    t += uniform(rnd, lo, hi) * MINUTE / restlessness
    if (t >= seg.end) break
    out.push({ at: t, room })
  }
  if (seg.end - seg.start > 2 * MINUTE) out.push({ at: seg.end - uniform(rnd, 0, 20_000), room })
}

/** What a person does between the fixed points of the day: weight, room, mode, minutes. */
const POTTERING: Array<[number, Room | null, Segment['mode'], number, number]> = [
  [0.08, 'bathroom', 'active', 3, 8],
  [0.35, 'living_room', 'calm', 20, 60],
  [0.25, 'living_room', 'active', 5, 20],
  [0.15, 'kitchen', 'active', 5, 15],
  [0.17, null, 'still', 15, 45] // yard, chickens, vegetable plot: out of the sensors' view
]

function fill (rnd: Random, from: number, until: number, segs: Segment[]): void {
  let t = from
  while (until - t > MINUTE) {
    let r = rnd()
    const choice = POTTERING.find(([weight]) => (r -= weight) < 0) ?? POTTERING[1] as typeof POTTERING[number]
    const [, room, mode, lo, hi] = choice
    const end = Math.min(until, t + uniform(rnd, lo, hi) * MINUTE)
    segs.push({ room, mode, start: t, end })
    t = end
  }
}

/** A stretch out of the house (outing, yard, plot): from stepping out of the door to stepping back in. */
export interface Away { from: number, to: number }

/** Everything from getting up on `day` to getting up the next day. */
function episode (input: RoutineInput, day: number): { pings: MotionPing[], away: Away[] } {
  const tz = input.tzOffsetMin ?? CHINA_TZ_OFFSET_MIN
  const p = input.profile
  const rnd = rngFor(input.seed, 'day', input.key, day)
  const { wake, bedtime: plannedBedtime } = planDay(input, day)
  const nextWake = planDay(input, day + 1).wake
  const midnight = localMidnight(day, tz)
  const at = (hours: number, sdMin: number): number => midnight + normal(rnd, hours * 60, sdMin, 0, 24 * 60 - 1) * MINUTE

  const segs: Segment[] = []
  let t = wake
  const add = (room: Room | null, mode: Segment['mode'], minutes: number): void => {
    segs.push({ room, mode, start: t, end: t + minutes * MINUTE })
    t += minutes * MINUTE
  }
  add('bedroom', 'active', uniform(rnd, 4, 10))
  add('bathroom', 'active', uniform(rnd, 5, 15))

  // Fixed points of the day; whatever runs late pushes the next one later, as in life.
  const blocks: Array<{ start: number, run: () => void }> = [
    { start: wake + uniform(rnd, 20, 45) * MINUTE, run: () => add('kitchen', 'active', uniform(rnd, 20, 40)) },
    {
      start: at(11.5, 20),
      run: () => {
        add('kitchen', 'active', uniform(rnd, 30, 50))
        if (chance(rnd, p.napChance)) add('bedroom', 'still', uniform(rnd, 30, 90))
      }
    },
    { start: at(17.5, 30), run: () => add('kitchen', 'active', uniform(rnd, 30, 60)) }
  ]
  if (chance(rnd, p.outingChance)) {
    const start = chance(rnd, 0.5) ? at(9.5, 30) : at(14.75, 25)
    const minutes = uniform(rnd, 60, 180)
    blocks.push({
      start,
      run: () => {
        add('living_room', 'active', uniform(rnd, 2, 5)) // putting on shoes, locking up
        add(null, 'still', minutes)
        add('living_room', 'active', uniform(rnd, 3, 8))
      }
    })
  }
  blocks.sort((a, b) => a.start - b.start)
  for (const block of blocks) {
    if (block.start > t) fill(rnd, t, block.start, segs)
    t = Math.max(t, block.start)
    block.run()
  }

  const bedtime = Math.max(plannedBedtime, t + 30 * MINUTE)
  const eveningEnd = bedtime - uniform(rnd, 10, 20) * MINUTE
  if (chance(rnd, p.tvChance)) add('living_room', 'calm', Math.max(0, (eveningEnd - t) / MINUTE))
  else fill(rnd, t, eveningEnd, segs)
  t = Math.max(t, eveningEnd)
  add('bathroom', 'active', uniform(rnd, 4, 10))
  add('bedroom', 'active', uniform(rnd, 3, 8))
  const sleepStart = t

  const pings: MotionPing[] = []
  for (const seg of segs) segmentPings(seg, rnd, p.restlessness, pings)

  // Night: asleep (no motion) except bathroom trips, spread across the night so sleep stays in blocks
  // of hours, never in the first hour asleep nor in the last half hour before getting up.
  const from = sleepStart + HOUR
  const len = nextWake - 30 * MINUTE - from
  const trips = len > HOUR ? Math.min(3, poisson(rnd, p.nightTripsMean)) : 0
  for (let i = 1; i <= trips; i++) {
    const part = len / (trips + 1)
    const start = from + i * part + normal(rnd, 0, part * 0.15, -part * 0.4, part * 0.4)
    const inBathroom = uniform(rnd, 3, 8) * MINUTE
    pings.push({ at: start, room: 'bedroom' })
    segmentPings({ room: 'bathroom', mode: 'active', start: start + uniform(rnd, 20, 60) * 1000, end: start + inBathroom }, rnd, p.restlessness, pings)
    pings.push({ at: start + inBathroom + uniform(rnd, 20, 60) * 1000, room: 'bedroom' })
  }
  // Out of the sensors' view = out of the house: the door is passed at the start and end of each such
  // stretch (adjacent ones merged). Derived after every draw, so the pings do not depend on it.
  const away: Away[] = []
  for (const seg of segs) {
    if (seg.room !== null || seg.end <= seg.start) continue
    const last = away[away.length - 1]
    if (last !== undefined && seg.start <= last.to) last.to = Math.max(last.to, seg.end)
    else away.push({ from: seg.start, to: seg.end })
  }
  return { pings: pings.filter((x) => x.at < nextWake), away: away.filter((a) => a.from < nextWake) }
}

/** Every ping in [from, to), in time order. Days are generated independently, so windows can be chunked. */
export function routineTimeline (input: RoutineInput, from: number, to: number): MotionPing[] {
  const tz = input.tzOffsetMin ?? CHINA_TZ_OFFSET_MIN
  const end = Math.min(to, input.stopsMovingAt ?? Infinity)
  const out: MotionPing[] = []
  // The episode of the previous day reaches into this one (the night).
  for (let day = localDay(from, tz) - 1; day <= localDay(end, tz); day++) {
    for (const ping of episode(input, day).pings) {
      if (ping.at >= from && ping.at < end) out.push({ at: Math.round(ping.at), room: ping.room })
    }
  }
  return out.sort((a, b) => a.at - b.at)
}

/**
 * The stretches out of the house that start in [from, to), in time order (the same days as
 * routineTimeline; `to` of a stretch may lie beyond the window). Ignores stopsMovingAt: the caller
 * decides what an emergency during one means.
 */
export function routineAway (input: RoutineInput, from: number, to: number): Away[] {
  const tz = input.tzOffsetMin ?? CHINA_TZ_OFFSET_MIN
  const out: Away[] = []
  for (let day = localDay(from, tz) - 1; day <= localDay(to, tz); day++) {
    for (const a of episode(input, day).away) {
      if (a.from >= from && a.from < to) out.push({ from: Math.round(a.from), to: Math.round(a.to) })
    }
  }
  return out.sort((a, b) => a.from - b.from)
}
