// GET /tv/api/state: the village's public content (cached per village and grid by ContentService) plus,
// for a household's own screen, that household — never another home's.
import type { Clock } from '../../src/clock.ts'
import type { TvState } from '../../src/tv/tv-api.ts'
import type { ContentService } from '../content/content-service.ts'
import type { Household } from './household.ts'
import type { TvScope } from './screen-auth.ts'

export async function tvStateOf (scope: TvScope, deps: { content: ContentService, household: Household, clock: Clock }): Promise<TvState> {
  const content = deps.content.tvContent(scope.villageId, scope.gridId)
  const household = scope.homeId === null ? null : await deps.household.build(scope.homeId)
  return {
    generatedAt: deps.clock.now(),
    screen: { paired: scope.screen !== null, screenId: scope.screen?.id ?? null, villageId: scope.villageId, villageName: scope.villageName },
    notices: content.notices,
    meetings: content.meetings,
    careVisits: content.careVisits,
    statements: content.statements,
    broadcast: content.broadcast,
    household
  }
}
