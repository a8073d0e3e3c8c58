// Import a ledger export (CSV or XLSX) into a draft statement. All or nothing: every row is checked
// first (src/console/finance-import.ts) and one bad row rejects the file with every problem listed by
// row and column, so the clerk fixes the file once instead of discovering errors one at a time.
// The file travels base64 in JSON: the console API accepts JSON only (CSRF), and a ledger is small.
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { readSheet } from 'read-excel-file/node'
import { z } from 'zod'
import { csvRows, decodeCsv, mapLedgerRows, type Cell, type RowError } from '../../../src/console/finance-import.ts'
import { importBody, importRejected, statementDetail } from '../../../src/console/console-schemas.ts'
import type { requireRole } from '../auth/principal.ts'
import { idParam, villageOfRow, type ConsoleApi } from './common.ts'

type Req = Parameters<typeof requireRole>[0]
interface Helpers {
  preparer: (req: Req, villageId: string) => string
  detail: (id: string) => z.infer<typeof statementDetail>
}

/** XLSX is a zip: it starts with the local file header signature PK\x03\x04. */
const isZip = (b: Buffer): boolean => b.length > 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04

async function rowsOf (bytes: Buffer, format: 'csv' | 'xlsx'): Promise<{ rows: Cell[][] } | { error: RowError }> {
  if (format === 'xlsx') {
    if (!isZip(bytes)) return { error: { row: 1, column: null, reason: 'not an .xlsx file (an old .xls? save it as .xlsx or CSV UTF-8)' } }
    try {
      return { rows: (await readSheet(bytes)) as Cell[][] }
    } catch (err) {
      return { error: { row: 1, column: null, reason: `the .xlsx file cannot be read: ${(err as Error).message}` } }
    }
  }
  const decoded = decodeCsv(bytes)
  if ('error' in decoded) return { error: { row: 1, column: null, reason: decoded.error } }
  return csvRows(decoded.text)
}

export function financeImportApi (app: FastifyInstance, { deps }: ConsoleApi, helpers: Helpers): void {
  const r = app.withTypeProvider<ZodTypeProvider>()
  r.post('/finance/statements/:id/import', {
    // A 3 MB file is ~4 MB of base64; the gateway's default body limit is 1 MB.
    bodyLimit: 4_200_000,
    schema: {
      tags: ['console: finance'],
      params: idParam,
      body: importBody,
      // 400 is also the error handler's answer to a body that fails `importBody` ({error, message, details},
      // no `rows`); with importRejected alone that answer failed serialisation and went out as a 500.
      response: { 200: statementDetail, 400: z.union([importRejected, z.looseObject({ error: z.string(), message: z.string() })]) },
      description: 'CSV (UTF-8 with or without BOM, or GBK) or XLSX, header row in Chinese or English (docs/console.md). ' +
        'Every bad row is listed with its row number, column and reason, and then nothing is imported.'
    }
  }, async (req, reply) => {
    const by = helpers.preparer(req, villageOfRow(deps, 'finance_statements', req.params.id))
    const statement = deps.content.finance.get(req.params.id)
    const bytes = Buffer.from(req.body.contentBase64, 'base64')
    // The bytes outrank the label: a zip is an .xlsx whatever it was called, and decoding one as text helps nobody.
    const format = isZip(bytes) ? 'xlsx' : req.body.format ?? (/\.xlsx$/i.test(req.body.filename ?? '') ? 'xlsx' : 'csv')
    const read = await rowsOf(bytes, format)
    const result = 'error' in read ? { ok: false as const, errors: [read.error] } : mapLedgerRows(read.rows, { start: statement.periodStart, end: statement.periodEnd })
    if (!result.ok) {
      const message = `${result.errors.length} problem(s); nothing was imported: ` +
        result.errors.slice(0, 3).map((e) => `row ${e.row}${e.column === null ? '' : ` ${e.column}`}: ${e.reason}`).join('; ')
      return reply.code(400).send({ error: 'INVALID_INPUT' as const, message, rows: result.errors })
    }
    deps.content.finance.setEntries(statement.id, result.entries, by, req.body.mode === 'append')
    return helpers.detail(statement.id)
  })
}
