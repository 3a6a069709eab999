export { ProviderService } from './service';
export { providerView, maskSecrets, secretValues, MASK, type ProviderView, type OptionView } from './view';
