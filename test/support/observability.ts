import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

/** Where the dashboards and alert rules live, as Compose and Kubernetes mount them. */
export const grafanaDir = fileURLToPath(new URL('../../grafana/', import.meta.url));
export const dashboardsDir = join(grafanaDir, 'dashboards');
export const alertsDir = join(grafanaDir, 'alerts');
export const alertTestsDir = join(alertsDir, 'tests');

/** How panels, targets and variables name the Prometheus datasource: the dashboard's variable. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax, not a template.
export const DATASOURCE_VAR = '${datasource}';

/** Series Prometheus makes itself rather than scraping them. */
export const PROMETHEUS_OWN_SERIES = new Set(['up', 'ALERTS', 'ALERTS_FOR_STATE']);

/** A service with an HTTP server the platform started (tenant, gateway, backup, and any added later). */
export interface ScrapeTarget {
  name: string;
  url: string;
}

/**
 * Every running service of a started platform, found by its shape (an HTTP URL and a close) under
 * the platform's own key, rather than from a list, so a service the platform helper starts later is
 * scraped without editing the tests that call this. Its `/metrics` labels must then say the same
 * name, which the tests check.
 */
export function runningServices(platform: object): ScrapeTarget[] {
  const found: ScrapeTarget[] = [];
  for (const [key, value] of Object.entries(platform)) {
    if (typeof value !== 'object' || value === null) continue;
    const v = value as { name?: unknown; url?: unknown; close?: unknown };
    if (typeof v.url === 'string' && /^https?:\/\//.test(v.url) && typeof v.close === 'function')
      found.push({ name: typeof v.name === 'string' ? v.name : key, url: v.url });
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

/** A service's `/metrics` text, as Prometheus reads it. */
export async function scrape(target: ScrapeTarget): Promise<string> {
  const res = await fetch(`${target.url}/metrics`);
  const text = await res.text();
  if (res.status !== 200)
    throw new Error(`${target.name} /metrics answered ${res.status}: ${text.slice(0, 500)}`);
  return text;
}

/**
 * The series names a `/metrics` text offers to queries: each family of a `# TYPE` line (a histogram's
 * `_bucket`, `_sum` and `_count`, a summary's `_sum` and `_count` beside its own name) and every name
 * that has a sample.
 */
export function exportedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)/.exec(line);
    if (type) {
      const [, name, kind] = type as unknown as [string, string, string];
      if (kind === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(name + s);
      else if (kind === 'summary') for (const s of ['', '_sum', '_count']) names.add(name + s);
      else names.add(name);
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]/.exec(line);
    if (sample?.[1]) names.add(sample[1]);
  }
  return names;
}

/** The `service` label of every sample in a `/metrics` text. */
export function serviceLabels(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.matchAll(/^[a-zA-Z_:][a-zA-Z0-9_:]*\{[^}]*\bservice="([^"]*)"/gm)) out.add(m[1] ?? '');
  return out;
}

const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
  'atan2',
  'inf',
  'nan',
  'start',
  'end',
]);

/**
 * The metric names a PromQL expression (or a Grafana query with its `$variables`) reads. Strings,
 * label matchers, range and subquery brackets, `by`/`without`/`on`/`ignoring`/`group_*` label
 * lists, Grafana variables, numbers and durations are removed; of the identifiers left, those
 * followed by `(` are functions or aggregations and the rest, keywords aside, are metric names.
 * `label_values(metric, label)` (a Grafana variable query) reads its first argument only.
 */
