// Activity models on a cluster worker: each worker learns the models of the homes of the partitions it
// owns, not the whole registry (with N workers the nightly 42-day history queries would otherwise be
// repeated N times, and every worker would hold a province's models).
//   takeover: the partition's homes are learned before its engine starts, so a new owner does not run
//     them on the cold-start thresholds when they have history. Waits at most `budgetMs`; the rest is
//     learned in the background (a home takes its model at its next deadline check).
//   dropped: the partition's homes' models are forgotten, so memory follows what the worker owns now.
//   nightly: the homes of the partitions owned at that moment.
// A home asked for twice at once (a takeover during the nightly refresh) is queried once (ModelRefresh).
import type { ModelRefresh, RefreshResult } from '../alerts/model-refresh.ts'
import type { Logger } from '../logger.ts'

export interface PartitionModelsDeps {
  models: Pick<ModelRefresh, 'homes' | 'learnWithin' | 'forget' | 'refresh'>
  partitionOf: (homeId: string) => number
  /** Whether this worker owns the partition now (the nightly refresh learns its homes). */
  owns: (partition: number) => boolean
  /** Longest a takeover waits for its homes' models. */
  budgetMs: number
  log: Logger
}

export class PartitionModels {
  constructor (private readonly deps: PartitionModelsDeps) {}

  /** Learn the partition's homes, waiting at most the budget: 'late' if the rest goes on in the background. */
  async takeOver (partition: number): Promise<RefreshResult | 'late'> {
    const { models, partitionOf, budgetMs, log } = this.deps
    const result = await models.learnWithin(models.homes((homeId) => partitionOf(homeId) === partition), budgetMs)
    if (result === 'late') log.warn({ partition, budgetMs }, 'activity models of the partition still learning; its homes use the cold-start thresholds meanwhile')
    return result
  }

  /** Forget the models of the partition's homes; returns how many. */
  drop (partition: number): number {
    return this.deps.models.forget((homeId) => this.deps.partitionOf(homeId) === partition)
  }

  /** The nightly refresh: the homes of the partitions owned now. */
  async refresh (): Promise<RefreshResult> {
    return await this.deps.models.refresh((homeId) => this.deps.owns(this.deps.partitionOf(homeId)))
  }
}
