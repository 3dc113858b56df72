import {
  type BeforeApplicationShutdown,
  Controller,
  Get,
  Headers,
  Query,
  Req,
  Res,
  ServiceUnavailableException,
} from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { type Request, type Response } from 'express';
import { DataSource } from 'typeorm';
import { SUBSCRIBABLE_EVENTS, matchesAnyKeyword, subscriptionWants, type WebhookPayload } from '@app/alerts';
import { ErrorCode, VerbatimError } from '@app/core';
import { latestOutboxPosition, outboxAfter } from '@app/persistence';
import { KEYWORD_MATCHES_NOTHING, matchesNothing } from '../common/keyword-to-match';
import { OutboxListener } from './outbox-listener';
import { StreamQuery } from './stream.query';

const PAGE = 500;
const HEARTBEAT_MS = 15_000;

/**
 * Server-Sent Events of the same events webhooks carry, filtered like a subscription. Each event's SSE id is
 * its outbox position: a client that reconnects with Last-Event-ID gets every event after it, none twice.
 */
@ApiTags('alerts')
@Controller('api/v1/stream')
export class StreamController implements BeforeApplicationShutdown {
  /** how to end each open stream */
  private readonly openStreams = new Set<() => void>();
  /** set once shutdown began: a stream opened after it would hold shutdown up again */
  private shuttingDown = false;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly listener: OutboxListener,
  ) {}

  /**
   * A stream never ends by itself, and closing the HTTP server waits for every open response: end them first,
   * or shutdown waits for the last client to leave. Clients reconnect elsewhere with Last-Event-ID.
   */
  beforeApplicationShutdown(): void {
    this.shuttingDown = true;
    for (const end of this.openStreams) end();
  }

  @Get()
  async stream(
    @Query() query: StreamQuery,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const resumeFrom = lastEventId ?? query.lastEventId;
    if (resumeFrom !== undefined && !/^[0-9]{1,18}$/.test(resumeFrom))
      throw new VerbatimError(
        ErrorCode.InvalidInput,
        'Last-Event-ID: must be the id of an event this stream sent',
      );
    const filter = streamFilter(query);
    let position = resumeFrom ?? (await latestOutboxPosition(this.db.manager));
    if (this.shuttingDown)
      throw new ServiceUnavailableException('this server is shutting down; connect again');

    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write(': verbatim live stream\n\n');

    let reading: Promise<void> | null = null;
    let again = false;
    let closed = false;
    /** Sends everything after `position`; a notification during a read makes one more read after it. */
    const catchUp = () => {
      if (reading) {
        again = true;
        return;
      }
      reading = (async () => {
        do {
          again = false;
          for (;;) {
            const page = await outboxAfter(this.db.manager, position, PAGE);
            for (const entry of page) {
              if (closed) return;
              const payload = JSON.parse(entry.payload.toString('utf8')) as WebhookPayload;
              if (wanted(filter, payload)) {
                const ok = res.write(
                  `id: ${entry.position}\nevent: ${payload.type}\ndata: ${entry.payload.toString('utf8')}\n\n`,
                );
                if (!ok) await new Promise((resolve) => res.once('drain', resolve));
              }
              position = entry.position;
            }
            if (page.length < PAGE) break;
          }
        } while (again && !closed);
      })()
        .catch(() => {
          res.end();
        })
        .finally(() => (reading = null));
    };

    const unsubscribe = this.listener.subscribe(catchUp);
    const heartbeat = setInterval(() => res.write(': keepalive\n\n'), HEARTBEAT_MS);
    const stop = () => {
      closed = true;
      clearInterval(heartbeat);
      unsubscribe();
      this.openStreams.delete(end);
    };
    const end = () => {
      stop();
      res.end();
    };
    this.openStreams.add(end);
    req.on('close', stop);
    catchUp();
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The stream's filter, refusing what could never match (a misspelt event, an id that is no UUID, only empty
 * keywords, a keyword of accents alone): a stream that silently sends nothing looks like a quiet archive.
 * Empty items between commas are dropped, as in `a,,b`.
 */
function streamFilter(query: StreamQuery) {
  const list = (value: string | undefined) =>
    value === undefined || value === ''
      ? null
      : value
          .split(',')
          .map((item) => item.trim())
          .filter((item) => item !== '');
  const events = list(query.events);
  const unknown = events?.find((event) => !(SUBSCRIBABLE_EVENTS as readonly string[]).includes(event));
  if (unknown !== undefined)
    throw new VerbatimError(
      ErrorCode.InvalidInput,
      `events: ${JSON.stringify(unknown)} is not an event; each must be one of ${SUBSCRIBABLE_EVENTS.join(', ')}`,
    );
  const accountIds = list(query.accountIds);
  const notAnId = accountIds?.find((id) => !UUID.test(id));
  if (notAnId !== undefined)
    throw new VerbatimError(
      ErrorCode.InvalidInput,
      `accountIds: ${JSON.stringify(notAnId)} is not an account id`,
    );
  const keywords = list(query.keywords);
  if (keywords !== null && keywords.length === 0)
    throw new VerbatimError(
      ErrorCode.InvalidInput,
      'keywords: name at least one word, or leave keywords out',
    );
  if (keywords?.some(matchesNothing))
    throw new VerbatimError(ErrorCode.InvalidInput, KEYWORD_MATCHES_NOTHING);
  return {
    events: events?.length ? events : null,
    accountIds: accountIds?.length ? accountIds : null,
    keywords,
  };
}

function wanted(
  filter: { events: string[] | null; accountIds: string[] | null; keywords: string[] | null },
  payload: WebhookPayload,
): boolean {
  return subscriptionWants(
    {
      events: filter.events ?? [...SUBSCRIBABLE_EVENTS],
      accountIds: filter.accountIds,
      keywords: filter.keywords,
    },
    {
      type: payload.type,
      accountId: payload.data.account?.id ?? null,
      seenBy: payload.data.seenBy,
      text: payload.data.text,
      previousStatus: payload.data.previousStatus ?? null,
    },
    matchesAnyKeyword,
  );
}
