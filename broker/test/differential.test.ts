// Warren and RabbitMQ given the same well-formed operations answer the same (see differential-ops.ts),
// and their consumers are given the same messages in the same order (differential-consume.ts).
// RabbitMQ is the local cluster of `npm run cluster:up` (CI starts it before the tests) or the
// machine's own node; without either the comparison is skipped. Each run has a vhost of its own on
// both brokers, with the same name, so that error texts naming it compare as they are.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroker, type Actor, type Broker } from '../index';
import { generateOps, runOps } from './differential-ops';
import { generateConsumeOps, runConsumeOps } from './differential-consume';

const CANDIDATES = [
  { amqp: 'amqp://guest:guest@127.0.0.1:5701', http: 'http://127.0.0.1:15701' },
  { amqp: 'amqp://guest:guest@127.0.0.1:5672', http: 'http://127.0.0.1:15672' },
];
const AUTH = { authorization: `Basic ${Buffer.from('guest:guest').toString('base64')}`, 'content-type': 'application/json' };
const ADMIN: Actor = { name: 'guest', tags: ['administrator'] };
// Each of these six answered differently from RabbitMQ on the code before this test (18 of seeds
// 1 to 40 did). DIFF_SEEDS=1-500 (or 4,9,12) runs other seeds instead: to look for differences
// after a change.
const SEEDS = seedsFrom(process.env.DIFF_SEEDS) ?? [2, 4, 6, 13, 14, 15];
const OPS = 250;
// Consumers (differential-consume.ts): each of these answered differently on the code before that
// test (9 of seeds 1 to 20 did). DIFF_CONSUME_SEEDS as DIFF_SEEDS.
const CONSUME_SEEDS = seedsFrom(process.env.DIFF_CONSUME_SEEDS) ?? [1, 3, 8, 13];
const CONSUME_OPS = 150;
// The same with each queue classic or quorum at random: each of these answered differently on the
// code before (8 of seeds 1 to 12 did). DIFF_QUORUM_SEEDS as DIFF_SEEDS.
const QUORUM_SEEDS = seedsFrom(process.env.DIFF_QUORUM_SEEDS) ?? [2, 10];

function seedsFrom(spec: string | undefined): number[] | undefined {
  if (spec === undefined || spec === '') return undefined;
  const range = /^(\d+)-(\d+)$/.exec(spec);
  if (range === null) return spec.split(',').map(Number);
  return Array.from({ length: Number(range[2]) - Number(range[1]) + 1 }, (_, i) => Number(range[1]) + i);
}

async function findRabbitMq(): Promise<(typeof CANDIDATES)[number] | undefined> {
  for (const c of CANDIDATES) {
    const ok = await fetch(`${c.http}/api/overview`, { headers: AUTH, signal: AbortSignal.timeout(3_000) }).then((r) => r.ok, () => false);
    if (ok) return c;
  }
  return undefined;
}

const rabbit = await findRabbitMq();
const vhost = `diff-${randomBytes(4).toString('hex')}`;
let warren: Broker;

async function rabbitApi(method: 'PUT' | 'DELETE', path: string, body?: object): Promise<void> {
  const res = await fetch(`${rabbit!.http}/api/${path}`, { method, headers: AUTH, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(30_000) });
  if (!res.ok) throw new Error(`${method} /api/${path}: ${res.status} ${await res.text()}`);
}

describe.skipIf(rabbit === undefined)('the same operations on Warren and on RabbitMQ', () => {
  beforeAll(async () => {
    await rabbitApi('PUT', `vhosts/${vhost}`, {});
    await rabbitApi('PUT', `permissions/${vhost}/guest`, { configure: '.*', write: '.*', read: '.*' });
    warren = await createBroker({ port: 0, host: '127.0.0.1', logLevel: 'error' });
    await warren.putVhost(ADMIN, vhost, {});
    await warren.setPermission(ADMIN, vhost, 'guest', { configure: '.*', write: '.*', read: '.*' });
  });

  afterAll(async () => {
    await warren?.close();
    await rabbitApi('DELETE', `vhosts/${vhost}`).catch(() => {});
  });

  for (const seed of SEEDS) {
    it(`answer alike, seed ${seed}`, async () => {
      const ops = generateOps(seed, OPS);
      const theirs = await runOps(`${rabbit!.amqp}/${vhost}`, ops);
      const ours = await runOps(`amqp://guest:guest@127.0.0.1:${warren.port}/${vhost}`, ops);
      expect(ours).toEqual(theirs);
      // the run did something worth comparing: messages got, and errors met
      expect(theirs.filter((l) => /"kind":"get".* => [mp]\d+ /.test(l)).length).toBeGreaterThan(5);
      expect(theirs.filter((l) => / => error /.test(l)).length).toBeGreaterThan(0);
    }, 120_000);
  }

  for (const seed of CONSUME_SEEDS) {
    it(`consumers get alike, seed ${seed}`, async () => {
      const ops = generateConsumeOps(seed, CONSUME_OPS);
      const theirs = await runConsumeOps(`${rabbit!.amqp}/${vhost}`, seed, ops);
      const ours = await runConsumeOps(`amqp://guest:guest@127.0.0.1:${warren.port}/${vhost}`, seed, ops);
      expect(ours).toEqual(theirs);
      // the run did something worth comparing: deliveries to consumers, and settles of them
      expect(theirs.filter((l) => / => .* \| \d\/t\d+:/.test(l)).length).toBeGreaterThan(10);
      expect(theirs.filter((l) => /"kind":"settle".* => (ack|nack|reject)/.test(l)).length).toBeGreaterThan(5);
    }, 120_000);
  }

  for (const seed of QUORUM_SEEDS) {
    it(`consumers of classic and quorum queues get alike, seed ${seed}`, async () => {
      const ops = generateConsumeOps(seed, CONSUME_OPS, 'mixed');
      const theirs = await runConsumeOps(`${rabbit!.amqp}/${vhost}`, seed, ops, 'mixed');
      const ours = await runConsumeOps(`amqp://guest:guest@127.0.0.1:${warren.port}/${vhost}`, seed, ops, 'mixed');
      expect(ours).toEqual(theirs);
      // the run did something worth comparing: quorum queues, deliveries to consumers
      expect(theirs.filter((l) => /"x-queue-type":"quorum"/.test(l)).length).toBeGreaterThan(0);
      expect(theirs.filter((l) => / => .* \| \d\/t\d+:/.test(l)).length).toBeGreaterThan(10);
    }, 120_000);
  }
});
