import { normalizeClaimCode, type SetupLink, validateSerial } from '@esp32cloud/protocol';
import { useSignal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import { FormMessages } from '../components/FormMessages.tsx';
import { TextField } from '../components/TextField.tsx';
import { t } from '../i18n/index.ts';
import { ClaimCodeField, LABEL_CODE_INPUT } from './ClaimCodeField.tsx';
import { type CameraScan, decodeQrFile, parseScanned, scanWithCamera } from './scanner.ts';
import { updateWizard, wizard } from './state.ts';

/** What a typed serial looks like so far, for live feedback before any request. */
export function serialFeedback(input: string): { valid: boolean; message: string | null } {
  if (!input.trim()) return { valid: false, message: null };
  const check = validateSerial(input);
  if (check.ok) return { valid: true, message: null };
  // While the serial is still being typed, say what it should look like; a full one with a wrong letter is a typo.
  return {
    valid: false,
    message: check.problem === 'check_character' ? t('setup.error.checkCharacter') : t('setup.error.format'),
  };
}

/** Step 1: scan the QR code (camera or photo), or type the serial and claim code from the label. */
export function FindStep() {
  const serial = useSignal(wizard.value.serial);
  const claimCode = useSignal(wizard.value.claimCode);
  const touched = useSignal(false);
  const scanError = useSignal<string | null>(null);
  const scanning = useSignal(false);
  const video = useRef<HTMLVideoElement>(null);
  const scan = useRef<CameraScan | null>(null);

  useEffect(() => () => scan.current?.stop(), []);

  const found = (link: SetupLink | null) => {
    if (!link?.serial) {
      scanError.value = t('setup.scan.notOurs');
      return;
    }
    scan.current?.stop();
    scanning.value = false;
    updateWizard({
      serial: link.serial,
      claimCode: link.claimCode ?? '',
      step: 'check',
      deviceId: null,
    });
  };

  async function startCamera() {
    scanError.value = null;
    if (!navigator.mediaDevices?.getUserMedia) {
      scanError.value = t('setup.scan.noCamera');
      return;
    }
    scanning.value = true;
    // Wait a frame so the <video> element is in the page.
    await new Promise((resolve) => requestAnimationFrame(resolve));
    try {
      scan.current = await scanWithCamera(video.current!, (text) => found(parseScanned(text)));
    } catch {
      scanning.value = false;
      scanError.value = t('setup.scan.noCamera');
    }
  }

  async function onPhoto(event: Event) {
    const file = (event.currentTarget as HTMLInputElement).files?.[0];
    if (!file) return;
    scanError.value = null;
    try {
      const text = await decodeQrFile(file);
      if (!text) scanError.value = t('setup.scan.noCode');
      else found(parseScanned(text));
    } catch {
      scanError.value = t('setup.scan.noCode');
    }
  }

  const feedback = serialFeedback(serial.value);
  const showProblem = touched.value || serial.value.replace(/[\s-]/g, '').length >= 14;

  return (
    <div class="stack">
      <section class="card" aria-labelledby="scan-title">
        <h2 id="scan-title">{t('setup.scan.title')}</h2>
        <p class="hint">{t('setup.scan.hint')}</p>
        {scanning.value ? (
          <>
            <video ref={video} muted playsInline aria-label={t('setup.scan.preview')} />
            <button
              type="button"
              onClick={() => {
                scan.current?.stop();
                scanning.value = false;
              }}
            >
              {t('setup.scan.stop')}
            </button>
          </>
        ) : (
          <button type="button" class="primary" onClick={startCamera}>
            {t('setup.scan.camera')}
          </button>
        )}
        <label style={{ marginTop: '12px' }}>
          {t('setup.scan.photo')}
          <input type="file" accept="image/*" data-testid="qr-photo" onChange={onPhoto} />
        </label>
        <FormMessages error={scanError.value} />
      </section>
      <form
        class="card"
        aria-labelledby="manual-title"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          touched.value = true;
          const check = validateSerial(serial.value);
          if (!check.ok) return;
          updateWizard({
            serial: check.serial,
            claimCode: normalizeClaimCode(claimCode.value),
            step: 'check',
            deviceId: null,
          });
        }}
      >
        <h2 id="manual-title">{t('setup.manual.title')}</h2>
        <TextField
          label={t('setup.manual.serial')}
          name="serial"
          {...LABEL_CODE_INPUT}
          placeholder="ESP3200012345K"
          value={serial.value}
          aria-invalid={showProblem && !feedback.valid && feedback.message ? 'true' : undefined}
          aria-describedby="serial-feedback"
          onValue={(value) => {
            serial.value = value;
          }}
          onBlur={() => {
            touched.value = true;
          }}
        />
        <p
          id="serial-feedback"
          class={feedback.valid ? 'notice' : 'error'}
          aria-live="polite"
          data-testid="serial-feedback"
        >
          {feedback.valid ? t('setup.manual.serialOk') : showProblem ? feedback.message : ''}
        </p>
        <ClaimCodeField code={claimCode} />
        <p class="hint">{t('setup.manual.claimCodeHint')}</p>
        <button type="submit" class="primary" disabled={!feedback.valid}>
          {t('setup.next')}
        </button>
      </form>
    </div>
  );
}
