import { BadRequestException } from '@nestjs/common';
import { SeqPageQuery } from './page.query';
import { createValidationPipe } from './validation';

/** The query string as the API's own pipe reads it into a list's paging. */
function readPaging(query: Record<string, string>): Promise<unknown> {
  return createValidationPipe().transform(query, { type: 'query', metatype: SeqPageQuery });
}

async function refusal(query: Record<string, string>): Promise<unknown> {
  const error = await readPaging(query).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(BadRequestException);
  return (error as BadRequestException).getResponse();
}

describe('a whole-number query parameter', () => {
  it('reads decimal digits as the number they write', async () => {
    expect(await readPaging({ limit: '25' })).toEqual({ limit: 25 });
    expect(await readPaging({ limit: '007' })).toEqual({ limit: 7 });
  });

  it.each(['1e2', '1.0', '+5', ' 5', '5 ', '0x10', '0b1', '1_0', '', 'Infinity', '５'])(
    'refuses %j as no whole number, whatever Number() makes of it',
    async (limit) => {
      expect(await refusal({ limit })).toMatchObject({ message: ['limit: must be a whole number'] });
    },
  );

  it('names the bound a whole number breaks', async () => {
    expect(await refusal({ limit: '-5' })).toMatchObject({ message: ['limit: must not be less than 1'] });
    expect(await refusal({ limit: '201' })).toMatchObject({
      message: ['limit: must not be greater than 200'],
    });
  });
});
