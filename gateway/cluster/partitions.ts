// Homes are hashed into a fixed number of partitions (docs/cluster.md, "Ownership"); each partition is owned
// by one live worker. Pure functions: every worker must compute the same answers from the same inputs.
import { createHash } from 'node:crypto'

/**
 * The partition of a home: the first 4 bytes of SHA-1 of its id, mod `partitions`. SHA-1 is used for its
 * spread and its stability across Node versions and machines, not for security. Changing this function
 * (or the partition count) re-homes every alert, so it must never change in a running cluster.
 */
export function partitionOf (homeId: string, partitions: number): number {
  if (!Number.isInteger(partitions) || partitions < 1) throw new Error(`partitions must be a positive integer, got ${partitions}`)
  return createHash('sha1').update(homeId).digest().readUInt32BE(0) % partitions
}

/**
 * How many partitions each live worker should hold: `partitions = q × n + r`; the first r workers in id
 * order hold q + 1, the others q. So no worker holds more than ceil(partitions / n), and the shares add up
 * to exactly `partitions`: a worker above its share releases, one below takes what was released, and the
 * split converges to within one partition (with a plain ceil for everyone, 16 over 3 could settle at
 * 6, 6, 4). Workers agree as long as they read the same membership set; for the moment they differ
 * (a join or an expiry seen one tick apart) the split is off by one and the next tick corrects it.
 */
export function fairShare (partitions: number, liveWorkers: readonly string[]): Map<string, number> {
  const ids = [...new Set(liveWorkers)].sort()
  const shares = new Map<string, number>()
  if (ids.length === 0) return shares
  const q = Math.floor(partitions / ids.length)
  const r = partitions % ids.length
  ids.forEach((id, i) => shares.set(id, i < r ? q + 1 : q))
  return shares
}
