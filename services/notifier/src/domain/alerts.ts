import type { Notice } from './notice.ts';

/** One alert of an Alertmanager webhook (payload version 4), as far as the notifier reads it. */
export interface Alert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt?: string;
  generatorURL?: string;
  fingerprint?: string;
}

/** Alertmanager's webhook body (version 4). */
export interface AlertmanagerPayload {
  version: '4';
  status: 'firing' | 'resolved';
  alerts: Alert[];
  receiver?: string;
  externalURL?: string;
  commonLabels?: Record<string, string>;
  commonAnnotations?: Record<string, string>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SLUG = /^[a-z0-9][a-z0-9-]{0,63}$/;
const HTTP_URL = /^https?:\/\/[^\s]+$/;

/**
 * The tenant an alert is about: the platform's alert rules label it `tenant_id` (or `tenant`, by id
 * or slug); a page of the admin app shows it by either.
 */
function tenantOf(labels: Record<string, string>): string | undefined {
  for (const key of ['tenant_id', 'tenantId', 'tenant']) {
    const v = labels[key];
    if (v && (UUID.test(v) || SLUG.test(v))) return v;
  }
  return undefined;
}

/**
 * The notice of a firing alert: its name and severity, the tenant it is about, its summary, and
 * links to the Prometheus expression and the runbook.
 */
export function alertFailure(alert: Alert): Notice {
  const name = alert.labels.alertname ?? 'Alert';
  const severity = alert.labels.severity;
  const tenantId = tenantOf(alert.labels);
  const detail = alert.annotations.summary ?? alert.annotations.description ?? alert.annotations.message;
  const extraLinks: Array<{ label: string; url: string }> = [];
  if (alert.generatorURL && HTTP_URL.test(alert.generatorURL))
    extraLinks.push({ label: 'Prometheus', url: alert.generatorURL });
  const runbook = alert.annotations.runbook_url;
  if (runbook && HTTP_URL.test(runbook)) extraLinks.push({ label: 'Runbook', url: runbook });
  const facts = [
    ...(severity ? [{ label: 'Severity', value: severity }] : []),
    { label: 'Since', value: alert.startsAt },
    ...Object.entries(alert.labels)
      .filter(([k]) => !['alertname', 'severity', 'tenant_id', 'tenantId', 'tenant'].includes(k))
      .slice(0, 6)
      .map(([label, value]) => ({ label, value })),
  ];
  return {
    source: 'alert',
    headline: `Alert firing: ${name}`,
    ...(tenantId ? { tenantId } : {}),
    ...(detail ? { detail } : {}),
    extraLinks,
    facts,
  };
}
