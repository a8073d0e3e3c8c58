// Per-room thresholds: how long this person's stillness normally lasts when it starts in a given local
// time slot AND the last counted motion was in a given room. Motion alone cannot tell an early night
// from a fall in the evening, but where the motion stopped can: someone who goes to bed is last seen in
// the bedroom, someone watching TV goes on tripping the living-room sensor every few minutes, and a
// stillness that starts in the kitchen or bathroom is normally short. Learned exactly as the home's
// slot thresholds (a high quantile of the per-day longest stillness, times a buffer, plus a buffer) but
// only over days on which a stillness started from that room near that slot. A room's threshold only
// ever tightens the home's own (the caller takes the smaller), so a room nobody learned anything about,
// or a room whose stillnesses are long (a nap in the bedroom, an outing through the hall), changes
// nothing; and a noisy sensor whose bursts start long stillnesses teaches its own room a long threshold.
import { DAY, dayTypeOf, MINUTE, minuteOfDay, ROUTINE_DAY_SHIFT_MS, routineDay, type DayType } from './time.ts'

/** Per room, per day type, per clock slot: minutes (already blended and buffered), or null = not learned. */
export type RoomThresholds = Record<string, Record<DayType, Array<number | null>>>

export interface RoomLearnInput {
  /** Counted activity, ascending, and the room of each (null = unknown). */
  times: readonly number[]
  rooms: ReadonlyArray<string | null>
  tzOffsetMinutes: number
  slotMinutes: number
  neighbourSlots: number
  minSamples: number
  /** Per-day sample list → learned minutes (NaN when too few), as the home's slots use. */
  learned: (sortedSamples: number[]) => number
  /** Blend with the cold-start value of a clock slot, as the home's slots do. */
  blend: (clockSlot: number, learnedMin: number) => number
  weekendSplit: boolean
}

export function learnRoomThresholds (input: RoomLearnInput): RoomThresholds {
  const { times, rooms, tzOffsetMinutes: tz, slotMinutes } = input
  const slots = Math.round(24 * 60 / slotMinutes)
  const shift = Math.round(ROUTINE_DAY_SHIFT_MS / MINUTE / slotMinutes)
  // room → routine day → longest stillness (minutes) starting in each routine slot from that room.
  const longest = new Map<string, Map<number, Float64Array>>()
  for (let i = 0; i + 1 < times.length; i++) {
    const room = rooms[i]
    if (room === null || room === undefined) continue
    const a = times[i] as number
    let byDay = longest.get(room)
    if (byDay === undefined) { byDay = new Map(); longest.set(room, byDay) }
    const rday = routineDay(a, tz)
    let row = byDay.get(rday)
    if (row === undefined) { row = new Float64Array(slots).fill(NaN); byDay.set(rday, row) }
    const rslot = Math.floor((minuteOfDay(a, tz) * MINUTE + ROUTINE_DAY_SHIFT_MS) % DAY / MINUTE / slotMinutes)
    const dur = ((times[i + 1] as number) - a) / MINUTE
    if (!(row[rslot]! >= dur)) row[rslot] = dur
  }
  const out: RoomThresholds = {}
  for (const [room, byDay] of longest) {
    const samples = (rslot: number, type: DayType | null): number[] => {
      const xs: number[] = []
      for (const [rday, row] of byDay) {
        if (type !== null && dayTypeOf(rday) !== type) continue
        let m = -Infinity
        for (let j = Math.max(0, rslot - input.neighbourSlots); j <= Math.min(slots - 1, rslot + input.neighbourSlots); j++) {
          if (row[j]! > m) m = row[j]!
        }
        if (m > 0) xs.push(m)
      }
      return xs.sort((a, b) => a - b)
    }
    const table: Record<DayType, Array<number | null>> = { weekday: new Array(slots).fill(null), weekend: new Array(slots).fill(null) }
    let any = false
    for (let rslot = 0; rslot < slots; rslot++) {
      const clock = (rslot - shift + slots) % slots
      const all = input.learned(samples(rslot, null))
      for (const type of ['weekday', 'weekend'] as const) {
        const own = input.weekendSplit ? input.learned(samples(rslot, type)) : NaN
        const value = Number.isNaN(own) ? all : own
        if (!Number.isNaN(value)) { table[type][clock] = input.blend(clock, value); any = true }
      }
    }
    if (any) out[room] = table
  }
  return out
}

/** How long a person must have been seen in one room, and within what window, for the room to count. */
export const ROOM_CONFIRM_MIN_SPAN_MS = 4 * MINUTE
export const ROOM_CONFIRM_WINDOW_MS = 30 * MINUTE

/**
 * The room each counted event places the person in, or null when it is not confirmed: only when the
 * same room also saw counted motion 4-30 min before, with no other room's in between. A pet's or the
 * sun's burst (2-5 events within 3 min in one room) and a single lost message (the bedroom edge after
 * a night's bathroom trip) then do not move the person into a room with a short threshold; the
 * home's threshold applies instead. Causal: only earlier events are looked at, so the engine can
 * apply it live.
 */
export function confirmedRooms (times: readonly number[], rooms: ReadonlyArray<string | null>): Array<string | null> {
  return times.map((_, i) => confirmedRoomOf(times, rooms, i))
}

/** The confirmed room of the i-th of ascending counted events (see confirmedRooms). */
export function confirmedRoomOf (times: readonly number[], rooms: ReadonlyArray<string | null>, i: number): string | null {
  const t = times[i] as number
  const room = rooms[i] ?? null
  if (room === null) return null
  for (let k = i - 1; k >= 0 && t - (times[k] as number) <= ROOM_CONFIRM_WINDOW_MS; k--) {
    if (rooms[k] !== room) return null
    if (t - (times[k] as number) >= ROOM_CONFIRM_MIN_SPAN_MS) return room
  }
  return null
}

/**
 * The key a sensor's motion is learned under: its room as the registry labels it ("卧室"), so two
 * sensors in one room share what they teach; a sensor without a room label is a place of its own.
 */
export const roomKeyOf = (deviceId: string, room: string | null | undefined): string => {
  const label = room?.trim()
  return label !== undefined && label !== '' ? label : `device:${deviceId}`
}
