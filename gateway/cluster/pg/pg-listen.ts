// LISTEN on one PostgreSQL channel on a connection of its own (a pooled connection would be handed to
// other queries, and a LISTEN lives as long as its session). A dropped connection is reopened with
// backoff, and the listener is then told once: a NOTIFY sent while nobody listened is lost, so "maybe
// something changed" is the only safe assumption after a reconnect.
import pg from 'pg'

export interface ListenOptions {
  /** Called (with the payload) for each notification, and once with null after each reconnect. */
  onNotify: (payload: string | null) => void
  /** A connection failed (reconnecting). Defaults to ignoring it; pass a logger's warn. */
  onError?: (err: Error) => void
  /** Backoff between reconnects: doubles from `minMs` up to `maxMs`. */
  minMs?: number
  maxMs?: number
}

/** Channel names are identifiers in LISTEN (no bind parameters there), so only plain names are accepted. */
const CHANNEL = /^[a-z_][a-z0-9_]*$/

/**
 * Start listening; resolves once the first LISTEN is in place (so a NOTIFY sent after this resolves is
 * seen). The returned function stops listening and closes the connection.
 */
export async function listen (source: string | pg.Pool, channel: string, options: ListenOptions): Promise<() => Promise<void>> {
  if (!CHANNEL.test(channel)) throw new Error(`not a plain channel name: ${channel}`)
  const minMs = options.minMs ?? 100
  const maxMs = options.maxMs ?? 5000
  let stopped = false
  let delay = minMs
  let retry: NodeJS.Timeout | null = null
  let current: { client: pg.Client | pg.PoolClient, close: (err?: Error) => Promise<void> } | null = null

  const connect = async (): Promise<void> => {
    let client: pg.Client | pg.PoolClient
    let close: (err?: Error) => Promise<void>
    if (typeof source === 'string') {
      // keepAlive: a half-open TCP connection (the database host vanished) is noticed, not waited on forever.
      const own = new pg.Client({ connectionString: source, keepAlive: true })
      client = own
      close = async () => { await own.end().catch(() => {}) }
      // Attach before connecting: an error on a client without a listener would crash the process.
      own.on('error', (err) => dropped(own, err))
      own.on('end', () => dropped(own, new Error('connection ended')))
      await own.connect().catch(async (err: unknown) => { await close(); throw err })
    } else {
      const pooled = await source.connect()
      client = pooled
      // Released with an error so the pool destroys the connection instead of reusing a LISTENing one.
      close = async (err?: Error) => { pooled.release(err ?? true) }
      pooled.on('error', (err) => dropped(pooled, err))
      pooled.on('end', () => dropped(pooled, new Error('connection ended')))
    }
    client.on('notification', (message) => {
      if (message.channel === channel) options.onNotify(message.payload ?? '')
    })
    try {
      await client.query(`LISTEN ${channel}`)
    } catch (err) {
      await close(err as Error)
      throw err
    }
    current = { client, close }
    delay = minMs
  }

  const dropped = (client: pg.Client | pg.PoolClient, err: Error): void => {
    if (current?.client !== client) return
    const { close } = current
    current = null
    void close(err)
    options.onError?.(err)
    if (!stopped) schedule()
  }

  const schedule = (): void => {
    retry = setTimeout(() => {
      retry = null
      if (stopped) return
      connect().then(() => {
        if (stopped) { void stop(); return }
        options.onNotify(null)
      }, (err: unknown) => {
        options.onError?.(err as Error)
        delay = Math.min(maxMs, delay * 2)
        if (!stopped) schedule()
      })
    }, delay)
  }

  const stop = async (): Promise<void> => {
    stopped = true
    if (retry !== null) clearTimeout(retry)
    retry = null
    const open = current
    current = null
    if (open === null) return
    await open.client.query(`UNLISTEN ${channel}`).catch(() => {})
    await open.close()
  }

  await connect()
  return stop
}
