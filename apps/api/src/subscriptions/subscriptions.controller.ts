import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { generateWebhookSecret } from '@app/alerts';
import { ErrorCode, SourceError, VerbatimError } from '@app/core';
import {
  deleteSubscription,
  findSubscription,
  insertSubscription,
  listDeliveries,
  listSubscriptions,
  retryDelivery,
  unknownAccountIds,
  updateSubscription,
  type SubscriptionView,
} from '@app/persistence';
import { GuardedHttpClient, refuseCredentialsInUrl } from '@app/sources';
import { PrivateReads } from '../auth/private-reads';
import { SeqPageQuery } from '../common/page.query';
import { CreateSubscriptionDto, UpdateSubscriptionDto } from './subscription.dto';

const uuid = new ParseUUIDPipe({ errorHttpStatusCode: 400 });
/** Deliveries on a page when no limit is asked for: as many as the list showed before it had pages. */
const DELIVERIES_PAGE = 200;
/** A delivery id as the API gives it: a positive integer in decimal, kept as text (bigint in the database). */
const deliveryId = {
  transform(value: string): string {
    // bigint's range: a longer or larger number names no delivery, and PostgreSQL would refuse it
    if (!/^[1-9][0-9]{0,18}$/.test(value) || BigInt(value) > 9_223_372_036_854_775_807n)
      throw new VerbatimError(
        ErrorCode.InvalidInput,
        `deliveryId: a delivery id such as 42, not ${JSON.stringify(value.slice(0, 40))}`,
      );
    return value;
  },
};

/** Webhook subscriptions. Every call needs a token, reads included: endpoints and their history are private. */
@ApiTags('subscriptions')
@ApiBearerAuth()
@PrivateReads()
@Controller('api/v1/subscriptions')
export class SubscriptionsController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly http: GuardedHttpClient,
  ) {}

  /** The secret (Standard Webhooks `whsec_…`) is in this answer only: it is not shown again. */
  @Post()
  async create(@Body() body: CreateSubscriptionDto): Promise<SubscriptionView & { secret: string }> {
    const url = await this.endpoint(body.url);
    await this.refuseUnknownAccounts(body.accountIds);
    const secret = generateWebhookSecret();
    const id = await insertSubscription(this.db.manager, {
      url,
      events: unique(body.events),
      accountIds: body.accountIds ?? null,
      keywords: body.keywords ?? null,
      secret,
    });
    return { ...(await this.find(id)), secret };
  }

  @Get()
  async list() {
    return { items: await listSubscriptions(this.db.manager) };
  }

  @Get(':id')
  get(@Param('id', uuid) id: string): Promise<SubscriptionView> {
    return this.find(id);
  }

  @Patch(':id')
  async update(
    @Param('id', uuid) id: string,
    @Body() body: UpdateSubscriptionDto,
  ): Promise<SubscriptionView> {
    await this.find(id);
    await this.refuseUnknownAccounts(body.accountIds);
    await updateSubscription(this.db.manager, id, {
      ...body,
      url: body.url === undefined ? undefined : await this.endpoint(body.url),
      events: body.events && unique(body.events),
    });
    return this.find(id);
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('id', uuid) id: string): Promise<void> {
    if (!(await deleteSubscription(this.db.manager, id)))
      throw new VerbatimError(ErrorCode.NotFound, `no subscription ${id}`);
  }

  /** Every delivery, newest first, with every attempt: time, status code, latency, error; in pages. */
  @Get(':id/deliveries')
  async deliveries(@Param('id', uuid) id: string, @Query() page: SeqPageQuery) {
    await this.find(id);
    return listDeliveries(this.db.manager, id, { limit: page.limit ?? DELIVERIES_PAGE, cursor: page.cursor });
  }

  @Post(':id/deliveries/:deliveryId/retry')
  @HttpCode(202)
  async retry(@Param('id', uuid) id: string, @Param('deliveryId', deliveryId) delivery: string) {
    await this.find(id);
    if (!(await retryDelivery(this.db.manager, id, delivery)))
      throw new VerbatimError(ErrorCode.NotFound, `subscription ${id} has no delivery ${delivery}`);
    return { id: delivery, state: 'pending' };
  }

  /** An endpoint we may call: http(s), no credentials in it, not on a private network (unless allowed). */
  private async endpoint(raw: string): Promise<string> {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new VerbatimError(ErrorCode.InvalidInput, `url: ${JSON.stringify(raw)} is not an absolute URL`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw new VerbatimError(ErrorCode.InvalidInput, 'url: must start with https:// or http://');
    refuseCredentialsInUrl(url);
    try {
      await this.http.vetDestination(url);
    } catch (error) {
      if (error instanceof SourceError)
        throw new VerbatimError(ErrorCode.InvalidInput, `url: ${error.message}`);
      throw error;
    }
    return url.href;
  }

  /** A filter naming an account the archive does not have would never match: most likely a mistyped id. */
  private async refuseUnknownAccounts(accountIds: string[] | null | undefined): Promise<void> {
    if (!accountIds?.length) return;
    const unknown = await unknownAccountIds(this.db.manager, accountIds);
    if (unknown.length > 0)
      throw new VerbatimError(
        ErrorCode.InvalidInput,
        `accountIds: no account has the id ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ', …' : ''}`,
      );
  }

  private async find(id: string): Promise<SubscriptionView> {
    const subscription = await findSubscription(this.db.manager, id);
    if (!subscription) throw new VerbatimError(ErrorCode.NotFound, `no subscription ${id}`);
    return subscription;
  }
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
