import { Injectable } from '@nestjs/common';
import { QuotationRecorder, type RecordedQuotations } from '@app/capture';
import { refuseCredentialsInUrl } from '@app/sources';
import { type ExtractionDto } from './extraction.dto';

export type ExtractionResponse = RecordedQuotations;

/** Records the quoted statements of an article sent to the API (see QuotationRecorder for what follows). */
@Injectable()
export class ExtractQuotesUseCase {
  constructor(private readonly quotations: QuotationRecorder) {}

  execute(body: ExtractionDto): Promise<ExtractionResponse> {
    // the source URL is shown to every reader of the quoted statement
    if (body.sourceUrl) refuseCredentialsInUrl(new URL(body.sourceUrl));
    return this.quotations.record({
      document: body.text,
      format: body.format,
      sourceUrl: body.sourceUrl ?? null,
    });
  }
}
