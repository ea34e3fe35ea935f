import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { block, instancesOf, loadTerraform, terraformDir } from './terraform-config.ts';
import type { TerraformConfig } from './terraform-config.ts';
import { policies } from './policies.ts';
import { NudgeEvent } from '../../pipelines/events/nudge-event.ts';
import type { PolicyName } from './policies.ts';

let config: TerraformConfig;
before(async () => {
  config = await loadTerraform();
});

describe('terraform/ complies with every deployment policy', () => {
  for (const name of Object.keys(policies) as PolicyName[]) {
    test(name, () => {
      assert.deepEqual(policies[name](config), []);
    });
  }

  for (const [table, message] of [['events', 'NudgeEvent'], ['dead_letters', 'DeadLetter']]) {
    test(`sql/tables/${table}.schema.json, read by terraform, exists (else ${table} columns went unchecked)`, (t) => {
      if (!existsSync(join(terraformDir, `../sql/tables/${table}.schema.json`))) {
        console.log(`# SKIP sql/tables/${table}.schema.json not found: ${table} columns not checked against ${message}`);
        t.skip(`sql/tables/${table}.schema.json not found`);
        return;
      }
      assert.deepEqual(policies[table === 'events' ? 'eventsTableLayout' : 'deadLettersTableLayout'](config), []);
    });
  }
});

describe('the expansion of for_each sees every instance', () => {
  test('one push subscription per event topic, pointing at its own consumer', () => {
    const pushes = instancesOf(config, 'google_pubsub_subscription', 'push');
    assert.deepEqual(
      pushes.map((s) => [s.body.name, s.body.topic, block(s.body, 'push_config')?.push_endpoint]).sort(),
      [
        ['events-browse-push', '${google_pubsub_topic.events["browse"].id}', '${google_cloudfunctions2_function.consumer["on_browse_event"].service_config[0].uri}'],
        ['events-catalog-push', '${google_pubsub_topic.events["catalog"].id}', '${google_cloudfunctions2_function.consumer["on_catalog_update"].service_config[0].uri}'],
        ['events-priority-push', '${google_pubsub_topic.events["priority"].id}', '${google_cloudfunctions2_function.consumer["on_priority_event"].service_config[0].uri}'],
      ],
    );
  });

  test('recordInterest takes a second push subscription on the priority and browse topics, each with its own dead-letter topic', () => {
    const pushes = instancesOf(config, 'google_pubsub_subscription', 'interest_push');
    assert.deepEqual(
      pushes.map((s) => [s.body.name, s.body.topic, block(s.body, 'push_config')?.push_endpoint, block(s.body, 'dead_letter_policy')?.dead_letter_topic]).sort(),
      [
        ['events-browse-interest-push', '${google_pubsub_topic.events["browse"].id}', '${google_cloudfunctions2_function.consumer["record_interest"].service_config[0].uri}', '${google_pubsub_topic.dead_letter["browse_interest"].id}'],
        ['events-priority-interest-push', '${google_pubsub_topic.events["priority"].id}', '${google_cloudfunctions2_function.consumer["record_interest"].service_config[0].uri}', '${google_pubsub_topic.dead_letter["priority_interest"].id}'],
      ],
    );
  });

  test('a for_each it cannot evaluate is an error, not a silently skipped resource', () => {
    const broken = structuredClone(config);
    const topic = broken.resource.google_pubsub_topic?.events?.[0];
    assert.ok(topic);
    topic.for_each = '${{ for k, v in local.event_topics : k => v }}';
    assert.throws(() => instancesOf(broken, 'google_pubsub_topic'), /cannot expand for_each/);
  });
});

describe('events columns are checked against NudgeEvent', () => {
  /** A config whose events table reads the given schema from a temporary sql/tables/ folder. */
  function withEventsSchema(columns: { name: string; type: string; mode: string }[]): TerraformConfig {
    const root = mkdtempSync(join(tmpdir(), 'nudge-sql-'));
    mkdirSync(join(root, 'sql/tables'), { recursive: true });
    const file = join(root, 'sql/tables/events.schema.json');
    writeFileSync(file, JSON.stringify(columns));
    const copy = structuredClone(config);
    copy.locals.events_schema_path = file;
    return copy;
  }
  const fullSchema = () =>
    Object.entries(NudgeEvent.shape).map(([name, schema]) => ({
      name,
      type: name.endsWith('_at') ? 'TIMESTAMP' : 'STRING',
      mode: schema.safeParse(null).success ? 'NULLABLE' : 'REQUIRED',
    }));

  test('a schema with a column for every field, REQUIRED only where never null, passes', () => {
    assert.deepEqual(policies.eventsTableLayout(withEventsSchema(fullSchema())), []);
  });

  test('a missing column is reported, since drop_unknown_fields would discard it silently', () => {
    const problems = policies.eventsTableLayout(withEventsSchema(fullSchema().filter((c) => c.name !== 'hops')));
    assert.deepEqual(problems, ['events has no column for NudgeEvent.hops: it would be dropped silently']);
  });

  test('a REQUIRED column for a nullable field, or one no message carries, is reported', () => {
    const schema = fullSchema().map((c) => (c.name === 'user_id' ? { ...c, mode: 'REQUIRED' } : c));
    schema.push({ name: 'ingested_at', type: 'TIMESTAMP', mode: 'REQUIRED' });
    assert.deepEqual(policies.eventsTableLayout(withEventsSchema(schema)), [
      'events.user_id is REQUIRED but NudgeEvent.user_id may be null',
      'events.ingested_at is REQUIRED but no message carries it',
    ]);
  });
});
