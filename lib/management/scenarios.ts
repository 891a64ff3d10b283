// /api/scenarios: the scenario player over HTTP. Listing and reading need a management user;
// playing, loading and removing need an administrator, as the player makes and deletes a vhost
// and the user its actors log in as.
import { exportScenario } from '../scenarios/export-scenario';
import { scenarioRegistry } from '../scenarios/scenario-registry';
import { MAX_SPEED, MIN_SPEED } from '../scenarios/scenario-player';
import { badRequest, HttpError, objectNotFound } from './errors';
import { json, noContent } from './http';
import { readJsonObject } from './body';
import type { Route, RouteContext } from './route';

const ACTIONS = ['play', 'pause', 'step', 'reset', 'speed', 'fault'] as const;
/** a scenario file is text a person wrote: far below the API's general body limit */
export const MAX_SCENARIO_BYTES = 1024 * 1024;

async function show(c: RouteContext) {
  const registry = scenarioRegistry(c.api);
  const scenario = registry.scenario(c.params.id);
  if (scenario === undefined) throw objectNotFound();
  return json({ scenario, state: registry.state(c.params.id) ?? null });
}

async function programs(c: RouteContext) {
  const code = await scenarioRegistry(c.api).programs(c.params.id, c.user);
  if (code === undefined) throw objectNotFound();
  return json(code);
}

async function act(c: RouteContext) {
  const body = readJsonObject(c.req.body);
  const action = body.action;
  if (typeof action !== 'string' || !(ACTIONS as readonly string[]).includes(action)) throw badRequest(`action must be one of ${ACTIONS.join(', ')}`);
  const player = await scenarioRegistry(c.api).player(c.params.id, c.user);
  if (player === undefined) throw objectNotFound();
  switch (action) {
    case 'play': {
      const from = body.fromStep;
      if (from !== undefined && !(typeof from === 'number' && Number.isInteger(from) && from >= 0 && from < player.scenario.steps.length)) {
        throw badRequest(`fromStep must be a step number from 0 to ${player.scenario.steps.length - 1}`);
      }
      await player.play(from ?? 0);
      break;
    }
    case 'fault': {
      if (typeof body.fault !== 'string') throw badRequest('fault must name one of the scenario\'s faults');
      if (!(await player.fault(body.fault))) throw badRequest(`no fault "${body.fault}" in this scenario`);
      break;
    }
    case 'pause': player.pause(); break;
    case 'step': await player.step(); break;
    case 'reset': await player.reset(); break;
    case 'speed': {
      if (typeof body.speed !== 'number' || !(body.speed >= MIN_SPEED && body.speed <= MAX_SPEED)) throw badRequest(`speed must be a number from ${MIN_SPEED} to ${MAX_SPEED}`);
      player.setSpeed(body.speed);
      break;
    }
  }
  return json(player.state());
}

async function load(c: RouteContext) {
  const size = c.req.body === undefined ? 0 : Buffer.byteLength(c.req.body);
  if (size > MAX_SCENARIO_BYTES) throw new HttpError(413, 'payload_too_large', `a scenario file is at most ${MAX_SCENARIO_BYTES} bytes; this one is ${size}`);
  const body = readJsonObject(c.req.body);
  if (body.id !== c.params.id) throw badRequest(`the file's id must be "${c.params.id}"`);
  const v = await scenarioRegistry(c.api).load(body);
  if (!v.ok) return json({ error: 'bad_request', reason: `invalid scenario: ${v.errors.join('; ')}`, errors: v.errors }, 400);
  return noContent();
}

async function remove(c: RouteContext) {
  if (!(await scenarioRegistry(c.api).remove(c.params.id))) throw objectNotFound();
  return noContent();
}

async function exported(c: RouteContext) {
  return json(await exportScenario(c.api, c.user, c.params.vhost));
}

export const scenarioRoutes: Route[] = [
  { method: 'GET', path: '/api/scenario-export/:vhost', handle: exported },
  { method: 'GET', path: '/api/scenarios', handle: (c) => json(scenarioRegistry(c.api).list()) },
  { method: 'GET', path: '/api/scenarios/:id', handle: show },
  { method: 'PUT', path: '/api/scenarios/:id', access: 'administrator', handle: load },
  { method: 'DELETE', path: '/api/scenarios/:id', access: 'administrator', handle: remove },
  { method: 'GET', path: '/api/scenarios/:id/code', access: 'administrator', handle: programs },
  { method: 'POST', path: '/api/scenarios/:id/actions', access: 'administrator', handle: act },
];
