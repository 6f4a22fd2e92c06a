import { topics } from '@esp32cloud/protocol';

// A corpus of malformed messages a broken or hostile device might send on its own topics: bad JSON, wrong
// types, missing fields, unknown versions, oversize payloads, odd Unicode, binary. Used by the simulator's
// "garbage" fault and by the bridge's robustness test (which requires at least 50).

export interface GarbageMessage {
  topic: string;
  payload: string | Buffer;
}

export function malformedMessages(serial: string): GarbageMessage[] {
  const status = topics.status(serial);
  const heartbeat = topics.heartbeat(serial);
  const ack = topics.ack(serial);
  const logs = topics.logs(serial);
  const bodies: Array<string | Buffer> = [
    '',
    ' ',
    '{',
    '}',
    '[]',
    'null',
    'true',
    '42',
    '"online"',
    '{"v":1,"online":"yes"}',
    '{"v":"1","online":true}',
    '{"v":2,"online":true}',
    '{"v":0,"online":true}',
    '{"v":-1,"online":true}',
    '{"v":1.5,"online":true}',
    '{"online":true}',
    '{"v":1}',
    '{"v":null,"online":true}',
    '{"v":1,"online":true,"outputs":[]}',
    '{"v":1,"online":true,"outputs":{"relay1":"on"}}',
    '{"v":1,"online":true,"outputs":{"relay9":true}}',
    '{"v":1,"online":true,"outputs":{"__proto__":{"polluted":true}}}',
    '{"v":1,"online":true,"readings":{"temperature":"hot"}}',
    '{"v":1,"online":true,"readings":{"temperature":1e308}}',
    '{"v":1,"online":true,"rssi":50}',
    '{"v":1,"online":true,"ts":-5}',
    `{"v":1,"online":true,"firmware":"${'9'.repeat(200)}"}`,
    `{"v":1,"online":true,"pad":"${'x'.repeat(20_000)}"}`,
    'x'.repeat(60_000),
    '{"v":1,"online":true}'.repeat(3),
    '{"v":1,"online":true,}',
    "{'v':1,'online':true}",
    '{"v":1,"online":true,"outputs":{"relay1":true}',
    '\u0000\u0001\u0002',
    '\uFEFF{"v":1,"online":true}',
    '{"v":1,"online":true,"firmware":"\uD800"}',
    '{"v":1,"online":true,"firmware":"ห้องนั่งเล่น\u202E\u200B"}',
    '{"v":1,"online":true,"💥":"🔥"}',
    Buffer.from([0xff, 0xfe, 0xfd, 0x00, 0x80]),
    Buffer.from([0xc3, 0x28]),
    Buffer.from('{"v":1,"online":true}', 'utf16le'),
    JSON.stringify({ v: 1, online: true, nested: JSON.parse(`${'{"a":'.repeat(500)}1${'}'.repeat(500)}`) }),
    `${'['.repeat(10_000)}${']'.repeat(10_000)}`,
    'NaN',
    '{"v":1,"online":NaN}',
    '{"v":1,"online":true,"uptime_s":Infinity}',
  ];
  const out: GarbageMessage[] = [];
  for (const payload of bodies) out.push({ topic: status, payload });
  // Wrong shapes on the other device topics.
  for (const payload of ['{"v":1,"uptime_s":"long"}', '{"v":3}', 'heartbeat', Buffer.from([0x00])]) {
    out.push({ topic: heartbeat, payload });
  }
  for (const payload of [
    '{"v":1,"ok":true}',
    '{"v":1,"id":"../../etc","ok":true}',
    '{"v":1,"id":"c1","ok":"yes"}',
    '{"v":1,"id":"c1","ok":false}',
    `{"v":1,"id":"${'a'.repeat(500)}","ok":true}`,
    '{"v":1,"id":"never-sent-command","ok":true}',
  ]) {
    out.push({ topic: ack, payload });
  }
  for (const payload of [
    '{"v":1,"level":"panic","message":"x"}',
    '{"v":1,"level":"info","message":""}',
    '{"v":1}',
  ]) {
    out.push({ topic: logs, payload });
  }
  return out;
}
