/**
 * Where a JSON-like value nests deeper than `maxDepth` containers (objects or arrays), as the
 * path to the first container past the limit; null when it does not. The value itself is level 0.
 * Iterative, so a value nested a million levels costs a walk of maxDepth levels and never the
 * call stack (JSON.stringify and zod would overflow it).
 */
export function findTooDeep(value: unknown, maxDepth: number): (string | number)[] | null {
  if (!isContainer(value)) return null;
  const stack: Node[] = [{ value, depth: 0, key: null, parent: null }];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    const container = node.value as Record<string, unknown> | unknown[];
    if (Array.isArray(container)) {
      for (let index = 0; index < container.length; index++) {
        const child = visit(container[index], index, node, maxDepth, stack);
        if (child) return pathOf(child);
      }
    } else {
      for (const key in container) {
        if (!Object.hasOwn(container, key)) continue;
        const child = visit(container[key], key, node, maxDepth, stack);
        if (child) return pathOf(child);
      }
    }
  }
  return null;
}

/**
 * True when the path findTooDeep returned runs through the same container twice: the value is
 * circular (only publishEvent callers can build one), not merely deep.
 */
export function isCircularPath(value: unknown, path: readonly (string | number)[]): boolean {
  const seen = new Set<unknown>();
  let current = value;
  for (const key of path) {
    if (seen.has(current)) return true;
    seen.add(current);
    current = (current as Record<string | number, unknown>)[key];
  }
  return seen.has(current);
}

type Node = { value: unknown; depth: number; key: string | number | null; parent: Node | null };

const isContainer = (value: unknown): value is object => typeof value === 'object' && value !== null;

/** Pushes a container child; returns its node when it is past the limit. */
function visit(child: unknown, key: string | number, parent: Node, maxDepth: number, stack: Node[]): Node | null {
  if (!isContainer(child)) return null;
  const node: Node = { value: child, depth: parent.depth + 1, key, parent };
  if (node.depth > maxDepth) return node;
  stack.push(node);
  return null;
}

function pathOf(node: Node): (string | number)[] {
  const path: (string | number)[] = [];
  for (let at: Node | null = node; at !== null && at.key !== null; at = at.parent) path.push(at.key);
  return path.reverse();
}
