/** A named readiness check: true when the dependency is usable. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<boolean> | boolean;
}
