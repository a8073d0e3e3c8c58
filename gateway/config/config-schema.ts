// The one typed configuration of a gateway. Defaults give a working embedded gateway with no file and
// no environment; every number below is overridable so tests and benchmarks can run many side by side.
import { validate as isCronExpression } from 'node-cron'
import { z } from 'zod'
import { DEFAULT_LADDER } from '../../src/alerts.ts'
import { ID_PATTERN } from '../../src/topics.ts'

const port = z.coerce.number().int().min(0).max(65_535)
const cron = z.string().refine((s) => isCronExpression(s), 'not a valid cron expression')

export const configSchema = z.object({
  dataDir: z.string().min(1).default('./data'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Bearer token for the admin HTTP API. When unset, one is generated and kept in `<dataDir>/admin-token`. */
  adminToken: z.string().min(24, 'ANJU_ADMIN_TOKEN must be at least 24 characters').optional(),
  http: z.object({
    host: z.string().default('0.0.0.0'),
    port: port.default(8080),
    /**
     * Behind a reverse proxy (nginx, a township's gateway), the proxy addresses whose X-Forwarded-For is
     * believed, comma-separated IPs/CIDRs or `loopback`; per-IP limits (sign-in, pairing) then see the
     * real client. Unset: the connection's address is the client (never trust a header by default).
     */
    trustProxy: z.string().min(1).optional()
  }).prefault({}),
  mqtt: z.object({
    host: z.string().default('0.0.0.0'),
    port: port.default(1883),
    /** MQTT over TLS; only started when both tlsCert and tlsKey are set. */
    tlsPort: port.default(8883),
    tlsCert: z.string().optional(),
    tlsKey: z.string().optional(),
    /** MQTT over WebSocket on the HTTP port. */
    wsPath: z.string().startsWith('/').default('/mqtt'),
    /** A PIR report is ~40 bytes and a Zigbee2MQTT state ~300; 8 KiB leaves room and refuses abuse. */
    maxPayloadBytes: z.coerce.number().int().min(256).max(1_048_576).default(8192),
    /**
     * Per-client token bucket. A sensor sends a few messages a minute; a hub with 4 sensors maybe one a
     * second. Beyond the bucket the client's socket is read more slowly (backpressure); once it owes more
     * than `maxDelayMs` of tokens it is disconnected and refused for `floodCooldownMs`.
     */
    ratePerSecond: z.coerce.number().positive().default(20),
    rateBurst: z.coerce.number().int().min(1).default(100),
    maxDelayMs: z.coerce.number().int().min(0).default(2000),
    floodCooldownMs: z.coerce.number().int().min(0).default(10_000),
    /**
     * Secret guessing: failed connects per source address and per (address, device id) in a window. Once
     * over, that address (or that id from it) is answered CONNACK 3 without checking the secret until the
     * window ends. Per pair, so one sensor with a stale secret behind a village's shared NAT address
     * locks out only itself; per address high enough that a few such sensors do not lock out the rest.
     */
    authFailureWindowMs: z.coerce.number().int().min(1000).default(60_000),
    authFailuresPerDevice: z.coerce.number().int().min(1).default(10),
    authFailuresPerAddress: z.coerce.number().int().min(1).default(100),
    /** Seconds a connection may take to send CONNECT; slow-loris sockets are dropped after this. */
    connectTimeoutMs: z.coerce.number().int().min(500).default(10_000)
  }).prefault({}),
  ingest: z.object({
    /** Device time stamps further than this from the gateway clock are replaced by receive time. */
    maxClockSkewMs: z.coerce.number().int().min(0).default(5 * 60_000),
    /** A repeated `motion: true` this long after the previous report is a new activity. */
    motionHoldMs: z.coerce.number().int().min(1000).default(2 * 60_000),
    /** Friendly names a hub may introduce; stops a broken hub from filling the registry. */
    maxSensorsPerHub: z.coerce.number().int().min(1).max(500).default(32),
    /** How often device health (last seen, battery, drops) is written to SQLite. */
    stateFlushMs: z.coerce.number().int().min(50).default(5000)
  }).prefault({}),
  telemetry: z.object({
    /**
     * `embedded`: SQLite file <dataDir>/telemetry.db, zero setup. `influxdb`: an InfluxDB 1.x server.
     * `influxdb2`: InfluxDB 2.x / 3.x / Cloud (token, org, bucket; see `influx2`).
     */
    backend: z.enum(['embedded', 'influxdb', 'influxdb2']).default('embedded'),
    /** Raw points older than this are deleted (privacy: personal data is kept only as long as configured). */
    retentionDays: z.coerce.number().int().min(1).max(3650).default(400),
    batchSize: z.coerce.number().int().min(1).max(50_000).default(5000),
    flushIntervalMs: z.coerce.number().int().min(10).default(1000),
    influx: z.object({
      url: z.url().default('http://127.0.0.1:8086'),
      database: z.string().regex(/^[A-Za-z0-9_]+$/).default('anju'),
      username: z.string().optional(),
      password: z.string().optional(),
      timeoutMs: z.coerce.number().int().min(100).default(10_000)
    }).prefault({}),
    influx2: z.object({
      url: z.url().default('http://127.0.0.1:8086'),
      /** An API token with write and read access to the bucket (and bucket/task rights when manageSchema). */
      token: z.string().min(1).optional(),
      org: z.string().min(1).default('anju'),
      bucket: z.string().regex(/^[A-Za-z0-9_-]+$/).default('anju'),
      /** Create the buckets and the rollup task when missing (2.x); `false` for InfluxDB 3.x. */
      manageSchema: z.stringbool().default(true),
      timeoutMs: z.coerce.number().int().min(100).default(10_000)
    }).prefault({}),
    /** Disk bound of the spool that holds points while InfluxDB is down (<dataDir>/spool.db). */
    spoolMaxBytes: z.coerce.number().int().min(1_048_576).default(1_073_741_824)
  }).refine((t) => t.backend !== 'influxdb2' || t.influx2.token !== undefined,
    { message: 'telemetry.backend influxdb2 needs a token (ANJU_TELEMETRY_INFLUX2_TOKEN)', path: ['influx2', 'token'] }).prefault({}),
  tv: z.object({
    /** The village a TV screen shows before it is paired; unset: the only village, else the oldest. */
    defaultVillageId: z.string().regex(ID_PATTERN).optional()
  }).prefault({}),
  notify: z.object({
    /** The gateway's address as family and grid workers reach it (ack links), e.g. https://anju.example.cn. */
    publicUrl: z.url().optional(),
    /** How long an acknowledge link stays valid (gateway/alerts/ack-links.ts). */
    ackLinkTtlHours: z.coerce.number().positive().max(24 * 30).default(24),
    /** HMAC key of acknowledge links; when unset, 32 random bytes are generated into `<dataDir>/ack-link-key`. */
    ackLinkKey: z.string().min(32, 'ANJU_NOTIFY_ACK_LINK_KEY must be at least 32 characters').optional(),
    /** HMAC-SHA256 key of the generic webhook's x-anju-signature (docs/notifications.md); webhooks stay off without it. */
    webhookSecret: z.string().min(32, 'ANJU_NOTIFY_WEBHOOK_SECRET must be at least 32 characters').optional(),
    /** SMS over an HTTP provider: POST {to, text} with a bearer token; SMS stays off without a URL. */
    smsUrl: z.url().optional(),
    smsToken: z.string().optional(),
    /** Per request to a webhook, robot or SMS provider. */
    timeoutMs: z.coerce.number().int().min(100).default(10_000),
    /** Deliveries in flight at once; one slow receiver cannot hold up the rest beyond this. */
    concurrency: z.coerce.number().int().min(1).max(256).default(8),
    /** Retry backoff: base doubling per failure up to maxDelay; dead after maxAttempts or maxAge. */
    retryBaseMs: z.coerce.number().int().min(1).default(5000),
    retryMaxDelayMs: z.coerce.number().int().min(1).default(10 * 60_000),
    maxAttempts: z.coerce.number().int().min(1).default(100),
    maxAgeMs: z.coerce.number().int().min(1000).default(24 * 3_600_000),
    /** Delivered and dead outbox rows hold message text (names): deleted after this by the retention job. */
    retentionDays: z.coerce.number().int().min(1).max(3650).default(30),
    /** Cron expressions in Asia/Shanghai time (node-cron syntax). */
    dailySummaryCron: cron.default('0 20 * * *'),
    modelRefreshCron: cron.default('30 2 * * *'),
    retentionCron: cron.default('0 3 * * *')
  }).prefault({}),
  /** Console accounts and sessions (gateway/console/auth). */
  console: z.object({
    /**
     * `auto`: the session cookie is Secure when the request came over https (TLS on this server). Set
     * `always` behind a TLS-terminating reverse proxy; `never` only for a LAN without TLS.
     */
    secureCookies: z.enum(['auto', 'always', 'never']).default('auto'),
    /** A session ends after this long without a request (sliding); office hours by default. */
    sessionIdleMinutes: z.coerce.number().int().min(1).max(7 * 24 * 60).default(8 * 60),
    /** ...and at the latest this long after sign-in, however active. */
    sessionMaxHours: z.coerce.number().int().min(1).max(90 * 24).default(7 * 24),
    /** Failed sign-ins within the window before a username (resp. an IP) gets 429 until the window passes. */
    loginWindowMinutes: z.coerce.number().int().min(1).max(24 * 60).default(15),
    loginMaxFailuresPerUser: z.coerce.number().int().min(1).default(5),
    loginMaxFailuresPerIp: z.coerce.number().int().min(1).default(20),
    /** Audit rows are deleted after this many days by the nightly retention job... */
    auditRetentionDays: z.coerce.number().int().min(30).max(3650).default(730),
    /** ...and sign-in rows, which hold the client's IP address, sooner. */
    signInAuditRetentionDays: z.coerce.number().int().min(1).max(3650).default(90)
  }).prefault({}),
  /** The escalation ladder where a home has no timeouts of its own (per-home alert settings win). */
  alerts: z.object({
    tvTimeoutMs: z.coerce.number().int().min(60_000).default(DEFAULT_LADDER.tvTimeoutMs),
    familyTimeoutMs: z.coerce.number().int().min(60_000).default(DEFAULT_LADDER.familyTimeoutMs),
    gridTimeoutMs: z.coerce.number().int().min(60_000).default(DEFAULT_LADDER.gridTimeoutMs)
  }).prefault({}),
  /**
   * The HTTP authentication/ACL backend an external broker (EMQX, mosquitto-go-auth) calls for device
   * connects (docs/cluster.md). Off until a token is set; the broker sends it as `Authorization: Bearer`.
   */
  brokerAuth: z.object({
    token: z.string().min(24, 'ANJU_BROKER_AUTH_TOKEN must be at least 24 characters').optional()
  }).prefault({}),
  /**
   * Mosquitto's dynamic security plugin, provisioned with each device's credentials when it is registered,
   * re-keyed or revoked (Mosquitto cannot call an HTTP backend). Off until a URL is set.
   */
  dynsec: z.object({
    url: z.url().optional(),
    username: z.string().min(1).default('anju-admin'),
    password: z.string().optional()
  }).prefault({}),
  /** Cluster mode (`npm run worker`, docs/cluster.md): one of N workers behind an external broker. */
  cluster: z.object({
    workerId: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/).optional(),
    partitions: z.coerce.number().int().min(1).max(4096).default(64),
    leaseMs: z.coerce.number().int().min(1_000).default(15_000),
    renewMs: z.coerce.number().int().min(100).default(5_000),
    streamRetentionMs: z.coerce.number().int().min(10_000).default(10 * 60_000),
    redisUrl: z.string().optional(),
    postgresUrl: z.string().optional(),
    brokerUrl: z.string().optional(),
    brokerUsername: z.string().default('anju-worker'),
    brokerPassword: z.string().optional(),
    /** Keep the broker session across a worker's restarts (see SharedSubscriber: only with stable worker ids). */
    persistentSession: z.stringbool().default(false),
    /** The shared-subscription group: `$share/<group>/anju/v1/...`. */
    shareGroup: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).default('anju')
  }).prefault({}).refine((c) => c.renewMs * 2 < c.leaseMs, 'cluster.renewMs must be less than half of cluster.leaseMs')
})

export type Config = Readonly<z.infer<typeof configSchema>>
export type ConfigInput = z.input<typeof configSchema>
