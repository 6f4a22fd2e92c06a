// The two session ciphers, on WebCrypto (globalThis.crypto.subtle: the same in browsers and Node).

export interface SessionCipher {
  encrypt(data: Uint8Array): Promise<Uint8Array>;
  decrypt(data: Uint8Array): Promise<Uint8Array>;
}

function subtle(): SubtleCrypto {
  const api = globalThis.crypto?.subtle;
  if (!api) throw new Error('WebCrypto is not available (a secure context is needed)');
  return api;
}

/** Copies into a fresh ArrayBuffer-backed array, as WebCrypto's BufferSource typing wants. */
function own(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(bytes.length);
  out.set(bytes);
  return out;
}

/**
 * Security 1: AES-256-CTR with the device's random as the initial counter block. Both sides keep ONE
 * keystream for the whole session and both directions, consumed in message order (request, response,
 * request, …), as protocomm's stateful CTR context does; WebCrypto is one-shot, so the stream position
 * is tracked here and each call starts at the right block and byte.
 */
export class AesCtrStream implements SessionCipher {
  private offset = 0;
  private constructor(
    private readonly key: CryptoKey,
    private readonly iv: Uint8Array,
  ) {}

  static async create(key: Uint8Array, iv: Uint8Array): Promise<AesCtrStream> {
    if (key.length !== 32) throw new Error('security 1 needs a 32-byte key');
    if (iv.length !== 16) throw new Error('security 1 needs a 16-byte device random');
    const cryptoKey = await subtle().importKey('raw', own(key), 'AES-CTR', false, ['encrypt']);
    return new AesCtrStream(cryptoKey, own(iv));
  }

  private counterAt(block: number): Uint8Array<ArrayBuffer> {
    const counter = own(this.iv);
    let carry = block;
    for (let i = 15; i >= 0 && carry > 0; i--) {
      const sum = counter[i] + (carry % 256);
      counter[i] = sum & 0xff;
      carry = Math.floor(carry / 256) + (sum >> 8);
    }
    return counter;
  }

  async apply(data: Uint8Array): Promise<Uint8Array> {
    const start = this.offset;
    this.offset += data.length;
    const skip = start % 16;
    const input = new Uint8Array(skip + data.length);
    input.set(data, skip);
    const out = await subtle().encrypt(
      { name: 'AES-CTR', counter: this.counterAt(Math.floor(start / 16)), length: 128 },
      this.key,
      input,
    );
    return new Uint8Array(out).slice(skip);
  }

  encrypt(data: Uint8Array): Promise<Uint8Array> {
    return this.apply(data);
  }

  decrypt(data: Uint8Array): Promise<Uint8Array> {
    return this.apply(data);
  }
}

/**
 * Security 2: AES-256-GCM with the first 32 bytes of the SRP key, the device's 12-byte nonce and the 16-byte
 * tag appended, no associated data. From `sec_patch_ver` 1 on, the nonce's last four bytes are a big-endian
 * counter raised after every encryption and every decryption (one counter for both directions); before
 * that the nonce stays fixed.
 */
export class AesGcmSession implements SessionCipher {
  private readonly nonce: Uint8Array<ArrayBuffer>;
  private constructor(
    private readonly key: CryptoKey,
    nonce: Uint8Array,
    private readonly countNonce: boolean,
  ) {
    this.nonce = own(nonce);
  }

  static async create(
    sessionKey: Uint8Array,
    nonce: Uint8Array,
    patchVersion: number,
  ): Promise<AesGcmSession> {
    if (nonce.length !== 12) throw new Error('security 2 needs a 12-byte device nonce');
    const key = await subtle().importKey('raw', own(sessionKey.slice(0, 32)), 'AES-GCM', false, [
      'encrypt',
      'decrypt',
    ]);
    return new AesGcmSession(key, nonce, patchVersion >= 1);
  }

  private nextNonce(): Uint8Array<ArrayBuffer> {
    const current = own(this.nonce);
    if (this.countNonce) {
      const view = new DataView(this.nonce.buffer);
      const counter = view.getUint32(8);
      if (counter === 0xffffffff) throw new Error('security 2 nonce counter exhausted');
      view.setUint32(8, counter + 1);
    }
    return current;
  }

  async encrypt(data: Uint8Array): Promise<Uint8Array> {
    const iv = this.nextNonce();
    return new Uint8Array(await subtle().encrypt({ name: 'AES-GCM', iv }, this.key, own(data)));
  }

  async decrypt(data: Uint8Array): Promise<Uint8Array> {
    const iv = this.nextNonce();
    try {
      return new Uint8Array(await subtle().decrypt({ name: 'AES-GCM', iv }, this.key, own(data)));
    } catch {
      throw new Error('the message failed its AES-GCM integrity check');
    }
  }
}

/** Security 0: plain text. */
export const PLAIN: SessionCipher = {
  encrypt: async (data) => data,
  decrypt: async (data) => data,
};
