// `anju village|grid|home|resident|contact ...`: the places of the registry, written straight into the
// gateway's SQLite database. These have no live side in a running gateway, so there is no --url here.
import { Option, type Command } from 'commander'
import { z } from 'zod'
import { AnjuError } from '../../src/errors.ts'
import {
  contactInput, contactRole, entityId, gridInput, homeInput, residentInput, villageInput,
  type Contact, type Grid, type Home, type Resident, type Village
} from '../../src/registry-schemas.ts'
import { globalsOf, withStores, type Stores } from './context.ts'
import { deleteResident } from './resident-delete.ts'
import { defined, idArg, integer, parseInput } from './input.ts'
import { formatTime, keyValues, print, printJson, table } from './output.ts'

interface JsonFlag { json?: boolean }

/** Turn the store's bare CONFLICT into a message that names the record. */
function creating<T> (what: string, id: string | undefined, run: () => T): T {
  try {
    return run()
  } catch (err) {
    if (err instanceof AnjuError && err.code === 'CONFLICT') throw new AnjuError('CONFLICT', `${what} ${id ?? '(generated id)'} already exists`)
    throw err
  }
}

function requireVillage (stores: Stores, id: string): void {
  if (!stores.places.listVillages().some((v) => v.id === id)) throw new AnjuError('NOT_FOUND', `village ${id} does not exist`)
}
function requireGrid (stores: Stores, id: string): void {
  if (!stores.places.listGrids().some((g) => g.id === id)) throw new AnjuError('NOT_FOUND', `grid ${id} does not exist`)
}
function requireHome (stores: Stores, id: string): void {
  if (stores.places.getHome(id) === undefined) throw new AnjuError('NOT_FOUND', `home ${id} does not exist`)
}

/** `villageId` → "village", `birthYear` → "birth year", `createdAt` → "created". */
const label = (key: string): string => key === 'createdAt' ? 'created' : key.replace(/Id$/, '').replace(/[A-Z]/g, (c) => ' ' + c.toLowerCase())

function show (opts: JsonFlag, title: string, record: Record<string, unknown>): void {
  if (opts.json === true) return printJson(record)
  print(title)
  print(keyValues(Object.entries(record).map(([k, v]) => [label(k), k === 'createdAt' ? formatTime(v as number) : v as string | number | null])))
}

function list<T> (opts: JsonFlag, rows: T[], render: () => string): void {
  if (opts.json === true) printJson(rows)
  else print(render())
}

