// Certificates for a loopback kube-apiserver, made with the openssl command-line tool:
// a self-signed CA, the serving certificate (SANs 127.0.0.1, ::1, localhost and the in-cluster
// names), client certificates for users (CN = user, O = groups, as the API server reads them)
// and the service-account signing key pair. ECDSA P-256 keeps generation instant.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';

export interface CertPaths {
  dir: string;
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  saKey: string;
  saPub: string;
}

/** User and group names go into an openssl -subj string: keep them to characters that cannot break it. */
const SUBJECT_NAME = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;

export function checkSubjectName(kind: string, value: string): void {
  if (!SUBJECT_NAME.test(value)) {
    throw new Error(`invalid ${kind} "${value}": use letters, digits and . _ : @ - (at most 128 characters, starting with a letter or digit)`);
  }
}

async function openssl(args: string[]): Promise<void> {
  const r = await execa('openssl', args, { reject: false });
  if (r.failed) {
    const why = r.code === 'ENOENT' ? 'openssl is not installed (apt-get install openssl)' : String(r.stderr || r.message || 'unknown error').trim();
    throw new Error(`openssl ${args[0]} failed: ${why}`);
  }
}

function serial(): string {
  // Positive 63-bit serial: unique per certificate, as RFC 5280 asks.
  const b = randomBytes(8);
  b[0] &= 0x7f;
  return `0x${b.toString('hex')}`;
}

async function signLeaf(paths: CertPaths, name: string, subject: string, extensions: string[]): Promise<{ cert: string; key: string }> {
  const key = join(paths.dir, `${name}.key`);
  const csr = join(paths.dir, `${name}.csr`);
  const ext = join(paths.dir, `${name}.ext`);
  const cert = join(paths.dir, `${name}.crt`);
  await openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-subj', subject, '-out', csr]);
  await writeFile(ext, extensions.join('\n') + '\n');
  await openssl(['x509', '-req', '-in', csr, '-CA', paths.caCert, '-CAkey', paths.caKey, '-set_serial', serial(), '-days', '825', '-out', cert, '-extfile', ext]);
  await rm(csr, { force: true });
  await rm(ext, { force: true });
  return { cert, key };
}

/** Creates the CA, serving certificate and service-account keys in `dir`. */
export async function createControlPlaneCerts(dir: string): Promise<CertPaths> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const paths: CertPaths = {
    dir,
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    serverCert: join(dir, 'apiserver.crt'),
    serverKey: join(dir, 'apiserver.key'),
    saKey: join(dir, 'sa.key'),
    saPub: join(dir, 'sa.pub'),
  };
  await openssl([
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', paths.caKey, '-out', paths.caCert, '-days', '3650', '-subj', '/CN=ovnlab-local-ca',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  await signLeaf(paths, 'apiserver', '/CN=kube-apiserver', [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage=serverAuth',
    'subjectAltName=IP:127.0.0.1,IP:0:0:0:0:0:0:0:1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local',
  ]);
  await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', paths.saKey]);
  await openssl(['pkey', '-in', paths.saKey, '-pubout', '-out', paths.saPub]);
  return paths;
}

/** A client certificate for `user` in `groups`, signed by the control plane's CA. */
export async function createClientCert(paths: CertPaths, user: string, groups: string[] = []): Promise<{ certPem: string; keyPem: string }> {
  checkSubjectName('user name', user);
  for (const g of groups) checkSubjectName('group name', g);
  const subject = [...groups.map((g) => `/O=${g}`), `/CN=${user}`].join('');
  const fileName = `user-${user.replace(/[^A-Za-z0-9._-]/g, '_')}`;
  const { cert, key } = await signLeaf(paths, fileName, subject, [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    'extendedKeyUsage=clientAuth',
  ]);
  return { certPem: await readFile(cert, 'utf8'), keyPem: await readFile(key, 'utf8') };
}
