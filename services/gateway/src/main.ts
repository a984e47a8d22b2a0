import { createLogger, handleSignals } from '@ocp/service-kit';
import { parseConfig } from './config.ts';
import { startGateway } from './server.ts';

const config = parseConfig();
const logger = createLogger('gateway', config.LOG_LEVEL);
try {
  const gateway = await startGateway(config, logger);
  if (gateway.firstOwner) {
    // Shown once, on the terminal only: never through the logger.
    process.stdout.write(
      [
        '',
        '================ First owner account created ================',
        `  email:    ${gateway.firstOwner.email}`,
        `  password: ${gateway.firstOwner.password}`,
        '  This password is shown only this once. Keep it somewhere safe.',
        '==============================================================',
        '',
      ].join('\n'),
    );
  }
  handleSignals(gateway.close, logger);
} catch (err) {
  logger.fatal({ err }, 'the gateway could not start');
  process.exit(1);
}
