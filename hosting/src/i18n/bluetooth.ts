import { type Language, lazyMessages } from './index.ts';

// The strings of Wi-Fi setup over Bluetooth, in the Bluetooth chunk so the first page stays as small as it was.

const th = {
  title: 'Wi-Fi ผ่านบลูทูธ',
  intro: 'โทรศัพท์จะเชื่อมต่อกับอุปกรณ์ผ่านบลูทูธ แล้วส่งชื่อและรหัสผ่าน Wi-Fi ให้อุปกรณ์โดยตรง ไม่ต้องออกจากหน้านี้',
  start: 'ตั้งค่า Wi-Fi ผ่านบลูทูธ',
  connecting: 'กำลังเชื่อมต่อกับอุปกรณ์…',
  scanning: 'อุปกรณ์กำลังค้นหาเครือข่าย Wi-Fi…',
  networks: 'เลือกเครือข่าย Wi-Fi ที่บ้าน',
  'signal.strong': 'สัญญาณแรง',
  'signal.good': 'สัญญาณปานกลาง',
  'signal.weak': 'สัญญาณอ่อน',
  secured: 'ต้องใช้รหัสผ่าน',
  open: 'ไม่ต้องใช้รหัสผ่าน',
  password: 'รหัสผ่าน Wi-Fi',
  passwordNote: 'รหัสผ่านถูกเข้ารหัสจากโทรศัพท์ถึงอุปกรณ์โดยตรง และไม่ถูกส่งไปยังระบบคลาวด์ของเรา',
  join: 'เชื่อมต่อ Wi-Fi',
  rescan: 'ค้นหาเครือข่ายอีกครั้ง',
  joining: 'อุปกรณ์กำลังเชื่อมต่อกับ “{ssid}”…',
  joined: 'อุปกรณ์เชื่อมต่อกับ “{ssid}” แล้ว กำลังรอให้ออนไลน์…',
  wrongPassword: 'รหัสผ่าน Wi-Fi ไม่ถูกต้อง พิมพ์ใหม่แล้วลองอีกครั้ง',
  notFound: 'อุปกรณ์หาเครือข่าย “{ssid}” ไม่เจอ เลือกใหม่ หรือย้ายอุปกรณ์ให้ใกล้เราเตอร์',
  failed: 'อุปกรณ์เชื่อมต่อ Wi-Fi ไม่สำเร็จ ลองอีกครั้ง',
  wrongPop: 'อุปกรณ์ไม่ยอมรับรหัสยืนยัน (Claim code) ตรวจสอบว่าเป็นอุปกรณ์ที่ถูกต้องและรหัสตรงกับฉลาก แล้วลองอีกครั้ง',
  unavailable: 'บลูทูธของเครื่องนี้ปิดอยู่หรือไม่มี เปิดบลูทูธแล้วลองใหม่ หรือใช้วิธีด้านล่าง',
  cancelled: 'ยังไม่ได้เลือกอุปกรณ์ กดปุ่มอีกครั้งเมื่อพร้อม',
  lost: 'การเชื่อมต่อบลูทูธกับอุปกรณ์หลุด กดปุ่มเพื่อเชื่อมต่อใหม่',
  error: 'ตั้งค่าผ่านบลูทูธไม่สำเร็จ: {message}',
};

const en: Record<keyof typeof th, string> = {
  title: 'Wi-Fi over Bluetooth',
  intro:
    'Your phone talks to the device over Bluetooth and hands it your Wi-Fi name and password directly, without leaving this page.',
  start: 'Set up Wi-Fi over Bluetooth',
  connecting: 'Connecting to the device…',
  scanning: 'The device is looking for Wi-Fi networks…',
  networks: 'Choose your home Wi-Fi network',
  'signal.strong': 'Strong signal',
  'signal.good': 'Good signal',
  'signal.weak': 'Weak signal',
  secured: 'Needs a password',
  open: 'Open network',
  password: 'Wi-Fi password',
  passwordNote: 'The password is encrypted from your phone to the device and never sent to our cloud.',
  join: 'Connect to Wi-Fi',
  rescan: 'Look for networks again',
  joining: 'The device is joining “{ssid}”…',
  joined: 'The device joined “{ssid}”. Waiting for it to come online…',
  wrongPassword: 'Wrong Wi-Fi password. Type it again and retry.',
  notFound: 'The device cannot find “{ssid}”. Choose again, or move the device closer to the router.',
  failed: 'The device could not join the Wi-Fi. Try again.',
  wrongPop:
    'The device did not accept the claim code. Check that this is the right device and that the code matches its label, then try again.',
  unavailable:
    'Bluetooth is off or missing on this phone or computer. Turn it on and retry, or use the steps below.',
  cancelled: 'No device was chosen. Press the button again when ready.',
  lost: 'The Bluetooth connection to the device was lost. Press the button to connect again.',
  error: 'Bluetooth setup failed: {message}',
};

const messages: Record<Language, typeof en> = { th, en };

/** A Wi-Fi-over-Bluetooth string in the current language. */
export const tb = lazyMessages(messages);
