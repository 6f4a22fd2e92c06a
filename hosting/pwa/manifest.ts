// The web app manifests, one per language (index.html links the Thai one; the app switches the link with the
// language), so the installed app's name is Thai or English as its user reads.

export const ICONS = [
  { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
  { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
  { src: '/icons/maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
];

const NAMES = {
  th: { name: 'ESP32 Cloud — อุปกรณ์ของฉัน', short_name: 'ESP32 Cloud', description: 'ควบคุมอุปกรณ์ ESP32 ของคุณ' },
  en: {
    name: 'ESP32 Cloud — My devices',
    short_name: 'ESP32 Cloud',
    description: 'Control your ESP32 devices',
  },
};

export function manifest(lang: 'th' | 'en'): string {
  return JSON.stringify(
    {
      id: '/',
      ...NAMES[lang],
      lang,
      dir: 'ltr',
      start_url: '/',
      scope: '/',
      display: 'standalone',
      background_color: '#ffffff',
      theme_color: '#0b5cad',
      icons: ICONS,
    },
    null,
    2,
  );
}
