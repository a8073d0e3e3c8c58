// The only module that reads process.env. Sources, later wins: defaults < JSON file < ANJU_* env.
import { readFileSync } from 'node:fs'
import { configSchema, type Config, type ConfigInput } from './config-schema.ts'

/** ANJU_* variable → path in the config object. */
const ENV_MAP: Record<string, string[]> = {
  ANJU_DATA_DIR: ['dataDir'],
  ANJU_LOG_LEVEL: ['logLevel'],
  ANJU_ADMIN_TOKEN: ['adminToken'],
  ANJU_HTTP_HOST: ['http', 'host'],
  ANJU_HTTP_PORT: ['http', 'port'],
  ANJU_HTTP_TRUST_PROXY: ['http', 'trustProxy'],
  ANJU_MQTT_HOST: ['mqtt', 'host'],
  ANJU_MQTT_PORT: ['mqtt', 'port'],
  ANJU_MQTTS_PORT: ['mqtt', 'tlsPort'],
  ANJU_TLS_CERT: ['mqtt', 'tlsCert'],
  ANJU_TLS_KEY: ['mqtt', 'tlsKey'],
  ANJU_MQTT_WS_PATH: ['mqtt', 'wsPath'],
  ANJU_MQTT_MAX_PAYLOAD_BYTES: ['mqtt', 'maxPayloadBytes'],
  ANJU_MQTT_RATE_PER_SECOND: ['mqtt', 'ratePerSecond'],
  ANJU_MQTT_RATE_BURST: ['mqtt', 'rateBurst'],
  ANJU_MQTT_AUTH_FAILURE_WINDOW_MS: ['mqtt', 'authFailureWindowMs'],
  ANJU_MQTT_AUTH_FAILURES_PER_DEVICE: ['mqtt', 'authFailuresPerDevice'],
  ANJU_MQTT_AUTH_FAILURES_PER_ADDRESS: ['mqtt', 'authFailuresPerAddress'],
  ANJU_INGEST_MAX_CLOCK_SKEW_MS: ['ingest', 'maxClockSkewMs'],
  ANJU_TELEMETRY_BACKEND: ['telemetry', 'backend'],
  ANJU_TELEMETRY_RETENTION_DAYS: ['telemetry', 'retentionDays'],
  ANJU_TELEMETRY_INFLUX_URL: ['telemetry', 'influx', 'url'],
  ANJU_TELEMETRY_INFLUX_DATABASE: ['telemetry', 'influx', 'database'],
  ANJU_TELEMETRY_INFLUX_USERNAME: ['telemetry', 'influx', 'username'],
  ANJU_TELEMETRY_INFLUX_PASSWORD: ['telemetry', 'influx', 'password'],
  ANJU_TELEMETRY_INFLUX2_URL: ['telemetry', 'influx2', 'url'],
  ANJU_TELEMETRY_INFLUX2_TOKEN: ['telemetry', 'influx2', 'token'],
  ANJU_TELEMETRY_INFLUX2_ORG: ['telemetry', 'influx2', 'org'],
  ANJU_TELEMETRY_INFLUX2_BUCKET: ['telemetry', 'influx2', 'bucket'],
  ANJU_TELEMETRY_INFLUX2_MANAGE_SCHEMA: ['telemetry', 'influx2', 'manageSchema'],
  ANJU_TELEMETRY_SPOOL_MAX_BYTES: ['telemetry', 'spoolMaxBytes'],
  ANJU_TV_DEFAULT_VILLAGE: ['tv', 'defaultVillageId'],
  ANJU_PUBLIC_URL: ['notify', 'publicUrl'],
  ANJU_NOTIFY_WEBHOOK_SECRET: ['notify', 'webhookSecret'],
  ANJU_NOTIFY_SMS_URL: ['notify', 'smsUrl'],
  ANJU_NOTIFY_SMS_TOKEN: ['notify', 'smsToken'],
  ANJU_NOTIFY_TIMEOUT_MS: ['notify', 'timeoutMs'],
  ANJU_NOTIFY_CONCURRENCY: ['notify', 'concurrency'],
  ANJU_NOTIFY_RETRY_BASE_MS: ['notify', 'retryBaseMs'],
  ANJU_NOTIFY_RETRY_MAX_DELAY_MS: ['notify', 'retryMaxDelayMs'],
  ANJU_NOTIFY_MAX_ATTEMPTS: ['notify', 'maxAttempts'],
  ANJU_NOTIFY_MAX_AGE_MS: ['notify', 'maxAgeMs'],
  ANJU_NOTIFY_RETENTION_DAYS: ['notify', 'retentionDays'],
  ANJU_NOTIFY_DAILY_SUMMARY_CRON: ['notify', 'dailySummaryCron'],
  ANJU_NOTIFY_MODEL_REFRESH_CRON: ['notify', 'modelRefreshCron'],
  ANJU_NOTIFY_RETENTION_CRON: ['notify', 'retentionCron'],
  ANJU_NOTIFY_ACK_LINK_TTL_HOURS: ['notify', 'ackLinkTtlHours'],
  ANJU_NOTIFY_ACK_LINK_KEY: ['notify', 'ackLinkKey'],
  ANJU_CONSOLE_AUDIT_RETENTION_DAYS: ['console', 'auditRetentionDays'],
  ANJU_CONSOLE_SIGN_IN_AUDIT_RETENTION_DAYS: ['console', 'signInAuditRetentionDays'],
  ANJU_CONSOLE_SECURE_COOKIES: ['console', 'secureCookies'],
  ANJU_CONSOLE_SESSION_IDLE_MINUTES: ['console', 'sessionIdleMinutes'],
  ANJU_CONSOLE_SESSION_MAX_HOURS: ['console', 'sessionMaxHours'],
  ANJU_CONSOLE_LOGIN_WINDOW_MINUTES: ['console', 'loginWindowMinutes'],
  ANJU_CONSOLE_LOGIN_MAX_FAILURES_PER_USER: ['console', 'loginMaxFailuresPerUser'],
  ANJU_CONSOLE_LOGIN_MAX_FAILURES_PER_IP: ['console', 'loginMaxFailuresPerIp'],
  ANJU_ALERTS_TV_TIMEOUT_MS: ['alerts', 'tvTimeoutMs'],
  ANJU_ALERTS_FAMILY_TIMEOUT_MS: ['alerts', 'familyTimeoutMs'],
  ANJU_ALERTS_GRID_TIMEOUT_MS: ['alerts', 'gridTimeoutMs'],
  ANJU_BROKER_AUTH_TOKEN: ['brokerAuth', 'token'],
  ANJU_DYNSEC_URL: ['dynsec', 'url'],
  ANJU_DYNSEC_USERNAME: ['dynsec', 'username'],
  ANJU_DYNSEC_PASSWORD: ['dynsec', 'password'],
  ANJU_CLUSTER_WORKER_ID: ['cluster', 'workerId'],
  ANJU_CLUSTER_PARTITIONS: ['cluster', 'partitions'],
  ANJU_CLUSTER_LEASE_MS: ['cluster', 'leaseMs'],
  ANJU_CLUSTER_RENEW_MS: ['cluster', 'renewMs'],
  ANJU_CLUSTER_STREAM_RETENTION_MS: ['cluster', 'streamRetentionMs'],
  ANJU_CLUSTER_REDIS_URL: ['cluster', 'redisUrl'],
  ANJU_CLUSTER_POSTGRES_URL: ['cluster', 'postgresUrl'],
  ANJU_CLUSTER_BROKER_URL: ['cluster', 'brokerUrl'],
  ANJU_CLUSTER_BROKER_USERNAME: ['cluster', 'brokerUsername'],
  ANJU_CLUSTER_BROKER_PASSWORD: ['cluster', 'brokerPassword'],
  ANJU_CLUSTER_SHARE_GROUP: ['cluster', 'shareGroup'],
  ANJU_CLUSTER_PERSISTENT_SESSION: ['cluster', 'persistentSession']
}

