/** The store contract on dynalite, the embedded default. */
import { LOCAL_CREDENTIALS } from '../../lib/store';
import { startEmbeddedDynamo } from '../../lib/store/embedded';
import { storeContract } from './store.contract';

storeContract('dynalite', async () => {
  const d = await startEmbeddedDynamo();
  return { endpoint: d.endpoint, region: 'local', credentials: LOCAL_CREDENTIALS, stop: d.close };
});
