#!/usr/bin/env node
// Builds build/functions-source.zip, the Cloud Functions source that terraform/ uploads
// (terraform/storage.tf names the object by the zip's md5). It holds the compiled dist/ (Cloud
// Build does not run tsc: terraform sets GOOGLE_NODE_RUN_SCRIPTS=""), package.json and
// package-lock.json (Cloud Build installs the dependencies) and what the functions read at run
// time: sql/ and templates/.
//
// The zip is reproducible: entries sorted, timestamps and permissions fixed, no extra attributes.
// Its md5 therefore changes only when content does, and `terraform apply` redeploys only then.
//
//   npm run package:functions                    build, then zip
//   node scripts/package-functions.mjs --no-build [--root <dir>] [--out <file>]
//
// Zipping uses the system `zip` command (Info-ZIP), so the project needs no zip library.
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const options = {
  root: resolve(dirname(fileURLToPath(import.meta.url)), '..'),
  out: 'build/functions-source.zip',
  /** What goes into the zip; the first three must exist. */
  entries: ['dist', 'package.json', 'package-lock.json', 'sql', 'templates'],
  required: ['dist', 'package.json', 'package-lock.json'],
  /** Every entry gets this time, so rebuilding unchanged sources yields the same bytes. */
  fixedTime: new Date('2020-01-01T00:00:00Z'),
  build: true,
};

class PackageError extends Error {}

function parseArgs(argv) {
  const parsed = { ...options };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--no-build') parsed.build = false;
    else if (arg === '--root' || arg === '--out') {
      const value = argv[++i];
      if (!value) throw new PackageError(`${arg} needs a value`);
      parsed[arg.slice(2)] = value;
    } else throw new PackageError(`unknown argument ${arg} (expected --no-build, --root <dir>, --out <file>)`);
  }
  parsed.root = resolve(parsed.root);
  parsed.out = resolve(parsed.root, parsed.out);
  return parsed;
}

function run(command, args, spawnOptions) {
  const result = spawnSync(command, args, { encoding: 'utf8', ...spawnOptions });
  if (result.error?.code === 'ENOENT') return { missing: true };
  if (result.error) throw result.error;
  return result;
}

function requireZip() {
  const probe = run('zip', ['-v'], { stdio: 'ignore' });
  if (probe.missing) {
    throw new PackageError(
      'the `zip` command was not found. Install Info-ZIP zip (Debian/Ubuntu: apt-get install zip; macOS: included; ' +
        'Alpine: apk add zip) and run again.',
    );
  }
}

function build(root) {
  // A stale dist/ could ship modules whose sources were deleted.
  rmSync(join(root, 'dist'), { recursive: true, force: true });
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = run(npm, ['run', 'build'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.missing) throw new PackageError('npm was not found on PATH');
  if (result.status !== 0) throw new PackageError(`npm run build failed (exit ${result.status})`);
}

/** Files under dir, relative, with forward slashes, sorted byte-wise. */
function listFiles(dir, base = dir) {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return listFiles(path, base);
      return entry.isFile() ? [relative(base, path).split(sep).join('/')] : [];
    })
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function md5(file) {
  return new Promise((resolvePromise, reject) => {
    const hash = createHash('md5');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolvePromise(hash.digest('hex')));
  });
}

async function packageFunctions(opts) {
  const { root, out } = opts;
  requireZip();
  if (opts.build) build(root);

  for (const entry of opts.required) {
    if (!existsSync(join(root, entry))) throw new PackageError(`${entry} not found in ${root}${entry === 'dist' ? ' (run npm run build, or drop --no-build)' : ''}`);
  }
  // Cloud Functions starts package.json's "main"; without it no function can be registered.
  const main = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).main ?? 'index.js';
  if (!existsSync(join(root, main))) throw new PackageError(`package.json main ${main} does not exist: the build did not produce the functions entry`);

  const staging = join(dirname(out), 'functions-source');
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  for (const entry of opts.entries) {
    const from = join(root, entry);
    if (existsSync(from)) cpSync(from, join(staging, entry), { recursive: true });
    else console.log(`package-functions: ${entry} absent, not included`);
  }

  const files = listFiles(staging);
  for (const file of files) {
    chmodSync(join(staging, file), 0o644);
    utimesSync(join(staging, file), opts.fixedTime, opts.fixedTime);
  }

  rmSync(out, { force: true });
  mkdirSync(dirname(out), { recursive: true });
  // -X: no uid/gid or extended timestamps; -D: no directory entries; -@: names from stdin, in
  // our sorted order. TZ=UTC because zip stores local (DOS) times.
  const zipped = run('zip', ['-X', '-D', '-q', out, '-@'], { cwd: staging, input: `${files.join('\n')}\n`, env: { ...process.env, TZ: 'UTC' } });
  if (zipped.status !== 0) throw new PackageError(`zip failed (exit ${zipped.status}): ${zipped.stderr}`);
  rmSync(staging, { recursive: true, force: true });

  const digest = await md5(out);
  console.log(`package-functions: ${relative(process.cwd(), out) || out} (${files.length} files, ${statSync(out).size} bytes, md5 ${digest})`);
  return { out, files, md5: digest };
}

try {
  await packageFunctions(parseArgs(process.argv.slice(2)));
} catch (error) {
  if (!(error instanceof PackageError)) throw error;
  console.error(`package-functions: ${error.message}`);
  process.exit(1);
}
