/**
 * Returns `value` as a `T`, refusing at compile time any key `T` lacks. API views are built by
 * spreading stored records; without this a new internal field (a lease, a secret reference) would
 * flow into every response unnoticed, since TypeScript checks excess keys of literals only.
 */
export const exactly = <T>() => <U extends T>(value: U & Record<Exclude<keyof U, keyof T>, never>): T => value;
