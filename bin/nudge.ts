import { Command, Option } from 'commander';
import { runCatalogImportCommand } from '../functions/embedded/commands/catalog-import-command.ts';
import { runDeadLettersCommand } from '../functions/embedded/commands/dead-letters-command.ts';
import { runKpisCommand } from '../functions/embedded/commands/kpis-command.ts';
import { runPreviewAllCommand, runPreviewCommand } from '../functions/embedded/commands/preview-command.ts';
import { runProfileCommand } from '../functions/embedded/commands/profile-command.ts';
import { queryFormats, runQueryCommand, type QueryFormat } from '../functions/embedded/commands/query-command.ts';
import { runReconcileCommand } from '../functions/embedded/commands/reconcile-command.ts';
import { runSimulateCommand, simulateDefaults } from '../functions/embedded/commands/simulate-command.ts';
import { defaultEngagementOdds } from '../functions/embedded/simulate/engagement-plan.ts';
import { runStartCommand } from '../functions/embedded/commands/start-command.ts';
import { runStatusCommand } from '../functions/embedded/commands/status-command.ts';
import { warehouseTargets, type WarehouseTarget } from '../functions/embedded/commands/warehouse-target.ts';

// The nudge command line. Every command reads the same environment as `npm start`
// (NUDGE_DATA_DIR, PORT, …) so it finds the state of the embedded runtime you started.
const program = new Command('nudge')
  .description('Real-time, personalised email for online shops — embedded runtime and tools.')
  .addHelpText(
    'after',
    `
Environment:
  PORT               HTTP port of the embedded host (default 8080)
  NUDGE_DATA_DIR     where the embedded runtime keeps its state (default ./.nudge)
  NUDGE_WRITE_KEYS   comma-separated write keys accepted by the collector
                     (unset: a development key is generated once and printed at start)
  NUDGE_SERVER_WRITE_KEYS  keys of the shop's backend, which alone may send events that speak
                     for the shop (Catalog Updated); unset: the development key, if in use
  NUDGE_SHOP_DOMAINS comma-separated domains catalog url/image_url links must be on
  NUDGE_TEMPLATES_DIR  campaign folders (default templates/)
  NUDGE_RECONCILE_AT when the host reconciles profiles with the history each night,
                     HH:MM UTC (default 03:00), or off
  NUDGE_GCP_PROJECT  project of the deployment \`--target gcp\` reads (else GOOGLE_CLOUD_PROJECT)
  NUDGE_BIGQUERY_DATASET  its BigQuery dataset (default nudge, terraform's default);
                     NUDGE_BIGQUERY_LOCATION when it is in a region; credentials from
                     GOOGLE_APPLICATION_CREDENTIALS or gcloud's application-default login

Examples:
  npx nudge start
  npx nudge profile user-42
  npx nudge profile jane@example.com --data-dir ./.nudge
  npx nudge query "SELECT kind, COUNT(*) AS n FROM nudge.events GROUP BY kind"
  npx nudge query sql/queries/daily_events_by_kind.sql --json
  npx nudge kpis --from 2026-11-01 --to 2026-11-30
  NUDGE_GCP_PROJECT=my-shop npx nudge query sql/queries/daily_events_by_kind.sql --target gcp
  npx nudge reconcile --dry-run
  npx nudge dead-letters --limit 20
  npx nudge status
  npx nudge preview cart-abandonment
  npx nudge preview --all
  npx nudge simulate --shoppers 200 --seed 7
  npx nudge catalog import products.txt --in-stock-quantity 10`,
  );

const dataDirOption = () => new Option('--data-dir <dir>', 'state directory (overrides NUDGE_DATA_DIR)');
/** For commands that read the warehouse; `gcp` takes project and dataset from the environment. */
const targetOption = () =>
  new Option('--target <target>', 'which warehouse: the embedded DuckDB file, or the deployed BigQuery dataset (NUDGE_GCP_PROJECT, NUDGE_BIGQUERY_DATASET)')
    .choices([...warehouseTargets])
    .default('embedded');

