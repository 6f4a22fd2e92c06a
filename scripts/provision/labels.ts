import { CATALOGUE, type DeviceType, formatClaimCode } from '@esp32cloud/protocol';

// The batch's printable label sheet: A4 pages of 3 × 8 labels (70 × 37 mm, the common sticker sheet), each
// with the QR code, serial number, claim code and type. Plain HTML + inline SVG: open it in a browser and
// print at 100% scale (or render it to PDF with Chromium).

export interface Label {
  serial: string;
  deviceType: DeviceType;
  firmwareVersion: string;
  claimCode: string;
  setupUrl: string;
  qrSvg: string;
}

export const LABELS_PER_PAGE = 24;

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}

function labelHtml(label: Label): string {
  const svg = label.qrSvg.replace(/^<\?xml[^>]*>\s*/, '').replace('<svg ', '<svg class="qr" ');
  return `<div class="label" data-serial="${escapeHtml(label.serial)}" data-url="${escapeHtml(label.setupUrl)}">
  ${svg}
  <div class="text">
    <div class="type">${escapeHtml(CATALOGUE[label.deviceType].label)}</div>
    <div class="serial">${escapeHtml(label.serial)}</div>
    <div class="code">Code ${escapeHtml(formatClaimCode(label.claimCode))}</div>
    <div class="fw">FW ${escapeHtml(label.firmwareVersion)}</div>
  </div>
</div>`;
}

export function labelSheetHtml(batchId: string, labels: Label[]): string {
  const pages: string[] = [];
  for (let i = 0; i < labels.length; i += LABELS_PER_PAGE) {
    pages.push(
      `<section class="page">\n${labels
        .slice(i, i + LABELS_PER_PAGE)
        .map(labelHtml)
        .join('\n')}\n</section>`,
    );
  }
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Labels — batch ${escapeHtml(batchId)} (${labels.length})</title>
<style>
  @page { size: A4; margin: 0; }
  * { box-sizing: border-box; }
  body { margin: 0; font-family: "DejaVu Sans Mono", ui-monospace, monospace; background: #fff; color: #000; }
  .page { width: 210mm; height: 297mm; padding: 0 0; display: grid; grid-template-columns: repeat(3, 70mm);
          grid-auto-rows: 37mm; page-break-after: always; break-after: page; overflow: hidden; }
  .page:last-child { page-break-after: auto; break-after: auto; }
  .label { display: flex; align-items: center; gap: 1.5mm; padding: 1.5mm 2mm; overflow: hidden; }
  .qr { width: 34mm; height: 34mm; flex: none; }
  .text { display: flex; flex-direction: column; gap: 1mm; font-size: 2.6mm; line-height: 1.15; min-width: 0; }
  .serial { font-weight: bold; font-size: 2.9mm; word-break: break-all; }
  .type, .fw { font-size: 2.3mm; }
</style>
</head>
<body>
${pages.join('\n')}
</body>
</html>
`;
}
