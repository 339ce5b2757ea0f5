// The whole check: typecheck and lint (turbo), then every Vitest suite in one run, the fault
// suite, then the
// dashboard's Playwright suite (apps/web/e2e, in Debian's Chromium). Prints the totals of both
// as the last line, `N passed, N failed, N skipped`, and writes it to
// .test-artifacts/summary.txt. PostgreSQL suites need TEST_POSTGRES_URL (default
// postgres://postgres@127.0.0.1:5432/postgres); without a reachable server they are skipped
// and counted as such, unless REQUIRE_POSTGRES=1 (CI), where that is a failure. Likewise the
// browser suite needs /usr/bin/chromium (or CHROMIUM_PATH): installed with apt-get when we
// are root, else skipped, unless REQUIRE_BROWSER=1 (CI).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const artifacts = join(root, '.test-artifacts');
mkdirSync(artifacts, { recursive: true });
const pnpm = process.env.PNPM ?? 'pnpm';
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1' };
const postgresUrl = new URL(process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');

function reachable(host, port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port: Number(port) || 5432 });
    socket.setTimeout(2000);
    socket.on('connect', () => (socket.destroy(), resolve(true)));
    socket.on('error', () => resolve(false));
    socket.on('timeout', () => (socket.destroy(), resolve(false)));
  });
}

let failedChecks = 0;
const checks = spawnSync(pnpm, ['exec', 'turbo', 'run', 'typecheck', 'lint', '--output-logs=errors-only'], { cwd: root, stdio: 'inherit', env });
if (checks.status !== 0) {
  failedChecks = 1;
  console.error('\nTypecheck or lint failed (see above).');
}

if (!(await reachable(postgresUrl.hostname, postgresUrl.port))) {
  if (process.env.REQUIRE_POSTGRES === '1') {
    console.error(`PostgreSQL is not reachable at ${postgresUrl.host} and REQUIRE_POSTGRES=1.`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
  console.warn(`\nPostgreSQL is not reachable at ${postgresUrl.host}: the PostgreSQL suites are skipped. Set TEST_POSTGRES_URL to run them.\n`);
  env.SKIP_POSTGRES = '1';
}

let passed = 0;
let failed = failedChecks;
let skipped = 0;
let vitestFailed = false;

/** One Vitest run (a config file), its totals added to the line. */
function runVitest(name, args) {
  const report = join(artifacts, `${name}.json`);
  rmSync(report, { force: true });
  const run = spawnSync(pnpm, ['exec', 'vitest', 'run', ...args, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`], { cwd: root, stdio: 'inherit', env });
  vitestFailed ||= run.status !== 0;
  if (!existsSync(report)) {
    failed += 1;
    return;
  }
  const results = JSON.parse(readFileSync(report, 'utf8'));
  passed += results.numPassedTests;
  failed += results.numFailedTests;
  skipped += results.numPendingTests + results.numTodoTests;
  // A file that failed to load has no tests to count but is a failure all the same.
  failed += results.testResults.filter((file) => file.status === 'failed' && file.assertionResults.length === 0).length;
}

runVitest('vitest', []);
// The fault suite (kill -9 under load, killed connections, fuzzing, the model) runs on its
// own afterwards, so its load does not disturb the timing of the other suites.
runVitest('faults', ['--config', 'vitest.faults.config.ts']);

// The browser suite, with its own totals (expected / unexpected / skipped / flaky).
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
function haveChromium() {
  if (existsSync(chromium)) return true;
  const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
  if (process.getuid?.() === 0 && hasApt) {
    console.log(`\nChromium is missing at ${chromium}: installing it with apt-get …`);
    spawnSync('sh', ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null'], { stdio: 'inherit' });
  }
  return existsSync(chromium);
}
const e2eReport = join(artifacts, 'playwright.json');
rmSync(e2eReport, { force: true });
let e2eFailed = false;
if (!haveChromium()) {
  if (process.env.REQUIRE_BROWSER === '1') {
    console.error(`\nChromium is not at ${chromium} and REQUIRE_BROWSER=1: the Playwright suite cannot run.`);
    failed += 1;
  } else {
    const listed = spawnSync(pnpm, ['--filter', '@scrape-jobs/web', 'exec', 'playwright', 'test', '--list'], { cwd: root, encoding: 'utf8', env });
    const count = Number(/Total: (\d+) tests?/.exec(listed.stdout ?? '')?.[1] ?? 1);
    console.warn(`\nChromium is not at ${chromium} (install it: apt-get install chromium, or set CHROMIUM_PATH): the ${count} Playwright tests are skipped.`);
    skipped += count;
  }
} else {
  const playwright = spawnSync(pnpm, ['--filter', '@scrape-jobs/web', 'exec', 'playwright', 'test', '--reporter=list,json'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...env, PLAYWRIGHT_JSON_OUTPUT_FILE: e2eReport },
  });
  const stats = existsSync(e2eReport) ? JSON.parse(readFileSync(e2eReport, 'utf8')).stats : undefined;
  if (stats) {
    console.log(`\nPlaywright: ${stats.expected} expected, ${stats.unexpected} unexpected, ${stats.skipped} skipped, ${stats.flaky} flaky`);
    passed += stats.expected + stats.flaky;
    failed += stats.unexpected;
    skipped += stats.skipped;
  }
  // No report, or a failed run without a failing test (e.g. the global set-up broke).
  e2eFailed = playwright.status !== 0;
  if (e2eFailed && (!stats || stats.unexpected === 0)) failed += 1;
}

const summary = `${passed} passed, ${failed} failed, ${skipped} skipped`;
writeFileSync(join(artifacts, 'summary.txt'), summary + '\n');
console.log(`\n${summary}`);
process.exit(failed > 0 || vitestFailed || e2eFailed ? 1 : 0);