program
  .command('start')
  .description('start the embedded runtime: collector, bus, profiles and warehouse in one process')
  .addOption(dataDirOption())
  .option('--port <port>', 'HTTP port (overrides PORT)')
  .action(async (options: { dataDir?: string; port?: string }) => {
    await runStartCommand(withOverrides(options));
  });

program
  .command('profile')
  .description("print a person's enriched profile as JSON")
  .argument('<id>', 'a user id, anonymous id, email address or person id')
  .addOption(dataDirOption())
  .action(async (id: string, options: { dataDir?: string }) => {
    process.exitCode = await runProfileCommand(id, withOverrides(options), process.stdout);
  });

program
  .command('query')
  .description('run BigQuery Standard SQL (inline, a .sql file, or - for stdin) against the embedded warehouse, or a deployed BigQuery dataset; read-only')
  .argument('<sql>', 'the SQL text, the path of a .sql file (e.g. one under sql/), or - to read it from stdin')
  .option('--param <name[:TYPE]=value>', 'a named parameter @name, repeatable: name=value is a STRING; TYPE is INT64, FLOAT64, NUMERIC, BOOL, DATE, DATETIME, TIMESTAMP, STRING, JSON or ARRAY<T> (value a JSON array)', collect, [])
  .addOption(new Option('--format <format>', 'how to print the rows').choices([...queryFormats]))
  .option('--json', 'the same as --format json (one JSON object per line)')
  .addOption(targetOption())
  .addOption(dataDirOption())
  .addHelpText(
    'after',
    `
Examples:
  npx nudge query "SELECT kind, COUNT(*) AS n FROM nudge.events WHERE occurred_at >= @since GROUP BY kind" --param since:TIMESTAMP=2026-11-01T00:00:00Z
  npx nudge query sql/queries/daily_events_by_kind.sql --format csv > daily.csv
  npx nudge query "SELECT * FROM nudge.events WHERE kind IN UNNEST(@kinds) LIMIT 5" --param 'kinds:ARRAY<STRING>=["order_completed"]'
  cat report.sql | npx nudge query - --format json`,
  )
  .action(async (sql: string, options: { param: string[]; format?: QueryFormat; json?: boolean; dataDir?: string; target: WarehouseTarget }) => {
    process.exitCode = await runQueryCommand(
      sql,
      { ...(options.format ? { format: options.format } : {}), json: options.json ?? false, params: options.param, env: withOverrides(options), target: options.target },
      process.stdout,
    );
  });

program
  .command('kpis')
  .description('print the campaign table: engagement, attributed conversions and holdout uplift per campaign, step and variant, with the targets')
  .option('--from <day>', 'first UTC day of the sends counted (YYYY-MM-DD)')
  .option('--to <day>', 'last UTC day of the sends counted (YYYY-MM-DD)')
  .option('--json', 'print rows as JSON lines instead of a table')
  .addOption(targetOption())
  .addOption(dataDirOption())
  .action(async (options: { from?: string; to?: string; json?: boolean; target: string; dataDir?: string }) => {
    process.exitCode = await runKpisCommand(
      { json: options.json ?? false, target: options.target, env: withOverrides(options), ...(options.from ? { from: options.from } : {}), ...(options.to ? { to: options.to } : {}) },
      process.stdout,
    );
  });

program
  .command('preview')
  .description("render a campaign with its sample data to HTML and text (templates/<campaign>/sample.json)")
  .argument('[campaign]', 'the campaign folder name, e.g. cart-abandonment')
  .option('--all', 'every campaign folder in turn')
  .option('--templates-dir <dir>', 'campaign folder root (overrides NUDGE_TEMPLATES_DIR; default templates/)')
  .option('--out <dir>', 'where to write the files (default $NUDGE_DATA_DIR/preview)')
  .action(async (campaign: string | undefined, options: { all?: boolean; templatesDir?: string; out?: string }) => {
    const previewOptions = { ...(options.templatesDir ? { templatesDir: options.templatesDir } : {}), ...(options.out ? { outDir: options.out } : {}), env: process.env };
    if ((options.all ?? false) === (campaign !== undefined)) {
      console.error('nudge preview: name one campaign, or pass --all');
      process.exitCode = 2;
      return;
    }
    process.exitCode = campaign === undefined ? await runPreviewAllCommand(previewOptions, process.stdout) : await runPreviewCommand(campaign, previewOptions, process.stdout);
  });

