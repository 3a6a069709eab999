export { ProviderService } from './service';
export { providerView, maskAgent, MASK, type ProviderView, type OptionView } from './view';
export { ProviderViewSchema } from './view-schema';
