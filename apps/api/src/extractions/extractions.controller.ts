import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ExtractionDto } from './extraction.dto';
import { ExtractQuotesUseCase, type ExtractionResponse } from './extract-quotes.use-case';

@ApiTags('extractions')
@Controller('api/v1/extractions')
export class ExtractionsController {
  constructor(private readonly extractQuotes: ExtractQuotesUseCase) {}

  /**
   * Reads the statements an article quotes ("text — Name (@handle) Month D, YYYY", X embeds) and records
   * them as quoted statements: claims with their source, linked to the captured original when we hold it.
   */
  @Post()
  @HttpCode(201)
  @ApiBearerAuth()
  create(@Body() body: ExtractionDto): Promise<ExtractionResponse> {
    return this.extractQuotes.execute(body);
  }
}
