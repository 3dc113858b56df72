import { Global, Module, type DynamicModule } from '@nestjs/common';
import { type VerbatimConfig } from './config';

export const VERBATIM_CONFIG = Symbol('VERBATIM_CONFIG');

/** Makes the validated configuration injectable everywhere as VERBATIM_CONFIG. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: VerbatimConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: VERBATIM_CONFIG, useValue: config }],
      exports: [VERBATIM_CONFIG],
    };
  }
}
