import { SetMetadata } from '@nestjs/common';

export const PRIVATE_READS = 'verbatim:private-reads';

/**
 * A controller whose reads need a token even in a public archive (subscribers' endpoints and their deliveries).
 * Marked on the controller rather than matched by path: Express matches routes whatever their letter case, so
 * `/API/V1/Subscriptions` reaches the same handlers as `/api/v1/subscriptions`.
 */
export const PrivateReads = (): ClassDecorator & MethodDecorator => SetMetadata(PRIVATE_READS, true);
