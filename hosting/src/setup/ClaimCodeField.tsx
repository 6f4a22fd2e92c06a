import type { Signal } from '@preact/signals';
import { TextField } from '../components/TextField.tsx';
import { t } from '../i18n/index.ts';

/** How a code copied from the printed label is typed: capitals, no suggestions, no spelling marks. */
export const LABEL_CODE_INPUT = {
  autoComplete: 'off',
  autoCapitalize: 'characters',
  spellcheck: false,
} as const;

/** The claim code printed on the label: typed by hand when the QR code was not scanned or was refused. */
export function ClaimCodeField({ code }: { code: Signal<string> }) {
  return (
    <TextField
      label={t('setup.manual.claimCode')}
      name="claim-code"
      {...LABEL_CODE_INPUT}
      placeholder="XXXXX-XXXXX"
      value={code.value}
      onValue={(value) => {
        code.value = value;
      }}
    />
  );
}
