import { randomUUID } from 'node:crypto';
import type { TestContext } from 'node:test';
import { type JetStreamManager, jetstreamManager, type StoredMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import {
  type CloudEvent,
  type MessageType,
  makeEvent,
  messages,
  streams,
  type TenantCreatedV1,
} from '@ocp/contracts';
import { startNats, type TestNats, waitFor } from '@ocp/testkit';
import { type Logger, pino } from 'pino';
import { type Bus, type BusOptions, createBus, type DeadLetterRecord } from '../src/index.ts';

/** A logger that only speaks up when something is wrong. */
export const testLogger = (): Logger => pino({ level: 'warn' });

/**
 * Registers clean-up steps that run last-registered-first after the test, so a bus closes before
 * its connection and a connection before its server.
 */
export function cleanups(t: TestContext): (step: () => unknown) => void {
  const steps: Array<() => unknown> = [];
  t.after(async () => {
    for (const step of steps.reverse()) await step();
  });
  return (step) => {
    steps.push(step);
  };
}

/** A connection that reconnects for ever, as a service's is: a server restart must not end it. */
export async function connectForever(url: string): Promise<NatsConnection> {
  return await connect({ servers: url, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
}

export interface BusRig {
  nats: TestNats;
  nc: NatsConnection;
  bus: Bus;
  jsm: JetStreamManager;
  defer: (step: () => unknown) => void;
}

/** A private nats-server with the catalog's streams, and a bus on it; all removed after the test. */
export async function startBus(
  t: TestContext,
  service = 'test',
  options: Omit<BusOptions, 'nc' | 'logger' | 'service'> = {},
): Promise<BusRig> {
  const defer = cleanups(t);
  const nats = await startNats();
  defer(() => nats.dispose());
  const nc = await connectForever(nats.url);
  defer(() => nc.close());
  const bus = await createBus({ nc, logger: testLogger(), service, ...options });
  defer(() => bus.close());
  await bus.ensureStreams();
  return { nats, nc, bus, jsm: await jetstreamManager(nc), defer };
}

/** A valid `ocp.tenant.created.v1` event about a new tenant. */
export function tenantCreated(
  opts: { id?: string; slug?: string } = {},
): CloudEvent<'ocp.tenant.created.v1'> {
  const now = new Date().toISOString();
  const data: TenantCreatedV1 = {
    tenant: {
      id: randomUUID(),
      slug: opts.slug ?? 'acme',
      displayName: 'Acme',
      plan: 'starter',
      state: 'pending',
      suspensionReasons: [],
      databaseName: 't_acme',
      databaseServerId: null,
      createdAt: now,
      updatedAt: now,
    },
    operationId: randomUUID(),
  };
  return makeEvent('ocp.tenant.created.v1', data, {
    source: 'test',
    subject: data.tenant.id,
    ...(opts.id ? { id: opts.id } : {}),
  });
}

/** The subject a message type is published on. */
export const subjectOf = (type: MessageType): string => messages[type].subject;

/** Every message a stream holds, oldest first. */
export async function storedMessages(jsm: JetStreamManager, stream: string): Promise<StoredMsg[]> {
  const { state } = await jsm.streams.info(stream);
  const out: StoredMsg[] = [];
  for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq++) {
    const m = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
    if (m) out.push(m);
  }
  return out;
}

/** A promise with its resolver, for "the handler got it" signals. */
export function signal<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** The dead-letter records of one consumer, oldest first. */
export async function deadLetters(jsm: JetStreamManager, durable: string): Promise<DeadLetterRecord[]> {
  const all = await storedMessages(jsm, streams.deadLetters.name);
  return all.filter((m) => m.subject === `deadletter.${durable}`).map((m) => m.json<DeadLetterRecord>());
}

/** Resolves once the consumer has nothing left to deliver and nothing waiting for an ack. */
export async function settled(jsm: JetStreamManager, stream: string, durable: string, lastSeq: number) {
  return await waitFor(`consumer ${durable} to settle at stream sequence ${lastSeq}`, async () => {
    const info = await jsm.consumers.info(stream, durable);
    const done =
      info.num_pending === 0 && info.num_ack_pending === 0 && info.ack_floor.stream_seq === lastSeq;
    return done ? info : undefined;
  });
}
