import type { Signal } from '@preact/signals';
import { TextField } from '../components/TextField.tsx';
import { t } from '../i18n/index.ts';

/** The claim code printed on the label: typed by hand when the QR code was not scanned or was refused. */
export function ClaimCodeField({ code }: { code: Signal<string> }) {
  return (
    <TextField
      label={t('setup.manual.claimCode')}
      name="claim-code"
      autoComplete="off"
      autoCapitalize="characters"
      spellcheck={false}
      placeholder="XXXXX-XXXXX"
      value={code.value}
      onValue={(value) => {
        code.value = value;
      }}
    />
  );
}
