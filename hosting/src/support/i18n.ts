import { lazyMessages } from '../i18n/index.ts';

// The customer help pages' strings, Thai and English, in their own chunk (the first page does not carry them).

const th = {
  'help.title': 'ขอความช่วยเหลือ',
  'help.device': 'ความช่วยเหลือสำหรับ {name}',
  'help.intro': 'บอกเราว่าเกิดอะไรขึ้น ทีมซัพพอร์ตจะตอบกลับในหน้านี้และทางอีเมล',
  'help.offline.title': 'อุปกรณ์ออฟไลน์ ลองทำตามนี้ก่อน',
  'help.never.title': 'อุปกรณ์ยังไม่เคยออนไลน์ ลองทำตามนี้ก่อน',
  'help.step.power': 'ตรวจว่าอุปกรณ์มีไฟเข้า: ไฟสถานะต้องติด ลองถอดปลั๊กแล้วเสียบใหม่ รอ 1 นาที',
  'help.step.wifi': 'ตรวจ Wi-Fi: เราเตอร์เปิดอยู่ อุปกรณ์อยู่ในระยะสัญญาณ และรหัสผ่าน Wi-Fi ไม่ได้เปลี่ยน',
  'help.step.band': 'อุปกรณ์ใช้ Wi-Fi 2.4 GHz เท่านั้น ถ้าเราเตอร์แยกชื่อ 5 GHz ให้เลือกชื่อ 2.4 GHz',
  'help.step.reset': 'ถ้ายังไม่ได้ ตั้งค่า Wi-Fi ใหม่: กดปุ่มรีเซ็ตค้างไว้ 5 วินาที แล้วเปิดหน้าตั้งค่าอีกครั้ง',
  'help.step.setup': 'เปิดหน้าตั้งค่าอุปกรณ์อีกครั้ง',
  'help.stillBroken': 'ยังใช้ไม่ได้ ติดต่อทีมซัพพอร์ต',
  'help.online': 'อุปกรณ์ออนไลน์อยู่ เล่าปัญหาที่พบได้เลย',
  'help.subject': 'หัวข้อ (ไม่บังคับ)',
  'help.description': 'เล่าปัญหาที่พบ',
  'help.snapshotNote': 'เราจะแนบสถานะล่าสุดของอุปกรณ์ (ออนไลน์ เห็นล่าสุด ข้อผิดพลาดล่าสุด) ไปกับคำขอโดยอัตโนมัติ',
  'help.send': 'ส่งคำขอ',
  'help.sent': 'ส่งคำขอ #{n} แล้ว',
  'help.myTickets': 'คำขอของฉัน',
  'help.noTickets': 'ยังไม่มีคำขอ',
  'help.general': 'คำขอทั่วไป (ไม่เกี่ยวกับอุปกรณ์)',
  'ticket.title': 'คำขอ #{n}',
  'ticket.status.open': 'เปิดอยู่',
  'ticket.status.waiting_on_customer': 'รอคำตอบจากคุณ',
  'ticket.status.resolved': 'แก้ไขแล้ว',
  'ticket.you': 'คุณ',
  'ticket.support': 'ทีมซัพพอร์ต',
  'ticket.reply': 'ตอบกลับ',
  'ticket.send': 'ส่ง',
  'ticket.back': 'กลับไปที่คำขอของฉัน',
  'ticket.notFound': 'ไม่พบคำขอนี้',
};

const en: Record<keyof typeof th, string> = {
  'help.title': 'Get help',
  'help.device': 'Help with {name}',
  'help.intro': 'Tell us what happened. Support answers here and by email.',
  'help.offline.title': 'The device is offline. Try these steps first',
  'help.never.title': 'The device has never come online. Try these steps first',
  'help.step.power':
    'Check the power: the status light must be on. Unplug it, plug it back in and wait a minute.',
  'help.step.wifi':
    'Check the Wi-Fi: the router is on, the device is in range and the Wi-Fi password has not changed.',
  'help.step.band':
    'The device uses 2.4 GHz Wi-Fi only. If your router has a separate 5 GHz name, pick the 2.4 GHz one.',
  'help.step.reset':
    'Still offline? Set up Wi-Fi again: hold the reset button for 5 seconds, then open setup again.',
  'help.step.setup': 'Open device setup again',
  'help.stillBroken': 'Still not working? Contact support',
  'help.online': 'The device is online. Tell us what goes wrong.',
  'help.subject': 'Subject (optional)',
  'help.description': 'What is the problem?',
  'help.snapshotNote':
    "We attach the device's latest state (online, last seen, recent errors) to your request automatically.",
  'help.send': 'Send request',
  'help.sent': 'Request #{n} sent',
  'help.myTickets': 'My requests',
  'help.noTickets': 'No requests yet',
  'help.general': 'General request (not about a device)',
  'ticket.title': 'Request #{n}',
  'ticket.status.open': 'Open',
  'ticket.status.waiting_on_customer': 'Waiting for your answer',
  'ticket.status.resolved': 'Resolved',
  'ticket.you': 'You',
  'ticket.support': 'Support',
  'ticket.reply': 'Reply',
  'ticket.send': 'Send',
  'ticket.back': 'Back to my requests',
  'ticket.notFound': 'This request was not found',
};

export const st = lazyMessages({ th, en });