export function metricNamesIn(expr: string): string[] {
  let e = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, ' ')
    .replace(/\$\{[^}]*\}|\$\w+|\[\[\w+\]\]/g, ' ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  // A variable query's label argument is a label, not a metric.
  e = e
    .replace(/\blabel_values\s*\(([^,()]*),[^)]*\)/g, ' ( $1 ) ')
    .replace(/\blabel_values\s*\([^,()]*\)/g, ' ');
  const names = new Set<string>();
  const token = /(0x[0-9a-fA-F]+|\d*\.?\d+(?:[eE][+-]?\d+)?[a-z]*)|([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g;
  for (const m of e.matchAll(token)) {
    const [, number, ident, call] = m;
    if (number || !ident || call) continue;
    if (KEYWORDS.has(ident.toLowerCase())) continue;
    names.add(ident);
  }
  return [...names];
}

/** One query of a dashboard, or the expression of an alert rule, and where it is. */
export interface NamedQuery {
  where: string;
  expr: string;
}

// biome-ignore lint/suspicious/noExplicitAny: a dashboard is JSON, read loosely and checked.
export type Dashboard = Record<string, any>;

/** Every dashboard of `grafana/dashboards`, by file name. */
export async function loadDashboards(): Promise<Array<{ file: string; dashboard: Dashboard }>> {
  const files = (await readdir(dashboardsDir)).filter((f) => f.endsWith('.json')).sort();
  return await Promise.all(
    files.map(async (file) => ({
      file,
      dashboard: JSON.parse(await readFile(join(dashboardsDir, file), 'utf8')) as Dashboard,
    })),
  );
}

/** The panels of a dashboard, those inside collapsed rows included. */
export function panelsOf(d: Dashboard): Dashboard[] {
  const out: Dashboard[] = [];
  for (const p of (d.panels ?? []) as Dashboard[]) {
    out.push(p);
    if (Array.isArray(p.panels)) out.push(...(p.panels as Dashboard[]));
  }
  return out;
}

/** The PromQL of a dashboard: each panel target's `expr` and each query variable's query. */
export function dashboardQueries(file: string, d: Dashboard): NamedQuery[] {
  const out: NamedQuery[] = [];
  for (const p of panelsOf(d))
    for (const t of (p.targets ?? []) as Dashboard[])
      if (typeof t.expr === 'string')
        out.push({ where: `${file}: panel "${p.title}" ${t.refId}`, expr: t.expr });
  for (const v of (d.templating?.list ?? []) as Dashboard[]) {
    if (v.type !== 'query') continue;
    const q = typeof v.query === 'string' ? v.query : v.query?.query;
    if (typeof q === 'string') out.push({ where: `${file}: variable ${v.name}`, expr: q });
  }
  return out;
}

/**
 * What makes a dashboard one Grafana provisions and our tests can read: a uid and title, the
 * Prometheus datasource as the `datasource` template variable that every panel and target uses,
 * unique panel ids, and targets with a query on every panel that is not a row. Returns the problems.
 */
export function dashboardProblems(file: string, d: Dashboard): string[] {
  const problems: string[] = [];
  const say = (s: string) => problems.push(`${file}: ${s}`);
  if (typeof d.uid !== 'string' || !d.uid) say('no uid');
  if (typeof d.title !== 'string' || !d.title) say('no title');
  if (typeof d.schemaVersion !== 'number') say('no schemaVersion');
  const vars = (d.templating?.list ?? []) as Dashboard[];
  const ds = vars.find((v) => v.name === 'datasource');
  if (ds?.type !== 'datasource' || ds.query !== 'prometheus')
    say('no `datasource` template variable of type datasource querying prometheus');
  const usesVar = (x: unknown) =>
    typeof x === 'object' && x !== null && (x as { uid?: unknown }).uid === DATASOURCE_VAR;
  for (const v of vars)
    if (v.type === 'query' && !usesVar(v.datasource)) say(`variable ${v.name} does not use \${datasource}`);
  const ids = new Set<number>();
  const panels = panelsOf(d);
  if (panels.filter((p) => p.type !== 'row').length === 0) say('no panels');
  for (const p of panels) {
    if (typeof p.id !== 'number') say(`panel "${p.title}" has no id`);
    else if (ids.has(p.id)) say(`panel id ${p.id} ("${p.title}") is used twice`);
    else ids.add(p.id);
    if (!p.gridPos || typeof p.gridPos.w !== 'number' || typeof p.gridPos.h !== 'number')
      say(`panel "${p.title}" has no gridPos`);
    if (p.type === 'row') continue;
    if (!usesVar(p.datasource)) say(`panel "${p.title}" does not use the \${datasource} variable`);
    const targets = (p.targets ?? []) as Dashboard[];
    if (targets.length === 0) say(`panel "${p.title}" has no targets`);
    const refIds = new Set<string>();
    for (const t of targets) {
      if (typeof t.expr !== 'string' || !t.expr.trim()) say(`panel "${p.title}" has a target without expr`);
      if (refIds.has(t.refId)) say(`panel "${p.title}" repeats refId ${t.refId}`);
      refIds.add(t.refId);
      if (t.datasource !== undefined && !usesVar(t.datasource))
        say(`a target of panel "${p.title}" does not use the \${datasource} variable`);
    }
  }
  return problems;
}

/** A Grafana query as Prometheus runs it: its variables given values. */
export function renderGrafanaQuery(expr: string, vars: Record<string, string> = {}): string {
  return expr
    .replaceAll('$__rate_interval', '1m')
    .replaceAll('$__interval', '15s')
    .replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, a?: string, b?: string) => vars[(a ?? b)!] ?? whole);
}

export interface AlertRule {
  alert?: string;
  record?: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** Every rule file of `grafana/alerts`, with its groups and rules. */
export async function loadRuleFiles(): Promise<
  Array<{ file: string; path: string; groups: Array<{ name: string; rules: AlertRule[] }> }>
> {
  const files = (await readdir(alertsDir)).filter((f) => /\.ya?ml$/.test(f)).sort();
  return await Promise.all(
    files.map(async (file) => {
      const path = join(alertsDir, file);
      const doc = parseYaml(await readFile(path, 'utf8')) as {
        groups?: Array<{ name: string; rules: AlertRule[] }>;
      };
      return { file, path, groups: doc.groups ?? [] };
    }),
  );
}

/** The unit test files of the alert rules. */
export async function ruleTestFiles(): Promise<string[]> {
  return (await readdir(alertTestsDir))
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(alertTestsDir, f));
}
