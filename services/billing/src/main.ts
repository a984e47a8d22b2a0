import { runMain } from '@ocp/service-kit';
import { billingService } from './app.ts';

await runMain(billingService);
