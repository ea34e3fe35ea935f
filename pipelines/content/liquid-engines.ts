import { Liquid } from 'liquidjs';
import { formatMoney } from './format-money.ts';

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
    cache: true,
    // A missing variable or filter is an error, not a blank: "Hi ," in 10,000 inboxes is worse than a failed start.
    strictVariables: true,
    strictFilters: true,
    ownPropertyOnly: true,
    // Dates print in UTC unless a template says otherwise; the host's timezone must not leak into emails.
    timezoneOffset: 0,
  } as const;
  const html = new Liquid({ ...common, outputEscape: 'escape' });
  const text = new Liquid({ ...common });
  for (const engine of [html, text]) {
    // {{ item.price | money: cart.currency }} → "€129.90"
    engine.registerFilter('money', (amount: unknown, currency: unknown) => formatMoney(Number(amount), String(currency)));
  }
  return { html, text };
}
