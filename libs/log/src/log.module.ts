import { Global, Logger, Module } from '@nestjs/common';
import { VERBATIM_CONFIG, type VerbatimConfig } from '@app/config';
import { loadLogKey, type LogKey } from './log-keys';

export const LOG_KEY = Symbol('LOG_KEY');

/** The log's signing key, loaded (or made, on first start) once per process. */
@Global()
@Module({
  providers: [
    {
      provide: LOG_KEY,
      inject: [VERBATIM_CONFIG],
      useFactory: (config: VerbatimConfig): LogKey => {
        const key = loadLogKey({
          origin: config.log.origin,
          keyFile: config.log.keyFile,
          dataDir: config.dataDir,
        });
        const logger = new Logger('TransparencyLog');
        if (key.created)
          logger.warn(`generated a new log signing key in ${key.path} (mode 0600); back it up`);
        logger.log(`log ${key.origin}, verifier key ${key.verifierKey}`);
        return key;
      },
    },
  ],
  exports: [LOG_KEY],
})
export class LogModule {}
