export { isTransientDbError } from '@ocp/db';
