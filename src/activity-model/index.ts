// The per-home activity model: learned inactivity thresholds and usual wake-up time (issue 4, Detection).
export { CHINA_TZ_OFFSET_MINUTES } from './time.ts'
export { countsAsActivity, filterActivity } from './stats.ts'
export { COLD_START, LEARN_DEFAULTS, fixedThresholdMin, learnModel, learnedWeight, type ActivityHistory, type FixedThresholds, type LearnOptions } from './learn.ts'
export { ModelThresholds, parseHomeModel, thresholdMs, usualWakeBy, type HomeModel } from './model.ts'
