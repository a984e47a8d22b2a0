/** `GET /api/v1/events`: documentation of the stream, whose frames no JSON schema validates. */

export const eventsDescription = [
  'Server-Sent Events (`text/event-stream`) of what happens to tenants, their operations and their backups, for a page that follows them live (`new EventSource("/api/v1/events")` sends the session cookie; other clients send `Authorization: Bearer`).',
  'Frames, each with an `id:` and one line of JSON `data:`:',
  '- `event: ready` `{"replayed": n}`: the stream is live (after replaying `n` frames when resuming).',
  '- `event: tenant` `{"type", "time", "tenantId", "tenant", "operationId"?, "reason"?, "module"?}`: a tenant lifecycle event (`type` is its CloudEvents type, e.g. `ocp.tenant.activated.v1`; `tenant` the tenant after it, as GET /api/v1/tenants/{tenant} answers it; `operationId` the operation that made it; `reason` of a suspension or resumption; `module` of a module change).',
  '- `event: operation` `{"operation"}`: an operation changed state or progress, as GET /api/v1/operations/{id} answers it (needs `operations:read`).',
  '- `event: backup` `{"type", "time", "tenantId", "backup"}`: a backup completed, failed or was drilled (`ocp.backup.completed.v1`, `.failed.v1`, `.drilled.v1`; needs `backups:read`).',
  '- `event: reset` `{"reason", "detail"}`: a `Last-Event-ID` could not be resumed (`malformed`, `unknown`, `expired`: no longer kept, `too_far`: more than a resume replays, `unavailable`); the stream goes on from now, and the client should fetch what it shows afresh.',
  '- `event: close` `{"reason"}`: the gateway ends the stream: `unauthenticated` (the session or token ended: log in again), `forbidden` (the account may no longer read tenants), `shutdown` (reconnect).',
  'Comment lines (`: ping`) come every heartbeat interval (with an `id:` when the position moved without a frame for this viewer). `retry:` gives the reconnect delay.',
  "Resuming: the `id` is a position in the platform's event streams (`e1.<n>.<n>.<n>`); a reconnect sends the last one as `Last-Event-ID` (EventSource does it by itself) and gets every frame after it, final states included, before `ready`.",
  'An account limited to some tenants receives only their frames; the credential is checked again at every heartbeat, and the stream ends with `close` when it no longer holds. Each account (each API token) may hold a bounded number of streams at once (429 beyond); a client that does not read is disconnected.',
].join('\n\n');

export const lastEventIdHeaders = {
  type: 'object',
  properties: {
    'last-event-id': {
      type: 'string',
      maxLength: 200,
      description: 'The `id` of the last frame received: the stream resumes after it.',
    },
  },
} as const;

export const eventStreamReply = {
  description:
    'An endless text/event-stream of `ready`, `tenant`, `operation`, `backup`, `reset` and `close` frames (see the description).',
  content: { 'text/event-stream': { schema: { type: 'string' } } },
} as const;
