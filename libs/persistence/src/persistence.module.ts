import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { VERBATIM_CONFIG, type VerbatimConfig } from '@app/config';
import { dataSourceOptions } from './data-source';

/** The one TypeORM connection of a process. Migrations are run by `verbatim migrate` / `serve`, never here. */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [VERBATIM_CONFIG],
      useFactory: (config: VerbatimConfig) => dataSourceOptions(config.databaseUrl),
    }),
  ],
})
export class PersistenceModule {}
