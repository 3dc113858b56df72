import { Module } from '@nestjs/common';
import { SourcesModule } from '@app/sources';
import { PageErrorFilter } from './page-error.filter';
import { PagesController } from './pages.controller';
import { PageRenderer } from './renderer';

/** The reading room: HTML pages, search exports. Registered after the API's controllers, so their routes win. */
@Module({
  imports: [SourcesModule],
  controllers: [PagesController],
  providers: [PageRenderer, PageErrorFilter],
})
export class PagesModule {}
