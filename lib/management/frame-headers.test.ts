// Clickjacking: neither the API's answers nor the console's pages may be framed by another site.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import nextConfig from '../../next.config';
import { startApi, type TestApi } from './testing';

let api: TestApi;
beforeAll(async () => {
  api = await startApi();
});
afterAll(() => api.close());

describe('frame headers', () => {
  it('come with every API answer: success, refusal, missing, streamed metrics', async () => {
    const answers = [
      await api.get('/api/overview'),
      await api.get('/api/overview', { auth: false }),
      await api.get('/api/nothing-here'),
      await api.del('/api/whoami'),
      await api.get('/metrics'),
      await api.get('/metrics/per-object'),
    ];
    expect(answers.map((r) => r.status)).toEqual([200, 401, 404, 405, 200, 200]);
    for (const r of answers) {
      expect(r.headers.get('x-frame-options')).toBe('DENY');
      expect(r.headers.get('content-security-policy')).toBe("frame-ancestors 'none'");
    }
  });

  it('are configured for every console page', async () => {
    const rules = (await nextConfig.headers?.()) ?? [];
    const all = rules.find((r) => r.source === '/:path*');
    expect(all?.headers).toEqual(
      expect.arrayContaining([
        { key: 'X-Frame-Options', value: 'DENY' },
        { key: 'Content-Security-Policy', value: "frame-ancestors 'none'" },
      ]),
    );
  });
});
