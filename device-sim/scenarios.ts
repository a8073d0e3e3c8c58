// Scenario flags: things going wrong at a simulated moment, to exercise the gateway's alerting and
// device-health paths end to end. `<index>@<time>`, time as in parseSimTime (+2h, 06:30, ISO).
import { parseSimTime } from './sim-time.ts'

export type Scenario =
  /** The person in home `home` stops moving (fall, illness): sensors keep heart-beating, no motion. */
  | { kind: 'stop-moving', home: number, at: number }
  /** Sensor number `device` dies: native sensors drop their connection (the will fires), hub sensors fall silent. */
  | { kind: 'sensor-dies', device: number, at: number }
  /** The hub of home `home` goes away: `clean` = Zigbee2MQTT shutting down (publishes offline), `drop` = power cut (will). */
  | { kind: 'hub-offline', home: number, at: number, mode: 'clean' | 'drop' }

function parseIndexAt (flag: string, spec: string, start: number): { index: number, at: number } {
  const m = /^(\d+)@(.+)$/.exec(spec.trim())
  if (m === null) throw new Error(`${flag} ${spec}: expected <index>@<time>, e.g. 2@+3h or 0@07:30`)
  try {
    return { index: Number(m[1]), at: parseSimTime(m[2] as string, start) }
  } catch (err) {
    throw new Error(`${flag} ${spec}: ${(err as Error).message}`)
  }
}

export interface ScenarioFlags {
  stopMoving?: string[]
  sensorDies?: string[]
  hubOffline?: string[]
  hubDrops?: string[]
}

export function parseScenarios (flags: ScenarioFlags, start: number): Scenario[] {
  const out: Scenario[] = []
  for (const s of flags.stopMoving ?? []) { const { index, at } = parseIndexAt('--stop-moving', s, start); out.push({ kind: 'stop-moving', home: index, at }) }
  for (const s of flags.sensorDies ?? []) { const { index, at } = parseIndexAt('--sensor-dies', s, start); out.push({ kind: 'sensor-dies', device: index, at }) }
  for (const s of flags.hubOffline ?? []) { const { index, at } = parseIndexAt('--hub-offline', s, start); out.push({ kind: 'hub-offline', home: index, at, mode: 'clean' }) }
  for (const s of flags.hubDrops ?? []) { const { index, at } = parseIndexAt('--hub-drops', s, start); out.push({ kind: 'hub-offline', home: index, at, mode: 'drop' }) }
  return out
}