program
  .command('reconcile')
  .description('compare every profile with the event history now: diffs to reconciliation_diffs, fixes (version-guarded; consent only toward less email), the day\'s profile_snapshots, a summary')
  .option('--dry-run', 'record the diffs and change nothing')
  .addOption(dataDirOption())
  .action(async (options: { dryRun?: boolean; dataDir?: string }) => {
    process.exitCode = await runReconcileCommand({ dryRun: options.dryRun ?? false, env: withOverrides(options) }, process.stdout);
  });

program
  .command('dead-letters')
  .description('list every dead letter, newest first: refused input and messages the bus gave up on')
  .option('--stage <stage>', 'only this stage (collect, publish, profile, …) or bus subscription')
  .option('--limit <n>', 'how many to show', '50')
  .option('--json', 'print records as JSON lines')
  .option('--replay <id>', 'put an undelivered message (id from the listing) back on its subscription')
  .addOption(dataDirOption())
  .action(async (options: { stage?: string; limit: string; json?: boolean; replay?: string; dataDir?: string }) => {
    process.exitCode = await runDeadLettersCommand(
      { stage: options.stage, limit: Number(options.limit), json: options.json ?? false, replay: options.replay, env: withOverrides(options) },
      process.stdout,
    );
  });

program
  .command('status')
  .description('is the embedded pipeline keeping up? backlog and oldest unacked message per bus subscription, dead letters, event → profile lag p95 over the last hour, last reconciliation')
  .option('--json', 'print the status as one JSON object')
  .addOption(dataDirOption())
  .action(async (options: { json?: boolean; dataDir?: string }) => {
    process.exitCode = await runStatusCommand({ json: options.json ?? false, env: withOverrides(options) }, process.stdout);
  });

program
  .command('simulate')
  .description('drive synthetic shoppers over the HTTP endpoints of the running host, then summarise the emails sent and skipped')
  .option('--shoppers <n>', 'how many shoppers', String(simulateDefaults.shoppers))
  .option('--seed <n>', 'the same seed gives the same shoppers, carts and choices', String(simulateDefaults.seed))
  .option('--pace <ms>', 'simulated pause between two steps of a shopper, in milliseconds', String(simulateDefaults.paceMs))
  .option('--wait-for <duration>', 'how long to wait for the emails afterwards, e.g. 90s or 2m, 0 = do not wait (default: the campaign wait + 10s, at most 2m)')
  .option('--url <url>', 'base URL of the host (default: the running host of the data dir, from host.json)')
  .option('--write-key <key>', 'write key (default: first of NUDGE_WRITE_KEYS, else the data dir\'s development key)')
  .option('--server-key <key>', 'server write key for the stock updates (default: first of NUDGE_SERVER_WRITE_KEYS, else the write key)')
  .option('--no-engagement', 'stop after the emails: no opens, clicks or orders afterwards')
  .option('--open-rate <p>', 'share of emailed shoppers who open', String(defaultEngagementOdds.openRate))
  .option('--click-rate <p>', 'share of openers who click', String(defaultEngagementOdds.clickRate))
  .option('--conversion-baseline <p>', 'chance to order without the email (the held-out shoppers\' rate)', String(defaultEngagementOdds.baselineConversion))
  .option('--conversion-uplift <p>', 'what the email adds to that chance: the true uplift the KPIs should find', String(defaultEngagementOdds.uplift))
  .addOption(dataDirOption())
  .addHelpText(
    'after',
    `
Each shopper browses anonymously (pages, searches, product views); some add 1–3 products to a
cart, some identify with an email (with email_marketing_consent true, false, or not given), some
check out and order, the others abandon the cart. Of those who add nothing, some only browse (the
browse follow-up), some view a sold-out product and ask to be told (back in stock), some view a
product whose price the shop then cuts by 20% (price drop). The catalog (20 products with
category, tags and stock, two sold out) goes first as Catalog Updated, the restocks and price cuts
after the shoppers, both with the server key (a host that refuses them gets a warning and the run
goes on without). Events go to POST /v1/batch with the write key; the summary (events, shoppers
of each kind, emails sent and skipped by reason, and per campaign) comes from the warehouse via
the host (tables decisions, email_sends) and the outbox folder.

The campaigns wait 30m (cart), 10m (browse) and 2m (back in stock, price drop) before their
emails. For a demo that ends within a minute, start the host with a copy of templates/ whose
campaign.yaml files say "wait: 10s":
  cp -r templates /tmp/nudge-templates
  sed -i 's/^wait: .*/wait: 10s/' /tmp/nudge-templates/*/campaign.yaml
  NUDGE_TEMPLATES_DIR=/tmp/nudge-templates npm start
  NUDGE_TEMPLATES_DIR=/tmp/nudge-templates npx nudge simulate --shoppers 200 --seed 7
(simulate reads NUDGE_TEMPLATES_DIR only to choose how long to wait.) Held-out shoppers
(NUDGE_HOLDOUT_PERCENT), quiet hours (NUDGE_QUIET_HOURS) and the frequency cap apply as configured
on the host and show up among the skip reasons.`,
  )
  .action(async (options: { shoppers: string; seed: string; pace: string; waitFor?: string; url?: string; writeKey?: string; serverKey?: string; dataDir?: string; engagement: boolean; openRate: string; clickRate: string; conversionBaseline: string; conversionUplift: string }) => {
    process.exitCode = await runSimulateCommand(
      {
        shoppers: Number(options.shoppers),
        seed: Number(options.seed),
        paceMs: Number(options.pace),
        ...(options.waitFor === undefined ? {} : { waitFor: options.waitFor }),
        ...(options.url ? { url: options.url } : {}),
        ...(options.writeKey ? { writeKey: options.writeKey } : {}),
        ...(options.serverKey ? { serverKey: options.serverKey } : {}),
        engagement: options.engagement,
        odds: { openRate: Number(options.openRate), clickRate: Number(options.clickRate), baselineConversion: Number(options.conversionBaseline), uplift: Number(options.conversionUplift) },
        env: withOverrides(options),
      },
      process.stdout,
    );
  });

