// The management API's authorisation matrix — tags × permissions on the vhost × every route —
// replayed against Warren and compared, cell by cell, with RabbitMQ 3.10's answers recorded by
// scripts/record-authz-matrix.ts.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CELLS, NOT_IN_MATRIX, cellKey, differences, runMatrix, type Matrix } from './authz-matrix';
import { ROUTES } from './router';
import { startApi, type TestApi } from './testing';

const fixture = JSON.parse(readFileSync(new URL('./fixtures/rabbitmq-3.10/authz-matrix.json', import.meta.url), 'utf8')) as { cells: Matrix };

let api: TestApi;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());

describe('authorisation matrix against RabbitMQ 3.10', () => {
  it('covers every route of the router', () => {
    const covered = new Set(CELLS.map(cellKey));
    const missing = ROUTES.map((r) => cellKey({ method: r.method, route: r.path })).filter((k) => !covered.has(k) && NOT_IN_MATRIX[k] === undefined);
    expect(missing).toEqual([]);
    expect(Object.keys(fixture.cells).sort()).toEqual([...covered].sort());
  });

  it('answers every cell with RabbitMQ’s status', async () => {
    const got = await runMatrix({ baseUrl: api.baseUrl, amqpPort: api.broker.port, admin: { user: 'guest', password: 'guest' } });
    const diffs = differences(fixture.cells, got);
    expect(diffs).toEqual([]);
  }, 120_000);
});
