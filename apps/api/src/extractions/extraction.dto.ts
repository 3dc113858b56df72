import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNotEmpty, IsOptional, IsString, IsUrl, MaxLength } from 'class-validator';
import { WithoutControlCharacters } from '../common/url-field';
import { MAX_URL_CHARS, httpUrlOptions } from '@app/core';

/** Well under the JSON body limit (256 kB), which counts the escapes an HTML page needs in JSON. */
export const MAX_EXTRACTION_TEXT = 200_000;

export class ExtractionDto {
  @ApiProperty({
    description: "an article's text or HTML, as published",
    example: 'Together we will defeat Putin, too. — Dmytro Kuleba (@DmytroKuleba) February 27, 2022',
  })
  @IsString({ message: 'text must be the article as a string (its text or its HTML)' })
  @IsNotEmpty({ message: 'text is empty: send the article text or HTML to read quotes from' })
  @MaxLength(MAX_EXTRACTION_TEXT, {
    message: `text is longer than ${MAX_EXTRACTION_TEXT} characters: send the article itself, not a whole site`,
  })
  text!: string;

  @ApiPropertyOptional({
    description: 'where the article was published',
    example: 'https://news.example/kuleba',
  })
  @IsOptional()
  @IsUrl(httpUrlOptions(), {
    message: 'sourceUrl must be an http(s) URL such as https://news.example/article',
  })
  @MaxLength(MAX_URL_CHARS)
  @WithoutControlCharacters()
  sourceUrl?: string;

  @ApiPropertyOptional({
    enum: ['text', 'html'],
    description: 'how to read text (default: HTML if it looks like markup)',
  })
  @IsOptional()
  @IsIn(['text', 'html'], { message: 'format must be "text" or "html" (or left out to detect it)' })
  format?: 'text' | 'html';
}
