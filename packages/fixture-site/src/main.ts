import { startFixtureSite } from './server.ts';

// Standalone demo: `PORT=8080 node dist/main.js`, then crawl the domain localhost:8080.
const port = Number(process.env.PORT ?? 8080);
const site = await startFixtureSite({ port, slowMs: Number(process.env.SLOW_MS ?? 2000) });
console.log(`Fixture shop on ${site.url} (subdomain ${site.origin('shop.localhost')})`);

const stop = () => void site.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
