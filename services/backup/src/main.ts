import { runMain } from '@ocp/service-kit';
import { backupService } from './app.ts';

await runMain(backupService);
