// A cheap shape check on the write() hot path (a few typeof tests per point, no allocation). Ingest
// builds points from validated payloads, so this is a guard: a bad point must be dropped alone, not
// fail the whole batch transaction it would otherwise share with good points.
import type { TelemetryPoint } from '../../src/telemetry.ts'

const id = (v: unknown): boolean => typeof v === 'string' && v.length > 0
const optionalNumber = (v: unknown): boolean => v === undefined || (typeof v === 'number' && Number.isFinite(v))

export function isWellFormed (p: unknown): p is TelemetryPoint {
  if (typeof p !== 'object' || p === null) return false
  const o = p as Record<string, unknown>
  if (!id(o.villageId) || !id(o.homeId) || !id(o.deviceId)) return false
  if (typeof o.at !== 'number' || !Number.isFinite(o.at)) return false
  if (o.kind === 'activity') return o.timeSource === 'device' || o.timeSource === 'gateway'
  if (o.kind !== 'health') return false
  return (o.deviceKind === 'sensor' || o.deviceKind === 'hub' || o.deviceKind === 'hub-sensor') &&
    (o.online === undefined || typeof o.online === 'boolean') &&
    optionalNumber(o.battery) && optionalNumber(o.rssi) && optionalNumber(o.linkquality)
}
