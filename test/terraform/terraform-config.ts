import { convertFiles } from '@cdktf/hcl2json';
import { fileURLToPath } from 'node:url';

/**
 * terraform/ parsed with @cdktf/hcl2json, plus just enough evaluation to check policies without a
 * provider: `for_each` over a local map or list is expanded into one instance per key, with
 * `each.key` / `each.value.*` substituted. Anything it cannot expand is an error, so a policy
 * never passes because a resource went unseen.
 */

export const terraformDir = fileURLToPath(new URL('../../terraform/', import.meta.url));

/** A block body as hcl2json gives it: attributes are values or "${expr}" strings, nested blocks are arrays. */
export type Body = Record<string, unknown>;

export type TerraformConfig = {
  resource: Record<string, Record<string, Body[]>>;
  data: Record<string, Record<string, Body[]>>;
  variable: Record<string, Body[]>;
  output: Record<string, Body[]>;
  locals: Record<string, unknown>;
};

export type Instance = {
  type: string;
  name: string;
  /** for_each key, or null for a single resource. */
  key: string | null;
  /** How other resources refer to it, e.g. google_pubsub_topic.events["priority"]. */
  address: string;
  body: Body;
};

export async function loadTerraform(dir: string = terraformDir): Promise<TerraformConfig> {
  const raw = (await convertFiles(dir)) as Record<string, unknown>;
  const localBlocks = (raw.locals ?? []) as Record<string, unknown>[];
  return {
    resource: (raw.resource ?? {}) as TerraformConfig['resource'],
    data: (raw.data ?? {}) as TerraformConfig['data'],
    variable: (raw.variable ?? {}) as TerraformConfig['variable'],
    output: (raw.output ?? {}) as TerraformConfig['output'],
    locals: Object.assign({}, ...localBlocks) as Record<string, unknown>,
  };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The first (usually only) nested block called `name`, or undefined. */
export function block(body: Body | undefined, name: string): Body | undefined {
  const value = body?.[name];
  if (!Array.isArray(value)) return undefined;
  const first: unknown = value[0];
  return isRecord(first) ? first : undefined;
}

/** Every nested block called `name` (e.g. repeated secret_environment_variables). */
export function blocks(body: Body | undefined, name: string): Body[] {
  const value = body?.[name];
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

/** The address an expression like "${google_service_account.collect.email}" points at, or null. */
export function referencedAddress(expression: unknown, type: string): string | null {
  if (typeof expression !== 'string') return null;
  const match = new RegExp(`\\b(${type}\\.[a-z0-9_]+(?:\\["[^"]+"\\])?)`).exec(expression);
  return match?.[1] ?? null;
}

type ForEachEntry = { key: string; value: unknown };

function forEachEntries(config: TerraformConfig, expression: unknown, address: string): ForEachEntry[] {
  const local = typeof expression === 'string' ? /^\$\{(?:toset\()?local\.([a-z0-9_]+)\)?\}$/.exec(expression) : null;
  const value = local?.[1] !== undefined ? config.locals[local[1]] : undefined;
  if (Array.isArray(value)) return value.map((item) => ({ key: String(item), value: item }));
  if (isRecord(value)) return Object.entries(value).map(([key, item]) => ({ key, value: item }));
  throw new Error(`cannot expand for_each ${JSON.stringify(expression)} of ${address}: only local maps and lists are supported`);
}

function substitute(value: unknown, entry: ForEachEntry): unknown {
  if (Array.isArray(value)) return value.map((item) => substitute(item, entry));
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, entry)]));
  if (typeof value !== 'string') return value;
  const field = (name: string | undefined): unknown => (name === undefined ? entry.value : isRecord(entry.value) ? entry.value[name] : undefined);
  const whole = /^\$\{each\.(key|value)(?:\.([a-z0-9_]+))?\}$/.exec(value);
  if (whole) return whole[1] === 'key' ? entry.key : field(whole[2]);
  return value
    .replace(/\$\{each\.(key|value)(?:\.([a-z0-9_]+))?\}/g, (_m, what: string, name?: string) => String(what === 'key' ? entry.key : field(name)))
    .replace(/\beach\.(key|value)(?:\.([a-z0-9_]+))?/g, (_m, what: string, name?: string) => JSON.stringify(what === 'key' ? entry.key : field(name)));
}

/** Every instance of every resource of `type` (optionally only the resource `name`). */
export function instancesOf(config: TerraformConfig, type: string, name?: string): Instance[] {
  const byName = config.resource[type] ?? {};
  return Object.entries(byName)
    .filter(([resourceName]) => name === undefined || resourceName === name)
    .flatMap(([resourceName, bodies]): Instance[] => {
      const body = bodies[0] ?? {};
      const base = `${type}.${resourceName}`;
      if (body.for_each === undefined) return [{ type, name: resourceName, key: null, address: base, body }];
      return forEachEntries(config, body.for_each, base).map((entry) => ({
        type,
        name: resourceName,
        key: entry.key,
        address: `${base}["${entry.key}"]`,
        body: substitute(body, entry) as Body,
      }));
    });
}

/** Every instance of every resource whose type matches. */
export function allInstances(config: TerraformConfig, typePattern: RegExp = /./): Instance[] {
  return Object.keys(config.resource)
    .filter((type) => typePattern.test(type))
    .flatMap((type) => instancesOf(config, type));
}

// Queries shared by the policies.
export const pubsubAgent = '${local.pubsub_agent_member}';
export const pushInvokerEmail = '${google_service_account.push_invoker.email}';
export const functions = (c: TerraformConfig) => instancesOf(c, 'google_cloudfunctions2_function');
export const iamMembers = (c: TerraformConfig) => allInstances(c, /_iam_(member|binding|policy)$/);
export const serviceConfig = (fn: Instance) => block(fn.body, 'service_config');
