import {
  type ArgumentMetadata,
  BadRequestException,
  ValidationPipe,
  type ValidationError,
} from '@nestjs/common';

/** Checks of a value's kind: when one fails, the field's bounds and formats say nothing more to fix. */
const KIND_CHECKS = new Set([
  'isString',
  'isInt',
  'isNumber',
  'isNumberString',
  'isBoolean',
  'isArray',
  'isObject',
]);

/**
 * The messages worth showing: for a value given, a failed check of kind alone, as "must be a whole number" makes
 * "must not be greater than 200" moot. A value missing keeps them all ("text is empty" says more than its kind).
 */
function shownConstraints(error: ValidationError): string[] {
  const constraints = error.constraints ?? {};
  const given = error.value !== undefined && error.value !== null;
  const kind = given ? Object.entries(constraints).filter(([name]) => KIND_CHECKS.has(name)) : [];
  return (kind.length > 0 ? kind : Object.entries(constraints)).map(([, message]) => message);
}

/** class-validator's own messages name the field: "limit must not be …", "each value in keywords must …" */
function withoutFieldName(message: string, property: string): string {
  if (message.startsWith(`${property} `)) return message.slice(property.length + 1);
  const each = `each value in ${property} `;
  return message.startsWith(each) ? `each value ${message.slice(each.length)}` : message;
}

function flatten(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((error) => {
    const path = prefix ? `${prefix}.${error.property}` : error.property;
    const own = shownConstraints(error).map((message) =>
      message.startsWith(`property ${error.property} should not exist`)
        ? `${path}: unknown field; remove it`
        : // a message of our own names its field already: "q: must not contain NUL characters"
          message.startsWith(`${error.property}: `)
          ? `${prefix ? `${prefix}.` : ''}${message}`
          : `${path}: ${withoutFieldName(message, error.property)}`,
    );
    // one message a field, however many of its checks share it (NaN fails IsInt, Min and Max alike)
    return [...new Set(own), ...flatten(error.children ?? [], path)];
  });
}

/** Half of a surrogate pair without its other half: JSON's `\ud800` escape can carry one, UTF-8 cannot. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Where in `value` a string (or an object key) holds a lone surrogate, as `field.sub[2]`, or null when none does.
 * Such text cannot be stored as UTF-8 nor hashed canonically (RFC 8785), so it is refused at the door. Bodies are
 * already refused beyond a nesting depth (json-nesting.ts), and query strings are parsed to a bounded one.
 */
export function illFormedTextPath(value: unknown, path = ''): string | null {
  if (typeof value === 'string') return LONE_SURROGATE.test(value) ? path || '(value)' : null;
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = illFormedTextPath(item, `${path}[${i}]`);
      if (found !== null) return found;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const at = path ? `${path}.${key}` : key;
      if (LONE_SURROGATE.test(key)) return at;
      const found = illFormedTextPath(item, at);
      if (found !== null) return found;
    }
  }
  return null;
}

/**
 * Query parameters that sites and mail tools add to a link they pass on (a statement page shared on Facebook
 * comes back as `?fbclid=…`): they say nothing to us, and refusing them as unknown fields would break the link.
 */
const TRACKING_PARAMETER =
  /^(utm_[a-z_]{1,32}|fbclid|gclid|dclid|gbraid|wbraid|msclkid|yclid|igshid|mc_cid|mc_eid|_ga|_gl)$/i;

/** A parameter given twice (`?q=a&q=b`) arrives as a list, not as text: its name, or null. */
function repeatedParameter(query: unknown): string | null {
  if (query === null || typeof query !== 'object') return null;
  const found = Object.entries(query).find(([, value]) => value !== null && typeof value === 'object');
  return found ? found[0] : null;
}

function withoutTrackingParameters(query: unknown): unknown {
  if (query === null || typeof query !== 'object' || Array.isArray(query)) return query;
  return Object.fromEntries(Object.entries(query).filter(([key]) => !TRACKING_PARAMETER.test(key)));
}

/**
 * Nest's pipe, after refusing text that is not well-formed Unicode (which would fail later, as a 500) and
 * dropping the tracking parameters a shared link picks up.
 */
class VerbatimValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'query') {
      value = withoutTrackingParameters(value);
      const repeated = repeatedParameter(value);
      if (repeated !== null)
        throw new BadRequestException([`${repeated}: given more than once; give it once`]);
    }
    if (metadata.type !== 'custom') {
      const at = illFormedTextPath(value);
      if (at !== null)
        throw new BadRequestException([
          `${at}: not well-formed Unicode (a lone surrogate, such as \\ud800); send the text as it is written`,
        ]);
    }
    return super.transform(value, metadata);
  }
}

/** Rejects unknown and malformed fields, and text that is not well-formed Unicode, with 400 and one message per field. */
export function createValidationPipe(): ValidationPipe {
  return new VerbatimValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => new BadRequestException(flatten(errors)),
  });
}
