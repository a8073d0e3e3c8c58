// What the console (gateway/console) is built from: the same domain services the admin API uses, plus
// the database (accounts, sessions, audit) and the configuration.
import type { Config } from '../config/config-schema.ts'
import type { Db } from '../db/open-database.ts'
import type { HttpDeps } from '../http/http-server.ts'

export type ConsoleDeps = HttpDeps & { db: Db, config: Config }
