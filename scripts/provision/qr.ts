import QRCode from 'qrcode';
import { keepPrivate, writeSecretFile } from './secret-files.ts';

// Each unit's QR code, of its setup link, as PNG (for label printers) and SVG (scales cleanly, and is what
// the A4 label sheet embeds). Error correction M survives a scuffed label; the 4-module quiet zone is the spec's.

const OPTIONS = { errorCorrectionLevel: 'M' as const, margin: 4 };

export async function qrSvg(text: string): Promise<string> {
  return QRCode.toString(text, { ...OPTIONS, type: 'svg' });
}

export async function writeQrFiles(text: string, pngPath: string, svgPath: string): Promise<string> {
  const svg = await qrSvg(text);
  await Promise.all([
    QRCode.toFile(pngPath, text, { ...OPTIONS, type: 'png', width: 256 }),
    writeSecretFile(svgPath, svg),
  ]);
  // The setup link carries the claim code: the PNG is as secret as the flash file.
  await keepPrivate(pngPath);
  return svg;
}
