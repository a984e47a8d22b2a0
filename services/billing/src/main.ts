import { createLogger, handleSignals } from '@ocp/service-kit';
import { startBillingService } from './app.ts';
import { parseConfig } from './config.ts';

const config = parseConfig();
const logger = createLogger('billing', config.LOG_LEVEL);
try {
  const service = await startBillingService(config, logger);
  handleSignals(service.close, logger);
} catch (err) {
  logger.fatal({ err }, 'the billing service could not start');
  process.exit(1);
}
