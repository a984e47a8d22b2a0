import { PermanentError } from '@ocp/bus';

export { isTransientDbError } from '@ocp/db';

/**
 * A role or database of the tenant's name exists and is not marked as this tenant's: provisioning
 * leaves it untouched and fails, since retrying cannot make it ours.
 */
export class NotOwnedError extends PermanentError {
  override name = 'NotOwnedError';
  constructor(
    readonly kind: 'role' | 'database',
    readonly objectName: string,
    readonly tenantId: string,
    /** The tenant whose mark it carries, or undefined when it carries none. */
    readonly markedFor: string | undefined,
  ) {
    const whose = markedFor
      ? `belongs to tenant ${markedFor} (its comment marks it so)`
      : 'carries no tenant mark, so it was not made by this platform for this tenant';
    super(
      `${kind} "${objectName}" already exists on the database server and ${whose}; it was left ` +
        `untouched. Drop or rename that ${kind} (or delete this tenant and create it with another ` +
        `slug), then retry the provisioning of tenant ${tenantId}.`,
    );
  }
}
