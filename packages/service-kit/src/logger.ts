import pino, { type Logger } from 'pino';

/**
 * JSON logs with the service name; fields that may hold secrets are censored wherever they appear.
 */
export function createLogger(service: string, level: string, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: [
        'password',
        '*.password',
        'token',
        '*.token',
        'secret',
        '*.secret',
        'masterPassword',
        '*.masterPassword',
        'adminPassword',
        '*.adminPassword',
        'apiKey',
        '*.apiKey',
        'adminUrl',
        '*.adminUrl',
        'req.headers.authorization',
        'req.headers.cookie',
        'headers.authorization',
        'headers.cookie',
      ],
      censor: '[redacted]',
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

export type { Logger };
