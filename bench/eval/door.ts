// The front-door contact sensor of the door experiment (docs/evaluation.md, "Door sensor (experiment)"):
// what an Aqara-style door/window sensor through Zigbee2MQTT would report, one event per opening (the
// `{"contact": false}` edge; the closing a few seconds later adds nothing here). Pure and seeded.
import { chance, int, poisson, uniform, type Random } from '../../device-sim/prng.ts'
import { DAY, MINUTE, type Away, type Room } from '../../device-sim/routine.ts'

/**
 * Openings while the person stays at home, per day: a neighbour at the door, a parcel or a vegetable
 * handed over, the door opened to air the room (one opening), or a step into the yard for 1-5 min (two).
 * Nobody has measured this for rural elderly; village life is sociable (neighbours drop in, 串门), so
 * two a day is a guess on the busy side, chosen to make the door *harder* to read, not easier.
 */
export const DOOR_EXTRA_PER_DAY = 2
/** Of those, the share that are a short step outside (out and back in 1-5 min) rather than one opening. */
export const DOOR_STEP_OUT_SHARE = 0.5
/** Rooms from which the person plausibly goes to the door (the door is reached through them). */
const NEAR_DOOR: ReadonlySet<Room> = new Set(['living_room', 'kitchen'])

/**
 * Door openings for one home, in time order.
 * - Every stretch out of the house (an outing, or the yard and the plot, routine.ts: a `null` room) is
 *   bracketed by an opening on leaving (just after the last motion inside) and one on coming back (just
 *   before the first motion inside). The emergency happens at home only: if it falls in a stretch out,
 *   the person comes back in at that instant and collapses inside the door (door, then no motion: the
 *   hardest case for a door rule).
 * - Openings while at home (DOOR_EXTRA_PER_DAY), next to a moment the person moved near the door.
 * - Each event is lost with the home's message-loss rate (1-5 %, as its PIR messages): Zigbee retries
 *   well, but a door left ajar does not report the next opening either, so the PIR rate is kept rather
 *   than a lower, more hopeful one.
 * No event at or after the emergency: the person opens no door, and visitors are not simulated.
 */
export function doorEvents (rnd: Random, away: readonly Away[], moves: ReadonlyArray<{ at: number, room: Room }>, emergencyAt: number, lossRate: number, extraPerDay = DOOR_EXTRA_PER_DAY): number[] {
  const out: number[] = []
  for (const a of away) {
    if (a.from >= emergencyAt) break
    const leave = a.from + uniform(rnd, 0, 15_000)
    const back = Math.max(leave + 1000, Math.min(a.to, emergencyAt) - uniform(rnd, 0, 15_000))
    out.push(leave, Math.min(back, emergencyAt - 1))
  }
  const near = moves.filter((m) => NEAR_DOOR.has(m.room) && m.at < emergencyAt)
  const days = near.length === 0 ? 0 : (emergencyAt - (near[0] as { at: number }).at) / DAY
  const extra = poisson(rnd, extraPerDay * days)
  for (let i = 0; i < extra && near.length > 0; i++) {
    const t = (near[int(rnd, 0, near.length - 1)] as { at: number }).at + uniform(rnd, 0, MINUTE)
    out.push(t)
    if (chance(rnd, DOOR_STEP_OUT_SHARE)) out.push(t + uniform(rnd, 1, 5) * MINUTE)
  }
  return out.filter((t) => t < emergencyAt && !chance(rnd, lossRate)).map(Math.round).sort((a, b) => a - b)
}
