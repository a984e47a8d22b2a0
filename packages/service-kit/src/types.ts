/** The shape of the bus's hooks, so the kit does not depend on the bus package. */
export interface BusHooksLike {
  onHandled?(
    durable: string,
    type: string,
    outcome: 'ack' | 'retry' | 'dead_letter' | 'ignored',
    ms: number,
  ): void;
  onPublished?(subject: string): void;
}

/** A named readiness check: true when the dependency is usable. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<boolean> | boolean;
}