export function registerPlaceCommands (program: Command): void {
  const village = program.command('village').description('villages (村)')
  village.command('add').description('add a village')
    .requiredOption('--name <name>', 'the village name, e.g. 山下庄村')
    .option('--id <id>', 'choose the id (default: generated)')
    .option('--json', 'print JSON')
    .action((opts: JsonFlag & { name: string, id?: string }, cmd: Command) => {
      const input = parseInput(villageInput, defined({ id: opts.id, name: opts.name }))
      const row = withStores(globalsOf(cmd), 'create', ({ places }) => creating('village', input.id, () => places.createVillage(input)))
      show(opts, `created village ${row.id}`, row)
    })
  village.command('list').description('list villages').option('--json', 'print JSON')
    .action((opts: JsonFlag, cmd: Command) => {
      const rows = withStores(globalsOf(cmd), 'existing', ({ places }) => places.listVillages())
      list(opts, rows, () => table<Village>(rows, [
        { header: 'id', value: (r) => r.id }, { header: 'name', value: (r) => r.name }, { header: 'created', value: (r) => formatTime(r.createdAt) }
      ], 'no villages'))
    })

  const grid = program.command('grid').description('grids (网格) of a village')
  grid.command('add').description('add a grid to a village')
    .requiredOption('--village <id>', 'the village')
    .requiredOption('--name <name>', 'the grid name, e.g. 第一网格')
    .option('--id <id>', 'choose the id (default: generated)')
    .option('--json', 'print JSON')
    .action((opts: JsonFlag & { village: string, name: string, id?: string }, cmd: Command) => {
      const input = parseInput(gridInput, defined({ id: opts.id, villageId: opts.village, name: opts.name }))
      const row = withStores(globalsOf(cmd), 'existing', (stores) => {
        requireVillage(stores, input.villageId)
        return creating('grid', input.id, () => stores.places.createGrid(input))
      })
      show(opts, `created grid ${row.id}`, row)
    })
  grid.command('list').description('list grids').option('--village <id>', 'only this village').option('--json', 'print JSON')
    .action((opts: JsonFlag & { village?: string }, cmd: Command) => {
      const filter = parseInput(z.object({ villageId: entityId.optional() }), defined({ villageId: opts.village }))
      const rows = withStores(globalsOf(cmd), 'existing', ({ places }) => places.listGrids(filter.villageId))
      list(opts, rows, () => table<Grid>(rows, [
        { header: 'id', value: (r) => r.id }, { header: 'village', value: (r) => r.villageId }, { header: 'name', value: (r) => r.name }
      ], 'no grids'))
    })

  const home = program.command('home').description('homes (户) in a grid')
  home.command('add').description('add a home to a grid')
    .requiredOption('--grid <id>', 'the grid')
    .requiredOption('--label <text>', 'house number or description, e.g. "山下庄 12号" (never the resident\'s name)')
    .option('--id <id>', 'choose the id (default: generated)')
    .option('--json', 'print JSON')
    .action((opts: JsonFlag & { grid: string, label: string, id?: string }, cmd: Command) => {
      const input = parseInput(homeInput, defined({ id: opts.id, gridId: opts.grid, label: opts.label }))
      const row = withStores(globalsOf(cmd), 'existing', ({ places }) => creating('home', input.id, () => places.createHome(input)))
      show(opts, `created home ${row.id}`, row)
    })
  home.command('list').description('list homes')
    .option('--grid <id>', 'only this grid').option('--village <id>', 'only this village').option('--json', 'print JSON')
    .action((opts: JsonFlag & { grid?: string, village?: string }, cmd: Command) => {
      const filter = parseInput(z.object({ gridId: entityId.optional(), villageId: entityId.optional() }), defined({ gridId: opts.grid, villageId: opts.village }))
      const rows = withStores(globalsOf(cmd), 'existing', ({ places }) => places.listHomes(filter))
      list(opts, rows, () => table<Home>(rows, [
        { header: 'id', value: (r) => r.id }, { header: 'village', value: (r) => r.villageId }, { header: 'grid', value: (r) => r.gridId }, { header: 'label', value: (r) => r.label }
      ], 'no homes'))
    })

  registerPeopleCommands(program)
}

