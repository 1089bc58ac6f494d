// The room's certificates (@peculiar/x509 on Node's WebCrypto): the room CA's self-signed certificate,
// the hub's TLS server certificate and the seats' client certificates it issues, and the self-signed
// certificate a seat shows while it is not yet paired. All keys are P-256 and every certificate is
// ECDSA with SHA-256.
//
// Trust in the room is by key, not by name or date: the seat pins the hub's key hash, the hub keeps an
// allowlist of seat key hashes, and revocation is removal from that list. Certificates therefore
// carry no host names, and their validity runs from 2000 to the end of 9999 (RFC 5280's "no
// well-defined expiration"): a seat whose clock is wrong by years must still reach its hub.
import './reflect-metadata.ts';
import * as x509 from '@peculiar/x509';
import { X509Certificate, createHash, randomBytes, webcrypto, type KeyObject } from 'node:crypto';

type CryptoKey = webcrypto.CryptoKey;

// Node's WebCrypto is the Crypto x509 expects; its types are declared apart from the DOM's.
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[1]);

const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;
const NOT_BEFORE = new Date('2000-01-01T00:00:00Z');
const NOT_AFTER = new Date('9999-12-31T23:59:59Z');

/** SHA-256 (hex) of a public key's SubjectPublicKeyInfo DER: the key hash the room pins and lists. */
export function keyHashOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
}

/** The key hash of the key a certificate (PEM, DER or parsed) carries. */
export function certificateKeyHash(certificate: string | Buffer | X509Certificate): string {
  return keyHashOf(parseCertificate(certificate).publicKey);
}

/** SHA-256 of a certificate's DER encoding. */
export function certificateFingerprint(certificate: string | Buffer | X509Certificate): Buffer {
  return createHash('sha256').update(parseCertificate(certificate).raw).digest();
}

export function parseCertificate(certificate: string | Buffer | X509Certificate): X509Certificate {
  return certificate instanceof X509Certificate ? certificate : new X509Certificate(certificate);
}

function serial(): string {
  // Positive (first bit clear) and 128 bits: unique without a counter to keep.
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f;
  return bytes.toString('hex');
}

async function signingKey(privateKey: KeyObject): Promise<CryptoKey> {
  return privateKey.toCryptoKey(EC, false, ['sign']);
}

async function verifyingKey(publicKey: KeyObject): Promise<CryptoKey> {
  return publicKey.toCryptoKey(EC, true, ['verify']);
}

/** The certificate a not-yet-paired station shows in TLS: its own key, signed by itself. */
export async function selfSignedCertificate(commonName: string, keys: { publicKey: KeyObject; privateKey: KeyObject }): Promise<string> {
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${commonName}`,
    notBefore: NOT_BEFORE,
    notAfter: NOT_AFTER,
    signingAlgorithm: SIGNING,
    keys: { publicKey: await verifyingKey(keys.publicKey), privateKey: await signingKey(keys.privateKey) },
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
    ],
  });
  return certificate.toString('pem');
}

/** The room CA's certificate: self-signed, may sign end certificates only (path length 0). */
export async function createCaCertificate(commonName: string, keys: { publicKey: KeyObject; privateKey: KeyObject }): Promise<string> {
  const publicKey = await verifyingKey(keys.publicKey);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${commonName}`,
    notBefore: NOT_BEFORE,
    notAfter: NOT_AFTER,
    signingAlgorithm: SIGNING,
    keys: { publicKey, privateKey: await signingKey(keys.privateKey) },
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true),
      await x509.SubjectKeyIdentifierExtension.create(publicKey),
    ],
  });
  return certificate.toString('pem');
}

export interface IssueRequest {
  caCertificate: string;
  caPrivateKey: KeyObject;
  /** The key the certificate is for; the subject proves it holds the private half in every TLS handshake. */
  subjectKey: KeyObject;
  commonName: string;
  /** 'server' for the hub's TLS certificate, 'client' for a seat's. */
  usage: 'server' | 'client';
}

/** An end certificate signed by the room CA. */
export async function issueCertificate(request: IssueRequest): Promise<string> {
  const ca = new x509.X509Certificate(request.caCertificate);
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${request.commonName}`,
    issuer: ca.subject,
    notBefore: NOT_BEFORE,
    notAfter: NOT_AFTER,
    signingAlgorithm: SIGNING,
    publicKey: await verifyingKey(request.subjectKey),
    signingKey: await signingKey(request.caPrivateKey),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([request.usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth]),
      await x509.AuthorityKeyIdentifierExtension.create(ca, false),
    ],
  });
  return certificate.toString('pem');
}

/** Was `certificate` signed by the CA of `caCertificate`? (Signature and issuer name; dates are not part of the room's trust.) */
export function issuedBy(certificate: string | Buffer | X509Certificate, caCertificate: string | Buffer | X509Certificate): boolean {
  const leaf = parseCertificate(certificate);
  const ca = parseCertificate(caCertificate);
  return leaf.checkIssued(ca) && leaf.verify(ca.publicKey);
}
