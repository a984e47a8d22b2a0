import { createLogger, handleSignals } from '@ocp/service-kit';
import { startTenantService } from './app.ts';
import { parseConfig } from './config.ts';

const config = parseConfig();
const logger = createLogger('tenant', config.LOG_LEVEL);
try {
  const service = await startTenantService(config, logger);
  handleSignals(service.close, logger);
} catch (err) {
  logger.fatal({ err }, 'the tenant service could not start');
  process.exit(1);
}
