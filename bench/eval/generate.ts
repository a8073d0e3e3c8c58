// Labelled data for the evaluation: per home, the simulator's daily routine (device-sim/routine.ts) as
// the edges its PIR sensors would report, plus noise, dropouts and one emergency. Pure and seeded.
import { chance, int, poisson, rngFor, uniform } from '../../device-sim/prng.ts'
import { CHINA_TZ_OFFSET_MIN, DAY, HOUR, MINUTE, planDay, routineAway, routineTimeline, type Away, type PersonProfile, type Room } from '../../device-sim/routine.ts'
import { planVillage, profileFor } from '../../device-sim/village-plan.ts'
import { doorEvents } from './door.ts'

export interface EvalConfig {
  homes: number
  days: number
  seed: number
  /** Local midnight the simulation starts (unix ms). */
  start: number
  /** Fraction of homes with a front-door contact sensor (experiment, docs/evaluation.md); default 0. */
  doorFraction?: number
  /** Door openings lost, instead of the home's PIR message-loss rate (sensitivity: a door left open). */
  doorLoss?: number
  /** Door openings per day while the person stays home (door.ts DOOR_EXTRA_PER_DAY by default). */
  doorExtraPerDay?: number
}

export interface HomeData {
  index: number
  rooms: Room[]
  start: number
  /** The person stops moving at this instant (labelled emergency). */
  emergencyAt: number
  /** Observation ends 24 h after the emergency. */
  end: number
  /** What the gateway receives: PIR rising edges of the home's sensors, spurious events, minus losses. */
  events: number[]
  /** Every movement of the person in any room, sensed or not (ground truth: awake and at home). */
  movements: number[]
  /** Door openings the gateway receives (contact sensor on the front door, door.ts); empty without one. */
  doors?: number[]
  /** Ground truth: the stretches out of the house before the emergency (empty without a door sensor). */
  away?: Away[]
  noise: { spuriousFraction: number, bursty: boolean, lossRate: number, outages: number, weekendHabit: boolean }
}

const TZ = CHINA_TZ_OFFSET_MIN
/** HC-SR501-style native firmware: one rising edge, then high until 60 s without movement (home-sim.ts). */
const PIR_HOLD_MS = 60_000
const localDay = (t: number): number => Math.floor((t + TZ * MINUTE) / DAY)
const localMidnight = (day: number): number => day * DAY - TZ * MINUTE
const weekend = (day: number): boolean => { const wd = (((day + 4) % 7) + 7) % 7; return wd === 0 || wd === 6 }

/**
 * Some people keep a different weekend: they lie in and go out more (a son's visit, the Sunday market).
 * The routine model has no weekday notion, so the weekend self is the same person with a shifted profile.
 */
function weekendProfile (p: PersonProfile, seed: number, index: number): PersonProfile | null {
  const rnd = rngFor(seed, 'eval-weekend', index)
  if (!chance(rnd, 0.35)) return null
  return { ...p, wakeMin: Math.min(8.5 * 60, p.wakeMin + uniform(rnd, 45, 120)), outingChance: Math.min(0.95, p.outingChance + 0.3) }
}

/** The person's movements from `from` until `stop`, day by day with that day's profile; `away` gets the stretches out of the house. */
function movementsOf (seed: number, index: number, from: number, stop: number, weekday: PersonProfile, weekendP: PersonProfile | null, away?: Away[]): Array<{ at: number, room: Room }> {
  const out: Array<{ at: number, room: Room }> = []
  const profileOn = (day: number): PersonProfile => weekendP !== null && weekend(day) ? weekendP : weekday
  const input = (day: number) => ({ seed, key: index, profile: profileOn(day), tzOffsetMin: TZ })
  for (let day = localDay(from) - 1; day <= localDay(stop); day++) {
    // One episode = getting up on `day` to getting up the next day; a lie-in next day simply extends the night.
    const wake = planDay(input(day), day).wake
    const nextWake = Math.min(planDay(input(day + 1), day + 1).wake, planDay(input(day), day + 1).wake)
    for (const ping of routineTimeline(input(day), wake, nextWake)) {
      if (ping.at >= from && ping.at < stop) out.push(ping)
    }
    for (const a of away === undefined ? [] : routineAway(input(day), wake, nextWake)) {
      if (a.from >= from && a.from < stop) away?.push(a)
    }
  }
  return out
}

