// One home in motion: the routine's pings become PIR reports of the sensor in each room. A PIR output
// goes high on movement and back low after a hold time without movement; what a sensor publishes on
// those transitions depends on its firmware (see RoomSensor).
import { HOUR, routineTimeline, type PersonProfile, type Room, type RoutineInput } from './routine.ts'
import type { SimScheduler } from './sim-time.ts'

export interface RoomSensor {
  /**
   * How the sensor reports. Native sensors report edges only (`repeatMs` Infinity). An Aqara
   * RTCGQ11LM reports every detection after its 60 s blind time and Zigbee2MQTT turns occupancy
   * false after `occupancy_timeout` (90 s by default).
   */
  holdMs: number
  repeatMs: number
  report (on: boolean, at: number): void
}

/** Native firmware default: a 60 s hold, typical of PIR modules such as the HC-SR501 family. */
export const NATIVE_PIR = { holdMs: 60_000, repeatMs: Infinity }
export const AQARA_PIR = { holdMs: 90_000, repeatMs: 60_000 }

/** The timeline is generated a few simulated hours at a time, so a month-long run holds little. */
const CHUNK = 6 * HOUR

interface PirState { on: boolean, lastTrue: number, cancelOff: () => void }

export class HomeRunner {
  private readonly pir = new Map<Room, PirState>()
  private stopsMovingAt = Infinity
  private cancelNext: () => void = () => {}

  constructor (
    private readonly routine: Omit<RoutineInput, 'stopsMovingAt'> & { profile: PersonProfile },
    private readonly sensors: Map<Room, RoomSensor>,
    private readonly scheduler: SimScheduler
  ) {}

  start (from: number): void {
    this.runChunk(from)
  }

  /** From `at` on the person makes no movement; a PIR that is high still falls back low. */
  stopMoving (at: number): void {
    this.stopsMovingAt = Math.min(this.stopsMovingAt, at)
  }

  /** The sensor in `room` stops reporting anything (it died, or its hub is gone). */
  silence (room: Room): void {
    this.pir.get(room)?.cancelOff()
    this.sensors.delete(room)
  }

  stop (): void {
    this.cancelNext()
    for (const state of this.pir.values()) state.cancelOff()
  }

  private runChunk (from: number): void {
    const to = from + CHUNK
    const pings = routineTimeline({ ...this.routine, stopsMovingAt: this.stopsMovingAt }, from, to)
    let i = 0
    const next = (): void => {
      const ping = pings[i++]
      if (ping === undefined) { this.cancelNext = this.scheduler.at(to, () => this.runChunk(to)); return }
      this.cancelNext = this.scheduler.at(ping.at, (at) => {
        // A stop scheduled after this chunk was generated still takes effect at once.
        if (at < this.stopsMovingAt) this.movement(ping.room, at)
        next()
      })
    }
    next()
  }

  private movement (room: Room, at: number): void {
    const sensor = this.sensors.get(room)
    if (sensor === undefined) return // no sensor in this room: nobody sees it
    let state = this.pir.get(room)
    if (state === undefined) {
      state = { on: false, lastTrue: -Infinity, cancelOff: () => {} }
      this.pir.set(room, state)
    }
    if (!state.on || at - state.lastTrue >= sensor.repeatMs) {
      sensor.report(true, at)
      state.lastTrue = at
    }
    state.on = true
    state.cancelOff()
    const pir = state
    pir.cancelOff = this.scheduler.at(at + sensor.holdMs, (offAt) => {
      pir.on = false
      this.sensors.get(room)?.report(false, offAt)
    })
  }
}
