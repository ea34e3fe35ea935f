import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('./package-functions.mjs', import.meta.url));
const hasTool = (tool: string, args: string[]) => spawnSync(tool, args, { stdio: 'ignore' }).error === undefined;
const missing = !hasTool('zip', ['-v']) ? 'zip' : !hasTool('unzip', ['-v']) ? 'unzip' : null;
if (missing) console.log(`# SKIP ${missing} command not found: function packaging not tested`);
const skip = missing ? `${missing} command not found` : false;

/** A project as the build leaves it, plus files that must stay out of the zip. */
function makeProject(): string {
  const root = mkdtempSync(join(tmpdir(), 'nudge-pkg-'));
  const files: Record<string, string> = {
    'package.json': JSON.stringify({ name: 'fixture', main: 'dist/functions/index.js' }),
    'package-lock.json': '{"lockfileVersion":3}',
    'dist/functions/index.js': 'export {};\n',
    'dist/pipelines/events/route.js': 'export const route = 1;\n',
    'sql/tables/events.sql': 'CREATE TABLE events (event_id STRING);\n',
    'templates/cart-abandoned/email.liquid': 'Hi {{ name }}\n',
    'functions/index.ts': 'source, not shipped\n',
    'node_modules/zod/index.js': 'installed by Cloud Build, not shipped\n',
    '.env': 'SECRET=1\n',
  };
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

function packageProject(root: string, out: string) {
  return spawnSync(process.execPath, [script, '--no-build', '--root', root, '--out', out], { encoding: 'utf8' });
}

const md5 = (file: string) => createHash('md5').update(readFileSync(file)).digest('hex');

describe('scripts/package-functions.mjs', () => {
  let root: string;
  before(() => {
    root = makeProject();
  });

  test('zips dist/, package.json, package-lock.json, sql/ and templates/, nothing else', { skip }, () => {
    const out = join(root, 'build/functions-source.zip');
    const result = packageProject(root, out);
    assert.equal(result.status, 0, result.stderr);
    const listing = spawnSync('unzip', ['-Z1', out], { encoding: 'utf8' });
    assert.deepEqual(listing.stdout.trim().split('\n'), [
      'dist/functions/index.js',
      'dist/pipelines/events/route.js',
      'package-lock.json',
      'package.json',
      'sql/tables/events.sql',
      'templates/cart-abandoned/email.liquid',
    ]);
    assert.match(result.stdout, /6 files/);
  });

  test('the same content gives the same bytes, whatever the files’ timestamps', { skip }, () => {
    const first = join(root, 'build/first.zip');
    const second = join(root, 'build/second.zip');
    assert.equal(packageProject(root, first).status, 0);
    const later = new Date('2031-05-05T05:05:05Z');
    utimesSync(join(root, 'dist/functions/index.js'), later, later);
    assert.equal(packageProject(root, second).status, 0);
    assert.equal(md5(first), md5(second));
  });

  test('changed content changes the md5 (so terraform redeploys)', { skip }, () => {
    const before = join(root, 'build/before.zip');
    const after = join(root, 'build/after.zip');
    assert.equal(packageProject(root, before).status, 0);
    writeFileSync(join(root, 'dist/pipelines/events/route.js'), 'export const route = 2;\n');
    assert.equal(packageProject(root, after).status, 0);
    assert.notEqual(md5(before), md5(after));
  });

  test('refuses to package when package.json main was not built', { skip }, () => {
    const broken = makeProject();
    rmSync(join(broken, 'dist/functions/index.js'));
    const result = packageProject(broken, join(broken, 'build/x.zip'));
    assert.equal(result.status, 1);
    assert.match(result.stderr, /package\.json main dist\/functions\/index\.js does not exist/);
  });

  test('refuses to package without dist/', { skip }, () => {
    const broken = makeProject();
    rmSync(join(broken, 'dist'), { recursive: true });
    const result = packageProject(broken, join(broken, 'build/x.zip'));
    assert.equal(result.status, 1);
    assert.match(result.stderr, /dist not found .*drop --no-build/);
  });

  test('explains how to install zip when it is missing', () => {
    const result = spawnSync(process.execPath, [script, '--no-build', '--root', makeProject()], { encoding: 'utf8', env: { ...process.env, PATH: '' } });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /the `zip` command was not found\. Install Info-ZIP zip/);
  });
});
