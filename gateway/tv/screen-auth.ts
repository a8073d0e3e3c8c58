// Who is asking: the scope of a TV API request. A screen token (Authorization: Bearer on XHR routes,
// `?t=` on the event stream, which EventSource cannot give headers) opens its screen's scope; no token at
// all is the public scope of the default village. A bad or revoked token is a 401, never silently public:
// the screen must learn that it has to pair again.
//
// The default village for token-less screens is `tv.defaultVillageId` (ANJU_TV_DEFAULT_VILLAGE) when set,
// else the only village, else the oldest (first created; ties by id).
import type { FastifyRequest } from 'fastify'
import type { PlacesStore } from '../registry/places-store.ts'
import type { Screen, ScreenStore } from './screen-store.ts'
import { AnjuError } from '../../src/errors.ts'

export interface TvScope {
  screen: Screen | null
  villageId: string
  villageName: string
  /** Only for a screen paired to a household: the one home whose data it may see. */
  homeId: string | null
  /** The household's grid (grid-targeted notices); null for public screens. */
  gridId: string | null
}

/** The bearer token of a request, or undefined when it has none. */
export function bearerToken (req: FastifyRequest): string | undefined {
  const header = req.headers.authorization
  if (header === undefined) return undefined
  return header.startsWith('Bearer ') ? header.slice(7).trim() : ''
}

export class ScreenAuth {
  constructor (private readonly screens: ScreenStore, private readonly places: PlacesStore, private readonly defaultVillageId?: string) {}

  /** `token` undefined: public; anything else must be a live screen's token. */
  scope (token: string | undefined): TvScope {
    if (token === undefined) return this.publicScope()
    const screen = this.screens.authenticate(token)
    const village = this.places.listVillages().find((v) => v.id === screen.villageId)
    const home = screen.homeId === null ? undefined : this.places.getHome(screen.homeId)
    return {
      screen,
      villageId: screen.villageId,
      villageName: village?.name ?? '',
      homeId: home?.id ?? null,
      gridId: home?.gridId ?? null
    }
  }

  /** Household routes: a screen paired to a home, else 403. */
  household (token: string | undefined): TvScope & { screen: Screen, homeId: string } {
    const scope = this.scope(token)
    if (scope.screen === null || scope.homeId === null) throw new AnjuError('HOUSEHOLD_ONLY', 'only a screen paired to a household can do this')
    return scope as TvScope & { screen: Screen, homeId: string }
  }

  private publicScope (): TvScope {
    const villages = this.places.listVillages()
    const configured = villages.find((v) => v.id === this.defaultVillageId)
    const oldest = [...villages].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1))[0]
    const village = configured ?? oldest
    if (village === undefined) throw new AnjuError('NOT_FOUND', 'no village is registered on this gateway yet')
    return { screen: null, villageId: village.id, villageName: village.name, homeId: null, gridId: null }
  }
}
