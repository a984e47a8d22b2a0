import { runMain } from '@ocp/service-kit';
import { quotaService } from './app.ts';

await runMain(quotaService);
