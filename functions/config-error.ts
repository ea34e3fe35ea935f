/** A setting is wrong; the message names the variable and what is expected. Shared by both runtimes. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
