import { runMain } from '@ocp/service-kit';
import { auditService } from './app.ts';

await runMain(auditService);
