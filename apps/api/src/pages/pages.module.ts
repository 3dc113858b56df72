import { Module } from '@nestjs/common';
import { PageErrorFilter } from './page-error.filter';
import { PagesController } from './pages.controller';
import { PageRenderer } from './renderer';

/** The reading room: HTML pages, search exports. Registered after the API's controllers, so their routes win. */
@Module({
  controllers: [PagesController],
  providers: [PageRenderer, PageErrorFilter],
})
export class PagesModule {}
