import { normalizeSerial, parseSetupQuery, type SetupLink } from '@esp32cloud/protocol';

// QR decoding: the browser's BarcodeDetector where it exists (Android Chrome, Safari), otherwise jsQR, loaded
// only when needed. Works on camera frames and on an uploaded photo.

interface DetectedBarcode {
  rawValue: string;
}
interface BarcodeDetectorLike {
  detect(source: CanvasImageSource | ImageBitmap): Promise<DetectedBarcode[]>;
}
declare const BarcodeDetector: { new (options: { formats: string[] }): BarcodeDetectorLike } | undefined;

let detector: BarcodeDetectorLike | null | undefined;

function nativeDetector(): BarcodeDetectorLike | null {
  if (detector !== undefined) return detector;
  try {
    detector = typeof BarcodeDetector === 'function' ? new BarcodeDetector({ formats: ['qr_code'] }) : null;
  } catch {
    detector = null;
  }
  return detector;
}

const MAX_SIDE = 1024;

function toCanvas(source: CanvasImageSource, width: number, height: number): CanvasRenderingContext2D {
  const scale = Math.min(1, MAX_SIDE / Math.max(width, height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.max(1, Math.round(width * scale));
  canvas.height = Math.max(1, Math.round(height * scale));
  const context = canvas.getContext('2d', { willReadFrequently: true })!;
  context.drawImage(source, 0, 0, canvas.width, canvas.height);
  return context;
}

/** The text of the QR code in an image or video frame, or null. */
export async function decodeQr(
  source: CanvasImageSource,
  width: number,
  height: number,
): Promise<string | null> {
  const native = nativeDetector();
  if (native) {
    try {
      const found = await native.detect(source);
      if (found[0]?.rawValue) return found[0].rawValue;
    } catch {
      // fall through to jsQR
    }
  }
  const context = toCanvas(source, width, height);
  const image = context.getImageData(0, 0, context.canvas.width, context.canvas.height);
  const { default: jsQR } = await import('jsqr');
  return jsQR(image.data, image.width, image.height, { inversionAttempts: 'attemptBoth' })?.data ?? null;
}

export async function decodeQrFile(file: Blob): Promise<string | null> {
  const bitmap = await createImageBitmap(file);
  try {
    return await decodeQr(bitmap, bitmap.width, bitmap.height);
  } finally {
    bitmap.close();
  }
}

/** Reads a scanned code: our setup link (any origin: only its parameters are used) or a bare serial. */
export function parseScanned(text: string): SetupLink | null {
  const trimmed = text.trim();
  try {
    const url = new URL(trimmed);
    if (!url.searchParams.get('sn')) return null;
    return parseSetupQuery(url.searchParams);
  } catch {
    const serial = normalizeSerial(trimmed);
    return serial ? { serial } : null;
  }
}

export interface CameraScan {
  stop(): void;
}

/** Streams the back camera into `video` and decodes frames until a code is found or stop() is called. */
export async function scanWithCamera(
  video: HTMLVideoElement,
  onText: (text: string) => void,
): Promise<CameraScan> {
  const stream = await navigator.mediaDevices.getUserMedia({
    video: { facingMode: { ideal: 'environment' } },
    audio: false,
  });
  let stopped = false;
  const stop = () => {
    stopped = true;
    for (const track of stream.getTracks()) track.stop();
    video.srcObject = null;
  };
  video.srcObject = stream;
  video.setAttribute('playsinline', '');
  await video.play();
  const tick = async () => {
    if (stopped) return;
    if (video.videoWidth > 0) {
      const text = await decodeQr(video, video.videoWidth, video.videoHeight).catch(() => null);
      if (text && !stopped) {
        stop();
        onText(text);
        return;
      }
    }
    // About four decodes a second: quick enough to feel instant, light on a cheap phone's battery.
    setTimeout(() => void tick(), 250);
  };
  void tick();
  return { stop };
}
