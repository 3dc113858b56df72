export * from './http-client';
export * from './guarded-http-client';
export * from './response-errors';
export * from './response-artifacts';
export {
  type AddressPolicy,
  type ResolvedAddress,
  type Resolver,
  isPublicAddress,
  systemResolver,
} from './address-guard';
