import { runMain } from '@ocp/service-kit';
import { gatewayService } from './server.ts';

const gateway = await runMain(gatewayService);
const { firstOwner } = gateway.parts;
if (firstOwner) {
  // Shown once, on the terminal only: never through the logger.
  process.stdout.write(
    [
      '',
      '================ First owner account created ================',
      `  email:    ${firstOwner.email}`,
      `  password: ${firstOwner.password}`,
      '  This password is shown only this once. Keep it somewhere safe.',
      '==============================================================',
      '',
    ].join('\n'),
  );
}
