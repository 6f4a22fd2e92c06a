import { chmod, writeFile } from 'node:fs/promises';

// Every file the provisioning CLI writes holds a secret (broker passwords, claim codes, or QR codes and labels
// that encode a claim code), so each is readable by its owner only. `writeFile`'s mode applies only when the
// file is created, so a file left by an earlier run is chmod-ed as well.

export const SECRET_FILE_MODE = 0o600;

export async function writeSecretFile(file: string, data: string): Promise<void> {
  await writeFile(file, data, { mode: SECRET_FILE_MODE });
  await chmod(file, SECRET_FILE_MODE);
}

/** For files another library wrote (QR PNGs, the PDF label sheet). */
export async function keepPrivate(file: string): Promise<void> {
  await chmod(file, SECRET_FILE_MODE);
}
