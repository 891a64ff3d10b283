import type { NextConfig } from 'next';

// server.ts is the process entry (custom server); this only configures the console's build.
const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The console is served by Warren itself, never from a CDN or a serverless platform.
  images: { unoptimized: true },
  devIndicators: { position: 'bottom-right' },
  // The build type-checks what it bundles (the pages and their browser code); the whole tree,
  // tests included, is checked by `npm run typecheck`, the first step of `npm test`.
  typescript: { tsconfigPath: 'tsconfig.next.json' },
  // No other site may show the console in a frame (clickjacking); the API sends the same headers
  // (lib/management/http.ts FRAME_HEADERS).
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'X-Frame-Options', value: 'DENY' },
          { key: 'Content-Security-Policy', value: "frame-ancestors 'none'" },
        ],
      },
    ];
  },
};

export default nextConfig;
