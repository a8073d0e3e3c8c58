// Summary statistics for benchmarks: medians of runs and latency percentiles. Nearest-rank percentiles
// (the value a reader can point at in the samples), not interpolated ones.

/** Nearest-rank percentile (p in 0..100) of the samples; NaN when there are none. */
export function percentile (samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN
  const sorted = [...samples].sort((a, b) => a - b)
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)))
  return sorted[rank - 1] as number
}

export const median = (samples: readonly number[]): number => percentile(samples, 50)

/** Round to `digits` decimals for tables and JSON (benchmarks report what they can resolve). */
export const round = (x: number, digits = 1): number => Number.isFinite(x) ? +x.toFixed(digits) : x

/** a / b rounded to two decimals; null when either side is missing (a peer that could not run). */
export function ratio (a: number | null | undefined, b: number | null | undefined): number | null {
  if (a == null || b == null || !Number.isFinite(a) || !Number.isFinite(b) || b === 0) return null
  return +(a / b).toFixed(2)
}
