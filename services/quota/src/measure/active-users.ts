/**
 * The active internal users of an Odoo database, counted as Odoo counts its seats: `res.users`
 * searched with `[('share', '=', False), ('active', '=', True)]` under the default context
 * (../shared/odoo/FACTS-more.md, "Counting seats": 1 on a fresh database, +1 per internal user,
 * portal users never count).
 *
 * - `active IS TRUE`: the default context's `active_test` leaves out inactive users, and with
 *   them `__system__` (id 1, inactive in a fresh database), `default` (id 3) and the
 *   `public`/`portaltemplate` templates; a user deactivated with `write {active: false}` leaves
 *   the count at once, as in Odoo.
 * - `share IS NOT TRUE`: both columns are nullable (columns-18.0.tsv) and Odoo's ORM turns
 *   `share = False` into `(share IS NULL OR share = false)`, so a NULL share counts as internal.
 *   Portal and public users have `share = true` and never count.
 */
export const ACTIVE_USERS_SQL =
  'SELECT count(*)::bigint AS n FROM res_users WHERE active IS TRUE AND share IS NOT TRUE';
