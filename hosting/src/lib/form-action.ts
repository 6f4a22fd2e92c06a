import { useSignal } from '@preact/signals';
import { errorMessage } from './errors.ts';

/**
 * The state of a form that calls the API: busy while an action runs, then a notice on success or a plain error
 * message on failure (worded by `describe`, the app's generic wording by default).
 */
export function useFormAction(describe: (error: unknown) => string = errorMessage) {
  const busy = useSignal(false);
  const error = useSignal<string | null>(null);
  const notice = useSignal<string | null>(null);

  async function run(action: () => Promise<unknown>, done: string): Promise<void> {
    busy.value = true;
    error.value = null;
    notice.value = null;
    try {
      await action();
      notice.value = done;
    } catch (caught) {
      error.value = describe(caught);
    } finally {
      busy.value = false;
    }
  }

  return { busy, error, notice, run };
}
