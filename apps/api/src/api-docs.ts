import { type INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { VERBATIM_VERSION } from '@app/core';

/** Serves the OpenAPI document at /api/docs (UI) and /api/docs/openapi.json. */
export function setUpApiDocs(app: INestApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Verbatim')
      .setDescription('A verifiable archive of official statements')
      .setVersion(VERBATIM_VERSION)
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs/openapi.json' });
}
