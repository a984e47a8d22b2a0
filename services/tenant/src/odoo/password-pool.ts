import { generateAdminPassword, odooPasswordHash } from './passwords.ts';

/** A generated administrator password with its Odoo hash, made before anyone asked for it. */
export interface HashedPassword {
  password: string;
  hash: string;
}

/**
 * Generated administrator passwords whose hash (600,000 rounds of PBKDF2, a third of a second of
 * one core) is computed ahead, one at a time, between creations: a tenant created without a
 * password takes one ready, and its provisioning is the clone's time instead of the hash's. A
 * tenant given its password still has it hashed while its database is cloned.
 *
 * The pool is kept in memory only: what a stopped service had made is never handed out and never
 * written anywhere. Size 0 turns it off.
 */
export class AdminPasswordPool {
  private readonly ready: HashedPassword[] = [];
  private filling: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly size: number,
    private readonly onError: (err: unknown) => void = () => {},
    private readonly hash: (password: string) => Promise<string> = odooPasswordHash,
  ) {
    this.fill();
  }

  /** A ready password with its hash, or undefined when none is (the caller hashes its own). */
  take(): HashedPassword | undefined {
    const taken = this.ready.shift();
    this.fill();
    return taken;
  }

  /** How many are ready now. */
  get available(): number {
    return this.ready.length;
  }

  /** Resolves once no hash is being computed (for a test, and for a stop). */
  async settled(): Promise<void> {
    while (this.filling) await this.filling;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.ready.length = 0;
    await this.settled();
  }

  private fill(): void {
    if (this.filling || this.closed || this.ready.length >= this.size) return;
    this.filling = (async () => {
      try {
        while (!this.closed && this.ready.length < this.size) {
          const password = generateAdminPassword();
          const hash = await this.hash(password);
          if (!this.closed) this.ready.push({ password, hash });
        }
      } catch (err) {
        this.onError(err);
      } finally {
        this.filling = undefined;
      }
    })();
  }
}