const catalog = program.command('catalog').description('the product catalog nudge keeps (stock, price, links) from Catalog Updated events');
catalog
  .command('import')
  .description('send a product feed (Merchant Center TSV or XML, or JSON lines of Catalog Updated properties) to the collector, row by row; refused rows are printed and dead-lettered')
  .argument('<file>', 'the feed file (.txt/.tsv, .xml, .jsonl)')
  .option('--format <format>', 'tsv, xml or jsonl (default: from the extension, else the first character)')
  .option('--in-stock-quantity <n>', 'the stock of an in-stock row that has no quantity column (required when such rows exist)')
  .option('--dry-run', 'check and print the refusals; send nothing')
  .option('--url <url>', 'base URL of the collector (default: the running host of the data dir, from host.json), e.g. a deployed collect function')
  .option('--write-key <key>', "a server write key (default: first of NUDGE_SERVER_WRITE_KEYS, else the data dir's development key)")
  .addOption(dataDirOption())
  .addHelpText('after', '\nSee docs/catalog.md for the attribute mapping. Exit 0: every row accepted; 1: some refused (see nudge dead-letters); 2: usage.')
  .action(async (file: string, options: { format?: string; inStockQuantity?: string; dryRun?: boolean; url?: string; writeKey?: string; dataDir?: string }) => {
    process.exitCode = await runCatalogImportCommand(
      {
        file,
        dryRun: options.dryRun ?? false,
        ...(options.format ? { format: options.format } : {}),
        ...(options.inStockQuantity !== undefined ? { inStockQuantity: options.inStockQuantity } : {}),
        ...(options.url ? { url: options.url } : {}),
        ...(options.writeKey ? { writeKey: options.writeKey } : {}),
        env: withOverrides(options),
      },
      process.stdout,
      process.stderr,
    );
  });

/** commander's way to gather a repeatable option. */
function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function withOverrides(options: { dataDir?: string; port?: string }): Record<string, string | undefined> {
  return {
    ...process.env,
    ...(options.dataDir ? { NUDGE_DATA_DIR: options.dataDir } : {}),
    ...(options.port ? { PORT: options.port } : {}),
  };
}

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(`nudge: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
