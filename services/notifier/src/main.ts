import { runMain } from '@ocp/service-kit';
import { notifierService } from './app.ts';

await runMain(notifierService);