export class ConfigError extends Error {
  constructor (readonly problems: string[]) {
    super('invalid configuration:\n' + problems.map((p) => '  - ' + p).join('\n'))
    this.name = 'ConfigError'
  }
}

function setPath (target: Record<string, unknown>, path: string[], value: string): void {
  let node = target
  for (const key of path.slice(0, -1)) {
    node[key] = (node[key] as Record<string, unknown> | undefined) ?? {}
    node = node[key] as Record<string, unknown>
  }
  node[path[path.length - 1] as string] = value
}

function deepFreeze<T> (value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner)
    Object.freeze(value)
  }
  return value
}

/** Validate a config object (from tests or files); every problem is reported at once. */
export function parseConfig (input: ConfigInput): Config {
  const result = configSchema.safeParse(input)
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`))
  }
  return deepFreeze(result.data)
}

export function loadConfig (env: NodeJS.ProcessEnv = process.env, file = env.ANJU_CONFIG): Config {
  let input: Record<string, unknown> = {}
  if (file !== undefined && file !== '') {
    try {
      input = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>
    } catch (err) {
      throw new ConfigError([`ANJU_CONFIG ${file}: ${(err as Error).message}`])
    }
  }
  for (const [name, path] of Object.entries(ENV_MAP)) {
    const value = env[name]
    if (value !== undefined && value !== '') setPath(input, path, value)
  }
  const unknown = Object.keys(env).filter((k) => k.startsWith('ANJU_') && !(k in ENV_MAP) && k !== 'ANJU_CONFIG')
  const config = parseConfig(input as ConfigInput)
  if (unknown.length > 0) {
    // A typo such as ANJU_MQTT_PROT would otherwise be silently ignored.
    throw new ConfigError(unknown.map((k) => `${k}: unknown variable (known: ${Object.keys(ENV_MAP).join(', ')})`))
  }
  return config
}

/** For a process's entry point: the configuration, or the problems on stderr and exit code 2. */
export function loadConfigOrExit (): Config {
  try {
    return loadConfig()
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message)
      process.exit(2)
    }
    throw err
  }
}
