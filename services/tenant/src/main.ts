import { runMain } from '@ocp/service-kit';
import { tenantService } from './app.ts';

await runMain(tenantService);
