// Small robust statistics for the activity model: quantiles and the isolated-event filter.

/** Linear-interpolated quantile (type 7, as R and numpy default) of an ascending array; NaN when empty. */
export function quantile (sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN
  const pos = (sorted.length - 1) * Math.min(1, Math.max(0, q))
  const lo = Math.floor(pos)
  const hi = Math.ceil(pos)
  const a = sorted[lo] as number
  const b = sorted[hi] as number
  return a + (b - a) * (pos - lo)
}

/**
 * Whether an event at `at` counts as the person's activity: only when another event came at most
 * `isolationMs` before it. A person moving about trips a sensor again within minutes (walking, a
 * bathroom visit, even the TV evening at one ping every 4-20 min mostly), while a pet passing, sunlight
 * on the lens or a curtain in the draught gives lone events (Wilhelm & Wahl 2024 filter sporadic
 * single firings for the same reason). Causal, so the alert engine can apply it live: it needs only
 * the previous event. 0 disables the filter.
 */
export function countsAsActivity (previousEventAt: number | null, at: number, isolationMs: number): boolean {
  if (isolationMs <= 0) return true
  return previousEventAt !== null && at - previousEventAt <= isolationMs
}

/** The events of an ascending list that count as activity (see countsAsActivity). */
export function filterActivity (times: readonly number[], isolationMs: number): number[] {
  if (isolationMs <= 0) return [...times]
  const out: number[] = []
  for (let i = 1; i < times.length; i++) {
    if (countsAsActivity(times[i - 1] as number, times[i] as number, isolationMs)) out.push(times[i] as number)
  }
  return out
}

/** First index i with sorted[i] >= value (binary search). */
export function lowerBound (sorted: readonly number[], value: number): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((sorted[mid] as number) < value) lo = mid + 1
    else hi = mid
  }
  return lo
}
