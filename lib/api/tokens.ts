/** Token helpers live in lib/tokens (one place the API and infra/ both use); re-exported for the API's modules. */
export * from '../tokens';
