#!/usr/bin/env node
// Runs every *.test.ts with Node's own test runner through tsx. Node 20's --test takes no globs,
// so the files are listed here. Google clients must never probe the metadata server (no network
// but loopback), hence METADATA_SERVER_DETECTION=none for every test process.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const roots = ['pipelines', 'functions', 'bin', 'test', 'scripts'];
const only = process.argv.slice(2);

function findTests(dir) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : findTests(path);
    return entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

const files = roots.flatMap(findTests).filter((file) => only.length === 0 || only.some((o) => file.includes(o))).sort();
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}

const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], {
  stdio: 'inherit',
  env: { ...process.env, METADATA_SERVER_DETECTION: 'none', NODE_ENV: 'test', CHECKPOINT_DISABLE: '1' },
});
process.exit(result.status ?? 1);
