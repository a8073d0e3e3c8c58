// Splits CSV text into rows of cells (RFC 4180 quotes) only to *show* the clerk their file next to the
// server's per-row errors; the server parses it again for real (src/console/finance-import.ts).
export function previewCsv (text: string, maxRows = 500): string[][] {
  const rows: string[][] = []
  let row: string[] = []
  let cell = ''
  let quoted = false
  const s = text.replace(/^\uFEFF/, '')
  for (let i = 0; i < s.length && rows.length < maxRows; i++) {
    const c = s[i] as string
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') { cell += '"'; i++ } else if (c === '"') quoted = false; else cell += c
    } else if (c === '"') quoted = true
    else if (c === ',') { row.push(cell.trim()); cell = '' } else if (c === '\n' || c === '\r') {
      if (c === '\r' && s[i + 1] === '\n') i++
      row.push(cell.trim()); rows.push(row); row = []; cell = ''
    } else cell += c
  }
  if (cell !== '' || row.length > 0) { row.push(cell.trim()); rows.push(row) }
  return rows
}