export function generateHomes (config: EvalConfig): Array<() => HomeData> {
  const plans = planVillage({ seed: config.seed, homes: config.homes, hubRatio: 0, grids: 1, labelPrefix: 'eval' })
  return plans.map((plan) => () => generateHome(config, plan.index, plan.rooms))
}

export function generateHome (config: EvalConfig, index: number, rooms: Room[]): HomeData {
  const { seed, start, days } = config
  const rnd = rngFor(seed, 'eval-home', index)
  const profile = profileFor(seed, index)
  const weekendP = weekendProfile(profile, seed, index)
  // One emergency in the last 30 days (or the second half of a shorter run), at any time of day.
  const firstDay = Math.max(1, days - 30)
  const emergencyAt = localMidnight(localDay(start) + int(rnd, firstDay, days - 1)) + uniform(rnd, 0, DAY)
  const end = emergencyAt + DAY

  // Drawn from its own stream, so homes without a door sensor (and every PIR event) are unchanged.
  const hasDoor = (config.doorFraction ?? 0) > 0 && rngFor(seed, 'eval-door-fitted', index)() < (config.doorFraction ?? 0)
  const away: Away[] = []
  const moves = movementsOf(seed, index, start, emergencyAt, profile, weekendP, hasDoor ? away : undefined)
  const sensed = new Set(rooms)
  const lastPing = new Map<Room, number>()
  const edges: Array<{ at: number, room: Room }> = []
  for (const m of moves) {
    if (!sensed.has(m.room)) continue
    const last = lastPing.get(m.room)
    if (last === undefined || m.at - last > PIR_HOLD_MS) edges.push(m)
    lastPing.set(m.room, m.at)
  }

  // Dropouts: lost messages (Wi-Fi, broker restarts) and multi-hour sensor outages (flat battery, unplugged).
  const lossRate = uniform(rnd, 0.01, 0.05)
  const outages: Array<{ room: Room, from: number, to: number }> = []
  const outageCount = poisson(rnd, days / 30)
  for (let i = 0; i < outageCount; i++) {
    const from = uniform(rnd, start, end)
    outages.push({ room: rooms[int(rnd, 0, rooms.length - 1)] as Room, from, to: from + uniform(rnd, 1, 6) * HOUR })
  }
  const kept = edges.filter((e) => !chance(rnd, lossRate) && !outages.some((o) => o.room === e.room && e.at >= o.from && e.at < o.to))

  // Spurious events: 10-20 % of the real ones, at random times (before and after the emergency alike);
  // in a third of homes they come in bursts of 2-5 within 3 min (a cat, sunlight flickering through leaves).
  const spuriousFraction = uniform(rnd, 0.10, 0.20)
  const bursty = chance(rnd, 0.3)
  const realPerDay = edges.length / Math.max(1, (emergencyAt - start) / DAY)
  const total = Math.round(spuriousFraction * realPerDay * (end - start) / DAY)
  const spurious: number[] = []
  while (spurious.length < total) {
    const t = uniform(rnd, start, end)
    const size = bursty ? int(rnd, 2, 5) : 1
    for (let i = 0; i < size && spurious.length < total; i++) spurious.push(t + uniform(rnd, 0, 3 * MINUTE))
  }
  const events = [...kept.map((e) => Math.round(e.at)), ...spurious.map(Math.round)].sort((a, b) => a - b)
  const doors = hasDoor ? doorEvents(rngFor(seed, 'eval-door', index), away, moves, emergencyAt, config.doorLoss ?? lossRate, config.doorExtraPerDay) : []
  return {
    index,
    rooms,
    start,
    emergencyAt,
    end,
    events,
    movements: moves.map((m) => m.at),
    doors,
    away,
    noise: { spuriousFraction, bursty, lossRate, outages: outageCount, weekendHabit: weekendP !== null }
  }
}
