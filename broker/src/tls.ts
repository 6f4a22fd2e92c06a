import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';

// The local certificate authority of `npm start` and the tests: a CA and a broker certificate signed by it,
// made on first use and kept beside the broker's data. Keys come from node:crypto (native RSA generation);
// node-forge only assembles and signs the X.509 structures, which node:crypto cannot build. Every file is
// written 0600: the keys are secrets, and clients read the CA certificate as the same user.

export interface BrokerTlsFiles {
  caFile: string;
  certFile: string;
  keyFile: string;
}

export interface BrokerTls extends BrokerTlsFiles {
  /** The CA certificate (PEM) clients trust. */
  ca: string;
}

export interface TlsOptions {
  /** Names the broker certificate is valid for; default localhost and 127.0.0.1 (plus ::1). */
  hosts?: string[];
  /** Validity of the broker certificate in days (the CA gets ten times as long). Default 397. */
  days?: number;
}

export const TLS_FILE_NAMES = {
  caFile: 'ca.crt',
  caKeyFile: 'ca.key',
  certFile: 'server.crt',
  keyFile: 'server.key',
};

const DEFAULT_HOSTS = ['localhost', '127.0.0.1', '::1'];
const IP = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-f:]+:[0-9a-f:]*)$/i;

/** The CA and broker certificate in `dir`, generated when missing (or when the broker's has expired). */
export function ensureBrokerTls(dir: string, options: TlsOptions = {}): BrokerTls {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = (name: keyof typeof TLS_FILE_NAMES) => join(dir, TLS_FILE_NAMES[name]);
  const hosts = options.hosts ?? DEFAULT_HOSTS;
  const days = options.days ?? 397;
  if (!existsSync(file('caFile')) || !existsSync(file('caKeyFile'))) {
    const ca = createCertificate({ subject: 'ESP32 Cloud local CA', days: days * 10, isCa: true });
    write(file('caKeyFile'), ca.keyPem);
    write(file('caFile'), ca.certPem);
  }
  if (!existsSync(file('certFile')) || !existsSync(file('keyFile')) || !usable(file('certFile'), hosts)) {
    const server = createCertificate({
      subject: 'ESP32 Cloud broker',
      days,
      isCa: false,
      hosts,
      issuer: {
        certPem: readFileSync(file('caFile'), 'utf8'),
        keyPem: readFileSync(file('caKeyFile'), 'utf8'),
      },
    });
    write(file('keyFile'), server.keyPem);
    write(file('certFile'), server.certPem);
  }
  return {
    caFile: file('caFile'),
    certFile: file('certFile'),
    keyFile: file('keyFile'),
    ca: readFileSync(file('caFile'), 'utf8'),
  };
}

function write(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600); // an existing file keeps its old mode through writeFileSync
}

/** Still valid for a week and names every host asked for. */
function usable(certFile: string, hosts: string[]): boolean {
  const cert = new X509Certificate(readFileSync(certFile));
  if (Date.parse(cert.validTo) - Date.now() < 7 * 24 * 3600_000) return false;
  return hosts.every((host) => (IP.test(host) ? cert.checkIP(host) : cert.checkHost(host)) !== undefined);
}

interface CertificateRequest {
  subject: string;
  days: number;
  isCa: boolean;
  hosts?: string[];
  issuer?: { certPem: string; keyPem: string };
}

function createCertificate(request: CertificateRequest): { certPem: string; keyPem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey);
  // Positive, 16 random bytes (RFC 5280: at most 20 octets, unpredictable).
  cert.serialNumber = `01${randomBytes(15).toString('hex')}`;
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + request.days * 24 * 3600_000);
  const subject = [{ name: 'commonName', value: request.subject }];
  cert.setSubject(subject);
  const issuerCert = request.issuer ? forge.pki.certificateFromPem(request.issuer.certPem) : null;
  cert.setIssuer(issuerCert ? issuerCert.subject.attributes : subject);
  const extensions: object[] = [
    { name: 'basicConstraints', cA: request.isCa, critical: true },
    request.isCa
      ? { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true }
      : { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ];
  if (!request.isCa) {
    extensions.push({ name: 'extKeyUsage', serverAuth: true });
    extensions.push({
      name: 'subjectAltName',
      altNames: (request.hosts ?? []).map((host) =>
        IP.test(host) ? { type: 7, ip: host } : { type: 2, value: host },
      ),
    });
  }
  if (issuerCert)
    extensions.push({
      name: 'authorityKeyIdentifier',
      keyIdentifier: issuerCert.generateSubjectKeyIdentifier().getBytes(),
    });
  cert.setExtensions(extensions);
  const signingKey = forge.pki.privateKeyFromPem(request.issuer?.keyPem ?? privateKey);
  cert.sign(signingKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: privateKey };
}
