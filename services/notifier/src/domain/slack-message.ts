import type { Notice, NoticeSource } from './notice.ts';

/** The body of a Slack incoming-webhook POST: `text` for notifications, `blocks` for the channel. */
export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

export type SlackBlock =
  | { type: 'section'; text: { type: 'mrkdwn'; text: string }; fields?: { type: 'mrkdwn'; text: string }[] }
  | { type: 'context'; elements: { type: 'mrkdwn'; text: string }[] };

/** What Slack's mrkdwn treats as markup: the three characters it asks senders to escape. */
export function escapeMrkdwn(s: string): string {
  return s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** `s` cut to `max` characters, saying so. */
export function trimmed(s: string, max: number): string {
  const t = s.trim();
  return t.length <= max ? t : `${t.slice(0, max - 1)}…`;
}

/** A link in mrkdwn; the URL is one we made or checked to be http(s), and `|` or `>` would end it. */
const link = (url: string, label: string) =>
  `<${url.replaceAll('>', '%3E').replaceAll('|', '%7C')}|${escapeMrkdwn(label)}>`;

/** Error texts go in a code block; Slack limits a section's text to 3000 characters. */
const DETAIL_MAX = 1500;
const FALLBACK_DETAIL_MAX = 200;

/** Where the admin web app shows a tenant and an operation. */
export interface AdminLinks {
  tenant(id: string): string;
  operation(id: string): string;
}

export function adminLinks(publicUrl: string): AdminLinks {
  const base = publicUrl.replace(/\/+$/, '');
  return {
    tenant: (id) => `${base}/admin/tenants/${encodeURIComponent(id)}`,
    operation: (id) => `${base}/admin/operations/${encodeURIComponent(id)}`,
  };
}

/**
 * A failure as a Slack message: the headline, the tenant (by its slug when known, linked to its
 * page), the operation linked, the error trimmed, and the facts as fields.
 */
export function slackMessage(notice: Notice, links: AdminLinks, tenantName?: string): SlackMessage {
  const tenantLabel = notice.tenantId ? (tenantName ?? notice.tenantId) : undefined;
  const lines = [`:rotating_light: *${escapeMrkdwn(notice.headline)}*`];
  if (notice.tenantId && tenantLabel)
    lines.push(`*Tenant:* ${link(links.tenant(notice.tenantId), tenantLabel)}`);
  if (notice.operationId)
    lines.push(`*Operation:* ${link(links.operation(notice.operationId), notice.operationId)}`);
  for (const l of notice.extraLinks ?? []) lines.push(link(l.url, l.label));
  const blocks: SlackBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } }];
  if (notice.detail)
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: `\`\`\`${escapeMrkdwn(trimmed(notice.detail, DETAIL_MAX))}\`\`\`` },
    });
  const facts = (notice.facts ?? []).slice(0, 10);
  if (facts.length > 0)
    blocks.push({
      type: 'context',
      elements: facts.map((f) => ({
        type: 'mrkdwn',
        text: `*${escapeMrkdwn(f.label)}:* ${escapeMrkdwn(trimmed(f.value, 300))}`,
      })),
    });
  const about = tenantLabel ? ` (tenant ${tenantLabel})` : '';
  const detail = notice.detail ? `: ${trimmed(notice.detail, FALLBACK_DETAIL_MAX)}` : '';
  return { text: escapeMrkdwn(`${notice.headline}${about}${detail}`), blocks };
}

/** "minute" for 60 s, else the span in seconds or minutes. */
function spanWords(ms: number): string {
  if (ms === 60_000) return 'minute';
  if (ms % 60_000 === 0) return `${ms / 60_000} minutes`;
  const s = Math.round(ms / 100) / 10;
  return `${s} second${s === 1 ? '' : 's'}`;
}

/** The one message that counts the failures the rate limit held back. */
export function summaryMessage(
  held: ReadonlyMap<NoticeSource, number>,
  windowMs: number,
  ratePerMinute: number,
): SlackMessage {
  const total = [...held.values()].reduce((a, b) => a + b, 0);
  const bySource = [...held.entries()]
    .filter(([, n]) => n > 0)
    .map(([source, n]) => `${n} ${source}`)
    .join(', ');
  const text = `${total} more failure${total === 1 ? '' : 's'} suppressed in the last ${spanWords(windowMs)}`;
  return {
    text,
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `:warning: *${text}* (${bySource}): more than ${ratePerMinute} messages a minute. The admin app's operations list and the alerts in Prometheus have them all.`,
        },
      },
    ],
  };
}
