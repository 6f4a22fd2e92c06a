// Whether this browser can do Wi-Fi setup over Bluetooth (Chrome/Edge on Android, Windows, macOS, ChromeOS,
// Linux). Kept tiny and apart from the Bluetooth code, which loads only when the Wi-Fi step needs it.

export function hasWebBluetooth(): boolean {
  return (
    typeof navigator !== 'undefined' &&
    'bluetooth' in navigator &&
    Boolean((navigator as { bluetooth?: unknown }).bluetooth)
  );
}
