import { parseEmbeddedConfig } from '../config.ts';
import { startEmbeddedRuntime } from '../runtime.ts';

/** Which keys may send the shop's own events (Catalog Updated): a browser key may not. */
function serverKeysLine(config: ReturnType<typeof parseEmbeddedConfig>): string {
  if (config.devWriteKey && config.serverWriteKeys.length === 1 && config.serverWriteKeys[0] === config.devWriteKey) {
    return '  server keys   the development key (set NUDGE_SERVER_WRITE_KEYS for your backend\'s Catalog Updated)';
  }
  if (config.serverWriteKeys.length === 0) return '  server keys   none: Catalog Updated is refused (403) until NUDGE_SERVER_WRITE_KEYS is set';
  return `  server keys   ${config.serverWriteKeys.length} from NUDGE_SERVER_WRITE_KEYS (Catalog Updated)`;
}

function webhookLine(config: ReturnType<typeof parseEmbeddedConfig>): string {
  if (config.webhook.verify === 'off') return 'signatures NOT verified: NUDGE_WEBHOOK_VERIFY=off';
  if (config.webhook.verify === 'unconfigured') return 'not configured';
  return config.webhook.devKey ? 'signed with the development key in the data dir; set SENDGRID_WEBHOOK_PUBLIC_KEY for SendGrid' : 'verified with SENDGRID_WEBHOOK_PUBLIC_KEY';
}

/** `npm start` / `nudge start`: run until SIGINT/SIGTERM, then stop cleanly. */
export async function runStartCommand(env: Readonly<Record<string, string | undefined>>): Promise<void> {
  const config = parseEmbeddedConfig(env);
  const runtime = await startEmbeddedRuntime(config);
  const key = config.devWriteKey ?? config.writeKeys[0] ?? '<your write key>';
  const lines = [
    `nudge embedded runtime listening on ${runtime.url}`,
    `  data dir      ${config.dataDir}`,
    `  collector     POST ${runtime.url}/v1/{track,identify,page,screen,alias,batch}  (Segment HTTP API)`,
    `  health        GET  ${runtime.url}/healthz`,
    config.devWriteKey
      ? `  write key     ${config.devWriteKey}   (development key, generated once and kept in the data dir; set NUDGE_WRITE_KEYS to choose your own)`
      : `  write keys    ${config.writeKeys.length} from NUDGE_WRITE_KEYS`,
    serverKeysLine(config),
    `  sendgrid      POST ${runtime.url}/webhooks/sendgrid  (Event Webhook; ${webhookLine(config)})`,
    '',
    'Try it:',
    `  curl -u '${key}:' -H 'content-type: application/json' ${runtime.url}/v1/track \\`,
    `    -d '{"userId":"user-42","event":"Product Added","properties":{"product_id":"sku-1","name":"Rain jacket","price":129,"quantity":1}}'`,
    '  npx nudge profile user-42',
    `  npx nudge query "SELECT kind, COUNT(*) AS events FROM nudge.events GROUP BY kind"`,
    '',
  ];
  process.stdout.write(lines.join('\n') + '\n');

  await new Promise<void>((resolve) => {
    const shutdown = (signal: NodeJS.Signals) => {
      process.stdout.write(`\n${signal}: stopping…\n`);
      runtime.stop().then(resolve, (error: unknown) => {
        console.error(error);
        resolve();
      });
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
  });
}
