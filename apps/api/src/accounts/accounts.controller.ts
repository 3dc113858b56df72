import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ErrorCode, VerbatimError } from '@app/core';
import { AccountEntity } from '@app/persistence';
import { TrackAccountDto, UpdateAccountDto } from './account.dto';
import { accountView } from './account.view';
import { TrackAccountUseCase } from './track-account.use-case';

const uuid = new ParseUUIDPipe({ version: undefined, errorHttpStatusCode: 400 });

@ApiTags('accounts')
@ApiBearerAuth()
@Controller('api/v1/accounts')
export class AccountsController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly trackAccount: TrackAccountUseCase,
  ) {}

  @Post()
  async track(@Body() body: TrackAccountDto) {
    return accountView(await this.trackAccount.execute(body));
  }

  @Get()
  async list() {
    const accounts = await this.db
      .getRepository(AccountEntity)
      .find({ where: { tracking: true }, order: { createdAt: 'ASC' } });
    return { items: accounts.map(accountView) };
  }

  @Get(':id')
  async get(@Param('id', uuid) id: string) {
    return accountView(await this.find(id));
  }

  @Patch(':id')
  async update(@Param('id', uuid) id: string, @Body() body: UpdateAccountDto) {
    const account = await this.find(id);
    const resumed = body.paused === false && account.paused;
    await this.db.getRepository(AccountEntity).update(
      { id },
      {
        ...(body.pollIntervalSeconds !== undefined && { pollIntervalSeconds: body.pollIntervalSeconds }),
        ...(body.paused !== undefined && { paused: body.paused }),
        ...(resumed && { nextPollAt: new Date() }),
      },
    );
    return accountView(await this.find(id));
  }

  /** Stops tracking. The archive of what was captured stays. */
  @Delete(':id')
  @HttpCode(204)
  async untrack(@Param('id', uuid) id: string): Promise<void> {
    await this.find(id);
    await this.db.getRepository(AccountEntity).update({ id }, { tracking: false });
  }

  private async find(id: string): Promise<AccountEntity> {
    const account = await this.db.getRepository(AccountEntity).findOneBy({ id });
    if (!account) throw new VerbatimError(ErrorCode.NotFound, `no account ${id}`);
    return account;
  }
}
