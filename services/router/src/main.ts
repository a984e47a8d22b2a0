import { runMain } from '@ocp/service-kit';
import { routerService } from './app.ts';

await runMain(routerService);
