// `npm start` and `npm test` on a machine that has only Node 20 and npm: fetch the pinned
// pnpm if it is missing, install dependencies (which generates the Prisma client), build,
// then serve or test. Plain Node, no dependencies: it runs before anything is installed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PNPM_VERSION = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager.split('@')[1];
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1', CHECKPOINT_DISABLE: '1' };

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env, ...options });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

function must(command, args, what) {
  const status = run(command, args);
  if (status !== 0) {
    console.error(`\n${what} failed (exit ${status}).`);
    process.exit(status);
  }
}

/** The pinned pnpm: on PATH if it is that version, else a private copy under .tools/. */
function pnpm() {
  const onPath = spawnSync('pnpm', ['--version'], { encoding: 'utf8', env });
  if (onPath.status === 0 && onPath.stdout.trim() === PNPM_VERSION) return 'pnpm';
  const bin = join(root, '.tools', 'node_modules', '.bin');
  const local = join(bin, 'pnpm');
  // turbo and package scripts look pnpm up on PATH, so the private copy goes first there.
  env.PATH = `${bin}${delimiter}${env.PATH ?? ''}`;
  if (!existsSync(local)) {
    console.log(`Installing pnpm ${PNPM_VERSION} into .tools/ …`);
    mkdirSync(join(root, '.tools'), { recursive: true });
    must('npm', ['install', '--prefix', join(root, '.tools'), '--no-save', '--no-package-lock', '--no-audit', '--no-fund', `pnpm@${PNPM_VERSION}`], 'Installing pnpm');
  }
  return local;
}

function setUp() {
  const p = pnpm();
  must(p, ['install', '--frozen-lockfile', '--prefer-offline'], 'Installing dependencies');
  must(p, ['exec', 'turbo', 'run', 'build', '--output-logs=errors-only'], 'Building');
  return p;
}

const command = process.argv[2];
if (command === 'start') {
  setUp();
  const status = run(process.execPath, [join(root, 'scripts', 'start.mjs')]);
  process.exit(status);
} else if (command === 'demo') {
  setUp();
  process.exit(run(process.execPath, [join(root, 'scripts', 'demo.mjs')]));
} else if (command === 'test') {
  const p = setUp();
  process.exit(run(process.execPath, [join(root, 'scripts', 'run-tests.mjs')], { env: { ...env, PNPM: p } }));
} else {
  console.error('usage: node scripts/bootstrap.mjs start|test|demo');
  process.exit(2);
}
