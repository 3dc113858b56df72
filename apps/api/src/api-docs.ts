import { type INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { type NextFunction, type Request, type Response } from 'express';
import { VERBATIM_VERSION, VerbatimError } from '@app/core';
import { AccessPolicy } from './auth/access-policy';

const DOCS_PATH = 'api/docs';

/**
 * Serves the OpenAPI document at /api/docs (UI), /api/docs/openapi.json and /api/docs/openapi.yaml. Swagger
 * mounts plain Express routes that Nest's guards never see, so the docs get their own check: like every
 * other read, they need a token when VERBATIM_PUBLIC_READ=false.
 */
export function setUpApiDocs(app: INestApplication): void {
  const access = app.get(AccessPolicy, { strict: false });
  app.use(`/${DOCS_PATH}`, (req: Request, res: Response, next: NextFunction) => {
    access.authorizeRead(req).then(
      () => next(),
      (error: unknown) => {
        if (!(error instanceof VerbatimError)) return next(error);
        res.status(401).json({ statusCode: 401, error: error.code, message: error.message });
      },
    );
  });
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Verbatim')
      .setDescription('A verifiable archive of official statements')
      .setVersion(VERBATIM_VERSION)
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup(DOCS_PATH, app, document, {
    jsonDocumentUrl: `${DOCS_PATH}/openapi.json`,
    yamlDocumentUrl: `${DOCS_PATH}/openapi.yaml`,
  });
}
