import { Liquid } from 'liquidjs';
import type { Template } from 'liquidjs';
import { formatMoney } from './format-money.ts';
import { dateFilter } from './liquid-date.ts';

/** One Liquid instance per output kind; a parsed template must be rendered by the engine that parsed it. */
export type LiquidEngines = {
  /** Auto-escapes every `{{ }}` output for HTML (use `| raw` only for trusted markup). */
  html: Liquid;
  /** No escaping: the text part and subject lines are not HTML. */
  text: Liquid;
};

/**
 * `partials` maps a partial name to its Liquid source, e.g. { footer: '…', 'footer.txt': '…' } for
 * `{% render 'footer' %}`. They come from memory, not the file system, so rendering never does I/O
 * and pipelines/ stays free of file access; the loader reads templates/_partials once.
 */
export function createLiquidEngines(partials: Readonly<Record<string, string>>): LiquidEngines {
  const common = {
    templates: { ...partials },
    extname: '',
    // A missing variable or filter is an error, not a blank: "Hi ," in 10,000 inboxes is worse than a failed start.
    strictVariables: true,
    strictFilters: true,
    ownPropertyOnly: true,
    // Dates print in UTC unless a template says otherwise; the host's timezone must not leak into emails.
    timezoneOffset: 0,
  } as const;
  const html = new Liquid({ ...common, cache: createSettledCache(), outputEscape: 'escape' });
  const text = new Liquid({ ...common, cache: createSettledCache() });
  for (const engine of [html, text]) {
    // {{ item.price | money: cart.currency }} → "€129.90"
    engine.registerFilter('money', (amount: unknown, currency: unknown) => formatMoney(Number(amount), String(currency)));
    engine.registerFilter('date', dateFilter);
  }
  return { html, text };
}

type ParsedPartial = Template[] | Promise<Template[]>;

/**
 * The parsed-partial cache (`{% render 'footer' %}` is parsed once). liquidjs's own cache keeps the
 * promise an async render stored, which a later renderSync cannot use ("templates is not iterable");
 * this one swaps a settled promise for its value, so renders may be sync (the renderer's, cheaper)
 * or async (anyone else's) on the same engine. Keys are partial names from memory: a bounded set.
 */
function createSettledCache() {
  const entries = new Map<string, ParsedPartial>();
  return {
    read: (key: string) => entries.get(key),
    write: (key: string, value: ParsedPartial) => {
      entries.set(key, value);
      if (value instanceof Promise) {
        value.then(
          (templates) => {
            if (entries.get(key) === value) entries.set(key, templates);
          },
          () => undefined, // liquidjs removes a failed entry itself
        );
      }
    },
    remove: (key: string) => {
      entries.delete(key);
    },
  };
}
