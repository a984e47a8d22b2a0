/** Where a failure was heard of: the label of the notifier's metrics. */
export type NoticeSource = 'operation' | 'backup' | 'drill' | 'alert';

/** One failure to tell operators about, before it is put in Slack's words. */
export interface Notice {
  source: NoticeSource;
  /** What failed, in a few words: "Operation tenant.provision failed". */
  headline: string;
  /** The tenant it concerns, when it concerns one. */
  tenantId?: string;
  /** The failure's own words (an operation's error, a drill's detail, an alert's summary). */
  detail?: string;
  /** The operation to open, when there is one. */
  operationId?: string;
  /** More to read, such as an alert's Prometheus graph. */
  extraLinks?: Array<{ label: string; url: string }>;
  /** Facts worth a line of their own: an alert's severity, a backup's kind. */
  facts?: Array<{ label: string; value: string }>;
}
