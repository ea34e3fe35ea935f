import { runStartCommand } from './commands/start-command.ts';
import { ConfigError } from './config.ts';

// `npm start`: the embedded runtime with the environment as configuration.
runStartCommand(process.env).catch((error: unknown) => {
  console.error(error instanceof ConfigError ? `nudge: ${error.message}` : error);
  process.exit(1);
});
