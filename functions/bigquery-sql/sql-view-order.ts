/**
 * The order in which sql/views/*.sql must run: a view that reads another comes after it. Views
 * are created by name (CREATE OR REPLACE VIEW); DuckDB, like BigQuery, refuses a view over a view
 * that does not exist yet, and name order does not follow reading order (attributed_orders reads
 * person_surviving). The dependencies come from the files themselves — every `${dataset}.<name>`
 * a view reads — so a new view needs no list kept by hand.
 */

export type SqlView = { name: string; sql: string };

/** Names a view's SQL reads as `${dataset}.<name>` (the placeholder every sql/ file uses). */
export function readsOf(sql: string): Set<string> {
  return new Set([...sql.matchAll(/\$\{\s*dataset\s*\}\.(\w+)/g)].map((match) => match[1]!));
}

/**
 * Dependencies first; otherwise name order (stable, so the result does not depend on how the
 * folder lists its files). A cycle cannot be created in either database: refused, naming it.
 */
export function orderViewsByDependencies<T extends SqlView>(views: readonly T[]): T[] {
  const byName = new Map(views.map((view) => [view.name, view]));
  const ordered: T[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (view: T, path: string[]): void => {
    const seen = state.get(view.name);
    if (seen === 'done') return;
    if (seen === 'visiting') throw new Error(`sql/views: views read each other in a cycle: ${[...path, view.name].join(' → ')}`);
    state.set(view.name, 'visiting');
    for (const name of [...readsOf(view.sql)].sort()) {
      const dependency = byName.get(name);
      if (dependency && name !== view.name) visit(dependency, [...path, view.name]);
    }
    state.set(view.name, 'done');
    ordered.push(view);
  };
  for (const view of [...views].sort((a, b) => a.name.localeCompare(b.name))) visit(view, []);
  return ordered;
}
