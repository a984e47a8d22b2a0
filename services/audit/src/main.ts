import { createLogger, handleSignals } from '@ocp/service-kit';
import { startAuditService } from './app.ts';
import { parseConfig } from './config.ts';

const config = parseConfig();
const logger = createLogger('audit', config.LOG_LEVEL);
try {
  const service = await startAuditService(config, logger);
  handleSignals(service.close, logger);
} catch (err) {
  logger.fatal({ err }, 'the audit service could not start');
  process.exit(1);
}
