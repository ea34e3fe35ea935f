import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Document, Node } from 'yaml';
import type { z } from 'zod';
import { CampaignError } from './campaign-error.ts';

export type YamlPath = readonly PropertyKey[];

/** A parsed data file that still knows which line each value came from. */
export type LocatedValue<T> = {
  value: T;
  /** Line (1-based) of the value at `path`, or of its nearest existing parent. */
  lineOf: (path: YamlPath) => number;
};

/**
 * Parses YAML (JSON is YAML too, so sample.json goes through here as well) and validates it with a
 * zod schema. Errors become a CampaignError naming file, line and field; the yaml package's
 * LineCounter maps the node ranges of the Document back to lines.
 */
export function parseLocatedYaml<S extends z.ZodType>(schema: S, text: string, file: string): LocatedValue<z.output<S>> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const [syntaxError] = doc.errors;
  if (syntaxError) {
    const line = syntaxError.linePos?.[0].line ?? lineCounter.linePos(syntaxError.pos[0]).line;
    throw new CampaignError({ file, line }, syntaxError.message.split('\n')[0] ?? 'invalid YAML');
  }
  const lineOf = (path: YamlPath): number => lineCounter.linePos(offsetOf(doc, path)).line;
  const raw: unknown = doc.toJS();
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    // An unknown key first: "wiat: unknown field" explains the "wait: required" that comes with it.
    const issues = parsed.error.issues
      .map((issue) => ({ ...describeIssue(issue, raw, lineOf), unknown: issue.code === 'unrecognized_keys' }))
      .sort((a, b) => Number(b.unknown) - Number(a.unknown) || a.line - b.line);
    const first = issues[0]!;
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more: ${issues.slice(1, 4).map((i) => `line ${i.line} ${i.field}`).join(', ')})` : '';
    throw new CampaignError({ file, line: first.line, field: first.field }, first.message + more);
  }
  return { value: parsed.data, lineOf };
}

/** `offers[0].offer.value` — the path as a marketer reads it. */
export function formatYamlPath(path: YamlPath): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), '');
}

function describeIssue(issue: z.core.$ZodIssue, raw: unknown, lineOf: (path: YamlPath) => number): { line: number; field: string; message: string } {
  if (issue.code === 'unrecognized_keys') {
    const path = [...issue.path, issue.keys[0]!];
    return { line: lineOf(path), field: formatYamlPath(path), message: 'unknown field' };
  }
  // zod leaves `input` out of issues unless asked, so look the value up in the parsed document.
  const missing = issue.code === 'invalid_type' && valueAt(raw, issue.path) === undefined;
  return { line: lineOf(issue.path), field: formatYamlPath(issue.path) || '(document)', message: missing ? 'required' : issue.message };
}

function valueAt(raw: unknown, path: YamlPath): unknown {
  return path.reduce<unknown>((value, key) => (value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined), raw);
}

/** Offset of the deepest node on `path` that exists (a missing key points at its parent). */
function offsetOf(doc: Document, path: YamlPath): number {
  let node: unknown = doc.contents;
  let offset = rangeStart(node) ?? 0;
  for (const key of path) {
    let next: unknown;
    let keyOffset: number | undefined;
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(key));
      if (pair) {
        keyOffset = rangeStart(pair.key);
        next = pair.value;
      }
    } else if (isSeq(node) && typeof key === 'number') {
      next = node.items[key];
    }
    if (next === undefined && keyOffset === undefined) break;
    offset = rangeStart(next) ?? keyOffset ?? offset;
    node = next;
  }
  return offset;
}

function rangeStart(node: unknown): number | undefined {
  return (node as Node | undefined)?.range?.[0] ?? undefined;
}
