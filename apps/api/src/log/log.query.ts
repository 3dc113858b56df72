import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, Min } from 'class-validator';

export class InclusionQuery {
  @ApiProperty() @Type(() => Number) @IsInt() @Min(0) index!: number;
  @ApiProperty() @Type(() => Number) @IsInt() @Min(1) size!: number;
}

export class ConsistencyQuery {
  @ApiProperty() @Type(() => Number) @IsInt() @Min(1) from!: number;
  @ApiProperty() @Type(() => Number) @IsInt() @Min(1) to!: number;
}

export class EntriesQuery {
  @ApiProperty() @Type(() => Number) @IsInt() @Min(0) start!: number;
  @ApiProperty() @Type(() => Number) @IsInt() @Min(1) end!: number;
}
