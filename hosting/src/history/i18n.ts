import { lazyMessages } from '../i18n/index.ts';

// The History view's strings, Thai and English, in its own chunk (the first page does not carry them).

const th = {
  'history.open': 'ดูประวัติ',
  'history.title': 'ประวัติการใช้งาน',
  'history.range.24h': '24 ชั่วโมง',
  'history.range.7d': '7 วัน',
  'history.range.30d': '30 วัน',
  'history.range.custom': 'กำหนดเอง',
  'history.from': 'ตั้งแต่',
  'history.to': 'ถึง',
  'history.apply': 'แสดง',
  'history.csv': 'ดาวน์โหลด CSV',
  'history.loading': 'กำลังโหลดประวัติ…',
  'history.empty': 'ยังไม่มีข้อมูลในช่วงนี้',
  'history.sparse': 'ข้อมูลมีเพียง {count} จุดในช่วงนี้',
  'history.readings': 'ค่าที่วัดได้',
  'history.onTime': 'เวลาที่เปิดต่อวัน',
  'history.online': 'ออนไลน์',
  'history.offline': 'ออฟไลน์',
  'history.presence': 'สถานะการเชื่อมต่อ',
  'history.commands': 'คำสั่งและผู้สั่ง',
  'history.noCommands': 'ไม่มีคำสั่งในช่วงนี้',
  'history.you': 'คุณ',
  'history.hours': '{value} ชม.',
  'history.timeZone': 'เวลาแสดงตามเขตเวลา {zone}',
  'history.error': 'โหลดประวัติไม่สำเร็จ: {message}',
  'history.live': 'ค่าปัจจุบัน (ชั่วโมงนี้)',
};

const en: Record<keyof typeof th, string> = {
  'history.open': 'Show history',
  'history.title': 'Usage history',
  'history.range.24h': '24 hours',
  'history.range.7d': '7 days',
  'history.range.30d': '30 days',
  'history.range.custom': 'Custom',
  'history.from': 'From',
  'history.to': 'To',
  'history.apply': 'Show',
  'history.csv': 'Download CSV',
  'history.loading': 'Loading history…',
  'history.empty': 'No data in this range yet',
  'history.sparse': 'Only {count} points in this range',
  'history.readings': 'Readings',
  'history.onTime': 'On-time per day',
  'history.online': 'Online',
  'history.offline': 'Offline',
  'history.presence': 'Connection',
  'history.commands': 'Commands and who sent them',
  'history.noCommands': 'No commands in this range',
  'history.you': 'you',
  'history.hours': '{value} h',
  'history.timeZone': 'Times shown in {zone}',
  'history.error': 'Could not load the history: {message}',
  'history.live': 'Now (this hour)',
};

export const ht = lazyMessages({ th, en });
export type HistoryKey = keyof typeof th;
