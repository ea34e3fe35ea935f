import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { terraformDir } from './terraform-config.ts';

// `terraform fmt` needs no provider and no network; CHECKPOINT_DISABLE stops the version check.
function runFmtCheck(dir: string) {
  return spawnSync('terraform', ['fmt', '-check', '-recursive', '-diff', '-no-color', dir], {
    encoding: 'utf8',
    env: { ...process.env, CHECKPOINT_DISABLE: '1' },
  });
}

const probe = spawnSync('terraform', ['version'], { env: { ...process.env, CHECKPOINT_DISABLE: '1' } });
const missing = probe.error !== undefined;
if (missing) console.log('# SKIP terraform binary not found: terraform fmt -check not run');
const skip = missing ? 'terraform binary not found' : false;

describe('terraform fmt -check', () => {
  test('terraform/ is formatted canonically', { skip }, () => {
    const result = runFmtCheck(terraformDir);
    assert.equal(result.status, 0, `terraform fmt -check found unformatted files (run terraform fmt -recursive terraform):\n${result.stdout}${result.stderr}`);
  });

  test('the check fails on a badly formatted file', { skip }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'nudge-fmt-'));
    writeFileSync(join(dir, 'bad.tf'), 'variable "x" {\ntype=string\n  description    = "x"\n}\n');
    const result = runFmtCheck(dir);
    assert.notEqual(result.status, 0);
    assert.match(result.stdout, /bad\.tf/);
  });
});