function registerPeopleCommands (program: Command): void {
  const resident = program.command('resident').description('elderly residents (personal data: keep only what care needs)')
  resident.command('add').description('add a resident to a home')
    .requiredOption('--home <id>', 'the home')
    .requiredOption('--name <name>', 'the resident\'s name')
    .option('--birth-year <year>', 'year of birth', integer)
    .option('--id <id>', 'choose the id (default: generated)')
    .option('--json', 'print JSON')
    .action((opts: JsonFlag & { home: string, name: string, birthYear?: number, id?: string }, cmd: Command) => {
      const input = parseInput(residentInput, defined({ id: opts.id, homeId: opts.home, name: opts.name, birthYear: opts.birthYear }))
      const row = withStores(globalsOf(cmd), 'existing', (stores) => {
        requireHome(stores, input.homeId)
        return creating('resident', input.id, () => stores.places.createResident(input))
      })
      show(opts, `created resident ${row.id}`, row)
    })
  resident.command('list').description('list residents').option('--home <id>', 'only this home').option('--json', 'print JSON')
    .action((opts: JsonFlag & { home?: string }, cmd: Command) => {
      const filter = parseInput(z.object({ homeId: entityId.optional() }), defined({ homeId: opts.home }))
      const rows = withStores(globalsOf(cmd), 'existing', ({ places }) => places.listResidents(filter.homeId))
      list(opts, rows, () => table<Resident>(rows, [
        { header: 'id', value: (r) => r.id }, { header: 'home', value: (r) => r.homeId }, { header: 'name', value: (r) => r.name }, { header: 'birth year', value: (r) => r.birthYear }
      ], 'no residents'))
    })
  resident.command('delete').description('delete a resident\'s personal record and their home\'s telemetry').argument('<id>', 'resident id').option('--json', 'print JSON')
    .action(async (id: string, opts: JsonFlag, cmd: Command) => {
      const residentId = idArg(id)
      await deleteResident(globalsOf(cmd), residentId)
      if (opts.json === true) printJson({ id: residentId, deleted: true })
      else print(`deleted resident ${residentId}`)
    })

  const contact = program.command('contact').description('people alerted when a home is silent: family, grid worker, volunteer, village duty')
  contact.command('add').description('add a contact to exactly one home, grid or village')
    .option('--home <id>', 'a family contact of this home')
    .option('--grid <id>', 'a grid worker or volunteer of this grid')
    .option('--village <id>', 'village duty of this village')
    .requiredOption('--name <name>', 'the contact\'s name')
    .requiredOption('--phone <phone>', 'phone number, e.g. +86 138 0000 0000')
    .addOption(new Option('--role <role>', 'role in the escalation ladder').choices(contactRole.options).makeOptionMandatory())
    .option('--priority <n>', 'order within the same role, lowest first (0-99)', integer)
    .option('--id <id>', 'choose the id (default: generated)')
    .option('--json', 'print JSON')
    .action((opts: JsonFlag & { home?: string, grid?: string, village?: string, name: string, phone: string, role: string, priority?: number, id?: string }, cmd: Command) => {
      const scopes = [opts.home, opts.grid, opts.village].filter((s) => s !== undefined)
      if (scopes.length !== 1) throw new AnjuError('INVALID_INPUT', 'give exactly one of --home, --grid or --village')
      const input = parseInput(contactInput, defined({
        id: opts.id, homeId: opts.home, gridId: opts.grid, villageId: opts.village, name: opts.name, phone: opts.phone, role: opts.role, priority: opts.priority
      }))
      const row = withStores(globalsOf(cmd), 'existing', (stores) => {
        if (input.homeId !== undefined) requireHome(stores, input.homeId)
        if (input.gridId !== undefined) requireGrid(stores, input.gridId)
        if (input.villageId !== undefined) requireVillage(stores, input.villageId)
        return creating('contact', input.id, () => stores.places.createContact(input))
      })
      show(opts, `created contact ${row.id}`, row)
    })
  contact.command('list').description('list contacts (by role, then priority)')
    .option('--home <id>', 'only this home').option('--grid <id>', 'only this grid').option('--village <id>', 'only this village').option('--json', 'print JSON')
    .action((opts: JsonFlag & { home?: string, grid?: string, village?: string }, cmd: Command) => {
      const filter = parseInput(z.object({ homeId: entityId.optional(), gridId: entityId.optional(), villageId: entityId.optional() }),
        defined({ homeId: opts.home, gridId: opts.grid, villageId: opts.village }))
      const rows = withStores(globalsOf(cmd), 'existing', ({ places }) => places.listContacts(filter))
      list(opts, rows, () => table<Contact>(rows, [
        { header: 'id', value: (r) => r.id },
        { header: 'for', value: (r) => r.homeId !== null ? `home ${r.homeId}` : r.gridId !== null ? `grid ${r.gridId}` : `village ${r.villageId ?? ''}` },
        { header: 'role', value: (r) => r.role }, { header: 'priority', value: (r) => r.priority, align: 'right' },
        { header: 'name', value: (r) => r.name }, { header: 'phone', value: (r) => r.phone }
      ], 'no contacts'))
    })
  contact.command('delete').description('delete a contact').argument('<id>', 'contact id').option('--json', 'print JSON')
    .action((id: string, opts: JsonFlag, cmd: Command) => {
      const contactId = idArg(id)
      withStores(globalsOf(cmd), 'existing', ({ places }) => places.deleteContact(contactId))
      if (opts.json === true) printJson({ id: contactId, deleted: true })
      else print(`deleted contact ${contactId}`)
    })
}
