import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ErrorCode, VerbatimError } from '@app/core';
import { VERBATIM_CONFIG, type VerbatimConfig } from '@app/config';
import {
  accountView,
  findAccountView,
  listAccounts,
  stopTracking,
  updateAccountSettings,
  type AccountPage,
  type AccountView,
} from '@app/persistence';
import { ConnectorRegistry } from '@app/sources';
import { AccountPageResponse, AccountResponse, TrackAccountDto, UpdateAccountDto } from './account.dto';
import { ACCOUNTS_PAGE, ListAccountsQuery } from './list-accounts.query';
import { refusePollIntervalBelowMinimum } from './poll-interval-minimum';
import { TrackAccountUseCase } from './track-account.use-case';

const uuid = new ParseUUIDPipe({ version: undefined, errorHttpStatusCode: 400 });

@ApiTags('accounts')
@ApiBearerAuth()
@Controller('api/v1/accounts')
export class AccountsController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly trackAccount: TrackAccountUseCase,
    @Inject(VERBATIM_CONFIG) private readonly config: VerbatimConfig,
    private readonly connectors: ConnectorRegistry,
  ) {}

  /** A platform paid per read shows its monthly budget beside the reads used. */
  private readonly budgetOf = (platform: string): number | null => {
    if (!this.connectors.platforms.includes(platform)) return null;
    return this.connectors.forPlatform(platform).monthlyReadBudget ?? null;
  };

  @Post()
  @ApiCreatedResponse({ type: AccountResponse })
  async track(@Body() body: TrackAccountDto) {
    return accountView(await this.trackAccount.execute(body), this.budgetOf);
  }

  /** The accounts being tracked (`tracking=false`: the others, `all`: both), oldest first, in pages. */
  @Get()
  @ApiOkResponse({ type: AccountPageResponse })
  list(@Query() query: ListAccountsQuery): Promise<AccountPage> {
    return listAccounts(
      this.db.manager,
      { tracking: query.tracking ?? 'true', limit: query.limit ?? ACCOUNTS_PAGE, cursor: query.cursor },
      this.budgetOf,
    );
  }

  @Get(':id')
  @ApiOkResponse({ type: AccountResponse })
  get(@Param('id', uuid) id: string): Promise<AccountView> {
    return this.find(id);
  }

  @Patch(':id')
  @ApiOkResponse({ type: AccountResponse })
  async update(@Param('id', uuid) id: string, @Body() body: UpdateAccountDto): Promise<AccountView> {
    // null, as a field left out, keeps the current interval (as it keeps `paused`)
    refusePollIntervalBelowMinimum(body.pollIntervalSeconds, this.config.polling);
    await this.find(id);
    await updateAccountSettings(this.db.manager, id, body);
    return this.find(id);
  }

  /** Stops tracking. The archive of what was captured stays. */
  @Delete(':id')
  @HttpCode(204)
  async untrack(@Param('id', uuid) id: string): Promise<void> {
    await this.find(id);
    await stopTracking(this.db.manager, id);
  }

  private async find(id: string): Promise<AccountView> {
    const account = await findAccountView(this.db.manager, id, this.budgetOf);
    if (!account) throw new VerbatimError(ErrorCode.NotFound, `no account ${id}`);
    return account;
  }
}
