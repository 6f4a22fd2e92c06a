// First: a running `npm start` sets this CLI's defaults before the functions' configuration reads them.
import './provision/local-stack.ts';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { type BrokerAdmin, openBrokerAdmin } from '@esp32cloud/functions/broker-admin';
import { config } from '@esp32cloud/functions/config';
import { refs, type SerialDoc } from '@esp32cloud/functions/documents';
import {
  type ProvisionedDevice,
  provisionBatch,
  registerPendingWithBroker,
  reissueFactorySecrets,
} from '@esp32cloud/functions/provisioning';
import { connectAdmin } from './provision/admin.ts';
import { defaultBatchId, parseProvisionArgs, USAGE } from './provision/args.ts';
import { localStack } from './provision/local-stack.ts';
import {
  type Manifest,
  paths,
  prepareOut,
  readFlashConfigs,
  readManifest,
  removeDeviceFiles,
  writeDeviceFiles,
  writeLabelSheet,
  writeManifest,
} from './provision/output.ts';
import { printLabelSheetPdf } from './provision/pdf.ts';
import { progressBar } from './provision/progress.ts';

// `npm run provision -- --type 4Relay --count 100 --firmware 1.0.0 --out DIR [--batch ID]`: a manufacturing
// batch. Usage and output files: scripts/provision/args.ts, docs/REGISTRY.md.

async function main(): Promise<void> {
  const parsed = parseProvisionArgs(process.argv.slice(2));
  if ('help' in parsed) {
    console.log(USAGE);
    return;
  }
  const options = parsed;
  const batchId = options.batch ?? defaultBatchId(options.type, options.firmware);
  const out = path.resolve(options.out);
  await prepareOut(out);
  const { db, projectId, firestoreHost } = connectAdmin();
  const log = (line: string) => {
    if (!options.quiet) console.error(line);
  };
  log(`batch ${batchId}: ${options.count} × ${options.type} firmware ${options.firmware} → ${out}`);
  log(`firestore ${firestoreHost}, project ${projectId}`);

  let broker: BrokerAdmin | null = null;
  if (options.brokerAdminUrl) {
    broker = await openBrokerAdmin(options.brokerAdminUrl);
    log(
      localStack
        ? `broker: registering device credentials with the running npm start (${localStack.file})`
        : 'broker: registering device credentials',
    );
  } else {
    log('broker: no --broker-admin-url / BROKER_ADMIN_URL; devices are not registered with a broker yet');
  }

  const settings = {
    appUrl: options.appUrl,
    deviceBrokerUrl: options.brokerUrl,
    pepper: config.registry.claimCodePepper,
    broker,
  };
  const manifest: Manifest = (await readManifest(out, batchId)) ?? {
    batch_id: batchId,
    device_type: options.type,
    firmware_version: options.firmware,
    count: options.count,
    devices: [],
  };
  const remember = async (devices: ProvisionedDevice[]) => {
    const known = new Map(manifest.devices.map((d) => [d.serial_number, d]));
    for (const device of devices) {
      await writeDeviceFiles(out, device);
      known.set(device.serial_number, {
        serial_number: device.serial_number,
        device_id: device.device_id,
        claim_code: device.claim_code,
        setup_url: device.setup_url,
      });
    }
    manifest.devices = [...known.values()];
    await writeManifest(out, manifest);
  };

  const progress = options.quiet ? null : progressBar(options.count, 'provisioning');
  try {
    const result = await provisionBatch(db, settings, {
      batchId,
      deviceType: options.type,
      firmwareVersion: options.firmware,
      count: options.count,
      onChunk: async (devices, doneSoFar) => {
        await remember(devices);
        progress?.update(doneSoFar);
      },
    });
    progress?.update(result.serials.length);
    progress?.finish();

    // Files of this batch left here by a run against another database (e.g. emulators started afresh) name
    // devices that do not exist in this one: drop them, so the directory only holds flashable units.
    const inBatch = new Set(result.serials);
    const stale = manifest.devices.filter((d) => !inBatch.has(d.serial_number));
    if (stale.length > 0) {
      await removeDeviceFiles(
        out,
        stale.map((d) => d.serial_number),
      );
      manifest.devices = manifest.devices.filter((d) => inBatch.has(d.serial_number));
      log(
        `removed files of ${stale.length} device(s) listed for batch ${batchId} here but not in this database`,
      );
    }

    // Devices of this batch made by an earlier run whose files are missing here get fresh secrets and files.
    const missing = result.serials.filter(
      (serial) =>
        !existsSync(paths(out).flash(serial)) || !manifest.devices.some((d) => d.serial_number === serial),
    );
    if (missing.length > 0 && !options.reissueMissing) {
      log(
        `${missing.length} device(s) of batch ${batchId} have no files in ${out} (made by another run or lost); ` +
          're-run with --reissue-missing to give them new claim codes and broker passwords and write their files',
      );
    } else if (missing.length > 0) {
      const serialSnaps = await db.getAll(...missing.map((s) => refs(db).serial(s)));
      const ids = serialSnaps.filter((s) => s.exists).map((s) => (s.data() as SerialDoc).device_id);
      const reissued = await reissueFactorySecrets(db, settings, ids);
      await remember(reissued);
      log(
        `reissued claim codes and broker passwords for ${reissued.length} device(s) whose files were missing`,
      );
    }

    // Devices made earlier without a broker are registered now, from their flash files.
    let brokerCatchUp: string[] = [];
    if (broker) {
      const flashConfigs = await readFlashConfigs(out, result.serials);
      brokerCatchUp = await registerPendingWithBroker(db, settings, flashConfigs);
      if (brokerCatchUp.length > 0)
        log(`broker: registered ${brokerCatchUp.length} device(s) made without a broker`);
    }

    await writeManifest(out, manifest);
    const sheet = await writeLabelSheet(out, manifest, result.serials);
    const pdf = options.pdf ? sheet.replace(/\.html$/, '.pdf') : null;
    if (pdf) await printLabelSheetPdf(sheet, pdf);
    const summary = {
      batch_id: batchId,
      created: result.created.length,
      total: result.serials.length,
      without_files: options.reissueMissing ? 0 : missing.length,
      already_complete: result.alreadyComplete,
      broker_registered: broker !== null,
      broker_caught_up: brokerCatchUp.length,
      out,
      labels: sheet,
      ...(pdf ? { labels_pdf: pdf } : {}),
    };
    console.log(JSON.stringify(summary));
  } finally {
    await broker?.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`provision failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
