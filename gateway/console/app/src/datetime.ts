// <input type="datetime-local"> speaks the browser's zone; villages run on China Standard Time (UTC+8,
// no DST), so convert explicitly and a clerk's laptop set to another zone still schedules correctly.
const CST = 8 * 3600_000
const pad = (n: number): string => (n < 10 ? '0' : '') + String(n)

export function toLocalInput (ms: number): string {
  const d = new Date(ms + CST)
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`
}
export function fromLocalInput (s: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(s)
  if (m === null) return null
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5])) - CST
}
