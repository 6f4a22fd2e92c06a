import { afterEach, describe, expect, it } from 'vitest';
import type { RequestContext } from '../src/context.ts';
import { FirestoreService } from '../src/service.ts';

// Listen resumption against the core service: a target re-added with a resume token (or read time) inside the
// retained history gets only the changes since then and an existence filter with its count; a token older than
// the history gets RESET and the whole result.

const PROJECT = 'demo-resume';
const DATABASE = `projects/${PROJECT}/databases/(default)`;
const admin: RequestContext = { projectId: PROJECT, databaseId: '(default)', admin: true, auth: null };
const services: FirestoreService[] = [];

afterEach(() => {
  for (const service of services.splice(0)) service.close();
});

// biome-ignore lint/suspicious/noExplicitAny: ListenResponse messages are read loosely.
type Message = Record<string, any>;

function setup(historyRetentionMs: number) {
  const service = new FirestoreService({ historyRetentionMs });
  services.push(service);
  const write = (path: string, v: number | null) =>
    service.commitWrites(
      service.database(PROJECT),
      [
        v === null
          ? { delete: `${DATABASE}/documents/${path}` }
          : ({
              update: { name: `${DATABASE}/documents/${path}`, fields: { v: { integerValue: String(v) } } },
            } as never),
      ],
      admin,
    );
  const listen = (target: Record<string, unknown>) => {
    const sent: Message[] = [];
    const stream = service.listen(
      admin,
      (m) => sent.push(m),
      () => {},
    );
    stream.push({
      database: DATABASE,
      addTarget: {
        targetId: 2,
        query: { parent: `${DATABASE}/documents`, structuredQuery: { from: [{ collectionId: 'c' }] } },
        ...target,
      },
    });
    return { sent, stream };
  };
  return { service, write, listen };
}

const kinds = (sent: Message[]) =>
  sent.map((m) => (m.targetChange ? `target:${m.targetChange.targetChangeType}` : Object.keys(m)[0]));

describe('Listen resume', () => {
  it('sends only what changed since the token, then an existence filter', async () => {
    const { write, listen } = setup(60_000);
    await write('c/a', 1);
    await write('c/keep', 1);
    const first = listen({});
    const token = first.sent.find((m) => m.targetChange?.targetChangeType === 'CURRENT')!.targetChange
      .resumeToken;
    first.stream.close();
    await write('c/b', 2);
    await write('c/a', null);
    const resumed = listen({ resumeToken: token });
    expect(kinds(resumed.sent)).toEqual([
      'target:ADD',
      'documentChange',
      'documentDelete',
      'filter',
      'target:CURRENT',
      'target:NO_CHANGE',
    ]);
    expect(resumed.sent[1].documentChange.document.name).toBe(`${DATABASE}/documents/c/b`);
    expect(resumed.sent[2].documentDelete.document).toBe(`${DATABASE}/documents/c/a`);
    expect(resumed.sent[3]).toEqual({ filter: { targetId: 2, count: 2 } });
    resumed.stream.close();
  });

  it('resets a target whose token is older than the retained history', async () => {
    const { write, listen } = setup(0);
    await write('c/a', 1);
    const first = listen({});
    const token = first.sent.find((m) => m.targetChange?.targetChangeType === 'CURRENT')!.targetChange
      .resumeToken;
    first.stream.close();
    await write('c/b', 2);
    const resumed = listen({ resumeToken: token });
    expect(kinds(resumed.sent)).toEqual([
      'target:ADD',
      'target:RESET',
      'documentChange',
      'documentChange',
      'target:CURRENT',
      'target:NO_CHANGE',
    ]);
    resumed.stream.close();
  });

  it('resets on a token this emulator did not issue', async () => {
    const { write, listen } = setup(60_000);
    await write('c/a', 1);
    for (const resumeToken of [Buffer.from('bogus'), Buffer.from('ffffffffffffffff', 'hex')]) {
      const resumed = listen({ resumeToken });
      expect(kinds(resumed.sent).slice(0, 2)).toEqual(['target:ADD', 'target:RESET']);
      resumed.stream.close();
    }
  });
});
